/**
 * Child-process entry of the hostile bot: connects as `selfId` and, for `seconds`, sends frames
 * as large as the server accepts, cycling through the kinds a hostile bot would try (huge segment
 * counts, deep nesting, huge value counts, a huge text for every bot, a huge text to itself,
 * invalid JSON). It keeps at most `maxPayload` bytes in its own send buffer, so it sends as fast
 * as the server reads. Reports what it sent and how many error frames it got back.
 * Started with the options as JSON in argv[2].
 */
import WebSocket from 'ws';

interface HostileOptions {
  readonly url: string;
  readonly selfId: number;
  readonly maxPayload: number;
  readonly seconds: number;
}

export interface HostileReport {
  readonly type: 'done';
  readonly sent: Record<string, number>;
  readonly bytesSent: number;
  readonly errorFrames: number;
  readonly errorLimits: Record<string, number>;
  readonly copiesBack: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as HostileOptions;
const envelope = (messageType: 'group' | 'private', message: string): string =>
  JSON.stringify({
    time: 1,
    self_id: opts.selfId,
    post_type: 'message',
    message_type: messageType,
    sub_type: messageType === 'group' ? 'normal' : 'friend',
    message_id: 1,
    user_id: opts.selfId,
    ...(messageType === 'group' ? { group_id: 1 } : { target_id: opts.selfId }),
    message: '%M%',
    raw_message: '',
    font: 0,
    sender: { user_id: opts.selfId },
  }).replace('"%M%"', message);

/** Fills `make(n)` up to just under maxPayload by choosing n. */
const fill = (unit: number, make: (n: number) => string): Buffer => {
  const n = Math.floor((opts.maxPayload - 512) / unit);
  return Buffer.from(make(n));
};

const frames: Record<string, Buffer> = {
  segments: fill(13, (n) => envelope('group', `[${Array(n).fill('{"type":"f"}').join(',')}]`)),
  depth: fill(6, (n) => envelope('group', `[{"type":"x","data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}]`)),
  values: fill(2, (n) => envelope('group', `[{"type":"x","data":{"v":[${Array(n).fill('1').join(',')}]}}]`)),
  groupText: fill(1, (n) => envelope('group', JSON.stringify([{ type: 'text', data: { text: 'g'.repeat(n) } }]))),
  selfText: fill(1, (n) => envelope('private', JSON.stringify([{ type: 'text', data: { text: 's'.repeat(n) } }]))),
  badJson: fill(1, (n) => `{"post_type":"message","x":"${'b'.repeat(n)}`),
};
// RELIABILITY_HOSTILE_KINDS (comma-separated) narrows the cycle, to tell the kinds' costs apart.
const kinds = Object.keys(frames).filter((k) => (process.env.RELIABILITY_HOSTILE_KINDS ?? k).split(',').includes(k));

const ws = new WebSocket(opts.url, { headers: { 'X-Self-ID': String(opts.selfId) }, maxPayload: opts.maxPayload * 2 });
const sent: Record<string, number> = {};
const errorLimits: Record<string, number> = {};
let bytesSent = 0;
let errorFrames = 0;
let copiesBack = 0;

ws.on('message', (data: Buffer) => {
  // Error frames are small; routed copies (of the huge text to itself) are not parsed.
  if (data.length > 4096) {
    copiesBack += 1;
    return;
  }
  const f = JSON.parse(data.toString()) as { status?: string; error?: { limit?: string; code?: string } };
  if (f.status !== 'failed') return;
  errorFrames += 1;
  const key = f.error?.limit ?? f.error?.code ?? '?';
  errorLimits[key] = (errorLimits[key] ?? 0) + 1;
});

ws.on('open', () => {
  ws.send(JSON.stringify({ time: 1, self_id: opts.selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' }));
  const end = Date.now() + opts.seconds * 1000;
  let i = 0;
  const pump = (): void => {
    if (Date.now() > end) {
      // Let the last answers arrive, then report.
      setTimeout(() => {
        process.send?.({ type: 'done', sent, bytesSent, errorFrames, errorLimits, copiesBack } satisfies HostileReport);
        ws.close();
      }, 2000);
      return;
    }
    while (ws.bufferedAmount < opts.maxPayload) {
      const kind = kinds[i++ % kinds.length] as string;
      const frame = frames[kind] as Buffer;
      ws.send(frame, { binary: false });
      sent[kind] = (sent[kind] ?? 0) + 1;
      bytesSent += frame.length;
    }
    setTimeout(pump, 5);
  };
  pump();
});
ws.on('error', (e) => {
  console.error('hostile bot:', e.message);
});
process.on('disconnect', () => process.exit(0));
