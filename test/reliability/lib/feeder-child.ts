/**
 * Child-process entry of the flooding bot in the hostile-load test: connects as `selfId` and sends
 * private messages of `bytes` characters to `target` as fast as its own send buffer drains (at
 * most 1 MiB buffered), until `stop` arrives over IPC or `seconds` pass. Reports how many it sent.
 * Its own process, so the flood's cost never shows up as a gap in the measuring process.
 */
import WebSocket from 'ws';

const opts = JSON.parse(process.argv[2] ?? '{}') as { url: string; selfId: number; target: number; bytes: number; seconds: number };
const frame = JSON.stringify({
  time: 1,
  self_id: opts.selfId,
  post_type: 'message',
  message_type: 'private',
  sub_type: 'friend',
  message_id: 1,
  user_id: opts.selfId,
  target_id: opts.target,
  message: [{ type: 'text', data: { text: 'f'.repeat(opts.bytes) } }],
  raw_message: '',
  font: 0,
  sender: { user_id: opts.selfId },
});
let sent = 0;
let stopped = false;
const ws = new WebSocket(opts.url, { headers: { 'X-Self-ID': String(opts.selfId) } });
const finish = (): void => {
  if (stopped) return;
  stopped = true;
  process.send?.({ type: 'done', sent });
  ws.close();
};
ws.on('open', () => {
  ws.send(JSON.stringify({ time: 1, self_id: opts.selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' }));
  process.send?.({ type: 'ready' });
});
process.on('message', (m: { cmd: string }) => {
  if (m.cmd !== 'go') return finish();
  const end = Date.now() + opts.seconds * 1000;
  const pump = (): void => {
    if (stopped) return;
    if (Date.now() > end) return finish();
    while (ws.bufferedAmount < 1024 * 1024) {
      ws.send(frame);
      sent += 1;
    }
    setTimeout(pump, 2);
  };
  pump();
});
ws.on('error', (e) => console.error('feeder bot:', e.message));
process.on('disconnect', () => process.exit(0));
