import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_INTRO } from '../../src/cli/demo';
import { busyPort, runInProcess } from './helpers';

const SUMMARY = /^demo ok: 2 bots, 2 messages delivered, 1 API call answered, 4 heartbeats in \d+\.\d s$/m;

/** The transcript without times, ports and addresses: what must be the same on every run. */
const content = (out: string): string[] =>
  out
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\s*\+\d+\.\d{3}s\s+/, '').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/ \(\d+ ms\)$/, '').replace(/in \d+\.\d s$/, 'in N s'));

const runDemo = async (...argv: string[]) => {
  const r = runInProcess([...argv]);
  r.stdin.end();
  const code = await r.exit;
  return { code, out: r.stdout.text(), err: r.stderr.text() };
};

describe('onebot-rx demo', () => {
  it('runs two bots through the script, prints the transcript and exits 0 with the summary', async () => {
    const r = await runDemo('demo', '--port', '0');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(SUMMARY);
    expect(content(r.out)).toEqual([
      ...DEMO_INTRO.trim().split('\n'),
      '',
      'server           reference server listening on ws://127.0.0.1:PORT/ws/',
      '12345            connecting to ws://127.0.0.1:PORT/ws/',
      '12345  → server  online: sent the "connect" event, the hello every bot sends first (role Universal, from 127.0.0.1)',
      '67890            connecting to ws://127.0.0.1:PORT/ws/',
      '67890  → server  online: sent the "connect" event, the hello every bot sends first (role Universal, from 127.0.0.1)',
      '12345  → server  private message to 67890: "Hello, 67890! (private, from 12345)"; the server passes it on to 67890',
      'server → 67890   delivered: private message from 12345: "Hello, 67890! (private, from 12345)"',
      '67890  → server  group message to 123456: "Hello, group 123456! (from 67890)"; the server passes it on to 12345',
      'server → 12345   delivered: group message in 123456 from 67890: "Hello, group 123456! (from 67890)"',
      'server → 12345   API call get_login_info',
      '12345  → server  get_login_info: answer ok {"user_id":12345,"nickname":"onebot-rx"}',
      '12345  → server  heartbeat: still alive (one every 500 ms)',
      '67890  → server  heartbeat: still alive (one every 500 ms)',
      '12345  → server  heartbeat: still alive (one every 500 ms)',
      '67890  → server  heartbeat: still alive (one every 500 ms)',
      '67890            disconnected (code 1000 client disconnect, closed by client)',
      '12345            disconnected (code 1000 client disconnect, closed by client)',
      'demo ok: 2 bots, 2 messages delivered, 1 API call answered, 4 heartbeats in N s',
      // Then what to run next: one line per way a bot server talks OneBot v11.
      '',
      'Next, the same with your own bot server, whichever way it talks OneBot v11:',
      '  reverse WS (it listens)   onebot-rx connect ws://127.0.0.1:PORT/onebot/v11/ws --self-id 10001',
      '  forward WS (it dials us)  onebot-rx connect --ws-listen 127.0.0.1:PORT --self-id 10001',
      '  HTTP API (it calls us)    onebot-rx connect --http-listen 127.0.0.1:PORT --self-id 10001',
      '  HTTP POST (we post)       onebot-rx connect --http-post http://127.0.0.1:PORT/onebot/v11/http --secret S --self-id 10001',
      '  in the browser            onebot-rx play --url ws://127.0.0.1:PORT/onebot/v11/ws',
    ]);
    // Not a terminal: no colours.
    expect(r.out).not.toContain('\u001b[');
  });

  it('opens with a screen a newcomer can read: what runs, how to read a line, no unexplained jargon', async () => {
    const r = await runDemo('demo', '--port', '0');
    expect(r.code).toBe(0);
    const firstScreen = r.out.split('\n').slice(0, 24).join('\n');
    expect(firstScreen.startsWith(DEMO_INTRO)).toBe(true);
    expect(firstScreen).toContain('Each line: time since start, who → to whom, what happened.');
    // Words only OneBot insiders know, and the unexplained routing arrow, are gone.
    for (const jargon of ['handshake', 'lifecycle', '⇒', 'meta_event', 'post_type']) expect(firstScreen).not.toContain(jargon);
    // Every term the transcript uses is introduced before it.
    for (const term of ['server', 'bots', 'heartbeats', 'API']) expect(DEMO_INTRO).toContain(term);
  });

  it('falls back to a free port when the preferred one is taken', async () => {
    const busy = await busyPort();
    try {
      const r = await runDemo('demo', '--port', String(busy.port));
      expect(r.code).toBe(0);
      const m = new RegExp(`port ${busy.port} is taken; using free port (\\d+) instead`).exec(r.out);
      expect(m).not.toBeNull();
      expect(Number(m![1])).not.toBe(busy.port);
      expect(r.out).toContain(`listening on ws://127.0.0.1:${m![1]}/ws/`);
      expect(r.out).toMatch(SUMMARY);
    } finally {
      await busy.release();
    }
  });

  it('uses 127.0.0.1:8000/ws/ by default, or a free port when 8000 is taken', async () => {
    const r = await runDemo('demo');
    expect(r.code).toBe(0);
    const url = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/ws\/)/.exec(r.out);
    expect(url).not.toBeNull();
    if (url![2] !== '8000') expect(r.out).toContain(`port 8000 is taken; using free port ${url![2]} instead`);
  });

  it('--json prints every item as a JSON line, ending with the summary', async () => {
    const r = await runDemo('--json', 'demo', '--port', '0');
    expect(r.code).toBe(0);
    const items = r.out.trim().split('\n').map((l) => JSON.parse(l) as { t: number; kind: string; text: string; data?: Record<string, unknown> });
    expect(items.length).toBe(18);
    expect(items.every((i) => typeof i.t === 'number' && typeof i.kind === 'string')).toBe(true);
    expect(items.filter((i) => i.kind === 'heartbeat')).toHaveLength(4);
    expect(items.find((i) => i.kind === 'api-answer')?.data).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: 12345 } });
    const last = items[items.length - 1]!;
    expect(last.kind).toBe('summary');
    expect(last.data).toMatchObject({ bots: 2, delivered: 2, answered: 1, heartbeats: 4 });
  });

  describe('with --log-file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'onebot-rx-cli-log-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes the transcript as JSON lines to the log file', async () => {
      const r = await runDemo('--log-file', join(dir, 'demo.log'), 'demo', '--port', '0');
      expect(r.code).toBe(0);
      const lines = (await readFile(join(dir, 'demo.1.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.level === 'info' && /^12345 → server private message to 67890/.test(String(l.msg)))).toBe(true);
      expect(lines.filter((l) => SUMMARY.test(String(l.msg)))).toHaveLength(1);
      // The SDK's own logs go to the file too, at the file's level (info by default).
      expect(lines.some((l) => l.msg === 'reference server closed')).toBe(true);
      // Heartbeats are logged at debug, below the default file level.
      expect(lines.some((l) => /→ server heartbeat: still alive/.test(String(l.msg)))).toBe(false);
    });

    it('a log file that cannot be written is reported at start: exit 2, nothing run', async () => {
      const notAFolder = join(dir, 'plain-file');
      await writeFile(notAFolder, 'x');
      const r = await runDemo('--log-file', join(notAFolder, 'demo.log'), 'demo', '--port', '0');
      expect(r.code).toBe(2);
      expect(r.err).toBe(`error: cannot write the log file ${join(notAFolder, 'demo.log')}: cannot create its folder ${notAFolder}: part of that path is a file, not a folder\n`);
      expect(r.out).toBe('');
    });

    it('a folder given as the log file is reported at start: exit 2', async () => {
      const r = await runDemo('--log-file', dir, 'demo', '--port', '0');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`error: cannot write the log file ${dir}: it is a folder; give a file name`);
      expect(r.out).toBe('');
    });

    it('a log file in a folder that does not exist yet is fine (the folder is made)', async () => {
      const r = await runDemo('--log-file', join(dir, 'new', 'deeper', 'demo.log'), 'demo', '--port', '0');
      expect(r.code).toBe(0);
      expect(await readdir(join(dir, 'new', 'deeper'))).toContain('demo.1.log');
    });

    it('rotates and prunes with --log-rotate-size and --log-retain', async () => {
      const r = await runDemo('--log-file', join(dir, 'demo.log'), '--log-level', 'debug', '--log-rotate-size', '2k', '--log-retain', '2', 'demo', '--port', '0');
      expect(r.code).toBe(0);
      const files = (await readdir(dir)).sort();
      expect(files).toHaveLength(2);
      for (const f of files) expect(f).toMatch(/^demo\.\d+\.log$/);
      // More than two files were written (numbers went past 2), the oldest ones were removed.
      expect(files).not.toContain('demo.1.log');
    });
  });
});
