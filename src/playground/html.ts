/**
 * The playground page's HTML and styles (the script is the bundle of src/playground/page/main.ts).
 * No external resource: no CDN, no web font.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>onebot-rx playground</title>
<style>
:root { --bg: #f4f5f7; --panel: #fff; --line: #d9dce1; --text: #1d2129; --muted: #5b6472; --accent: #1f6feb; --bot: #e8f1ff; --me: #ffffff; --sys: #6b7280; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: var(--text); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.app { display: grid; grid-template-columns: 220px minmax(360px, 1fr) 380px; grid-template-rows: 100vh; height: 100vh; overflow: hidden; }
.chat, .inspector, .sidebar { min-height: 0; }
.log, .frames { min-height: 0; }
button, select, input, textarea, .button { font: inherit; }
button, .button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 4px 10px; cursor: pointer; color: var(--text); }
button:disabled { opacity: .5; cursor: default; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
.sidebar { background: #25292f; color: #e8eaed; overflow-y: auto; padding: 8px; }
.sidebar h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #9aa3ad; margin: 12px 6px 6px; }
.sidebar ul { list-style: none; margin: 0; padding: 0; }
.conversation { width: 100%; text-align: left; background: transparent; color: inherit; border: 0; padding: 7px 8px; border-radius: 6px; font-weight: 600; display: flex; justify-content: space-between; }
.conversation[aria-current="true"] { background: #3b4350; }
.members { margin: 0 0 6px 10px !important; }
.member { width: 100%; text-align: left; background: transparent; border: 0; color: #c9ced6; padding: 3px 8px; font-size: 13px; }
.member:disabled { opacity: .7; }
.role { color: #9aa3ad; font-size: 11px; }
.badge { background: #e5484d; color: #fff; border-radius: 9px; padding: 0 6px; font-size: 11px; }
.chat { display: flex; flex-direction: column; min-width: 0; border-right: 1px solid var(--line); }
.chat header { background: var(--panel); border-bottom: 1px solid var(--line); padding: 8px 14px; }
.chat h1 { font-size: 16px; margin: 0; }
.connection { margin: 2px 0 0; font-size: 12px; color: var(--muted); }
.connection[data-status="open"]::before { content: "● "; color: #2da44e; }
.connection[data-status="reconnecting"]::before, .connection[data-status="closed"]::before { content: "● "; color: #e5484d; }
.log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 12px 14px; }
.msg { margin: 8px 0; max-width: 80%; }
.msg.bot { margin-left: auto; }
.msg .meta { font-size: 12px; color: var(--muted); }
.msg.bot .meta { text-align: right; }
.tag { background: var(--accent); color: #fff; border-radius: 4px; padding: 0 4px; margin-left: 4px; font-size: 10px; }
.id { color: #9aa3ad; }
.bubble { background: var(--me); border: 1px solid var(--line); border-radius: 10px; padding: 6px 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.bot .bubble { background: var(--bot); border-color: #c5dafc; }
.recalled-text { font-style: italic; color: var(--muted); background: transparent !important; border-style: dashed !important; }
.actions { display: flex; gap: 4px; margin-top: 2px; }
.msg.bot .actions { justify-content: flex-end; }
.small { font-size: 11px; padding: 1px 6px; }
.quote { margin: 0 0 4px; padding: 3px 8px; border-left: 3px solid #9aa3ad; background: rgba(0,0,0,.05); border-radius: 4px; font-size: 12px; white-space: normal; }
.mention { color: var(--accent); font-weight: 600; }
.face { background: #fff4d6; border-radius: 4px; padding: 0 3px; }
.image { max-width: 240px; max-height: 240px; display: block; border-radius: 6px; margin: 2px 0; }
.media { display: inline-block; border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px; margin: 2px 6px 2px 0; background: #fafafa; }
.media.record::before { content: "▶ "; }
.media.video::before { content: "▶ "; }
.media.file::before { content: "↓ "; }
.card { display: inline-block; border: 1px solid var(--line); border-radius: 6px; padding: 2px 6px; background: #fafafa; }
.forward { border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; background: #fafafa; }
.node { margin: 4px 0; }
.muted { color: var(--muted); }
.system { text-align: center; color: var(--sys); font-size: 12px; margin: 8px 0; }
.notice { color: #b42318; margin: 0 14px; min-height: 0; }
.notice:empty { display: none; }
.composer { background: var(--panel); border-top: 1px solid var(--line); padding: 8px 14px; }
.tools { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
.reply-bar { background: #eef2f7; border-radius: 6px; padding: 4px 8px; margin-bottom: 6px; font-size: 12px; }
.row { display: flex; gap: 8px; }
#compose { flex: 1; resize: vertical; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
.row button[type=submit] { background: var(--accent); color: #fff; border-color: var(--accent); }
.inspector { display: flex; flex-direction: column; min-width: 0; background: #fbfbfc; }
.inspector h2 { font-size: 14px; margin: 0; padding: 8px 10px; border-bottom: 1px solid var(--line); }
.inspector-controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 10px; font-size: 12px; }
.inspector-controls input[type=search] { flex: 1; min-width: 100px; }
.inspector-note { margin: 0 10px; font-size: 12px; color: var(--muted); }
.frames { list-style: none; margin: 0; padding: 0 6px; overflow-y: auto; flex: 1; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.frame summary { cursor: pointer; padding: 2px 4px; border-bottom: 1px solid #eceef1; overflow-wrap: anywhere; }
.frame.out .dir { color: #2da44e; font-weight: 700; }
.frame.in .dir { color: var(--accent); font-weight: 700; }
.frame .n { color: #9aa3ad; }
.timing { display: block; padding-left: 1.4em; color: #b35900; }
.frame pre { margin: 0; padding: 4px 8px; background: #f0f2f5; white-space: pre-wrap; overflow-wrap: anywhere; }
.copy-area { width: 100%; height: 80px; }
</style>
</head>
<body>
<p>Loading the playground…</p>
<script src="/app.js"></script>
</body>
</html>
`;
