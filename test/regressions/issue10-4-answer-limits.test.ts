import WebSocket from 'ws';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { sleep, startPeer, type Peer, type PeerConnection } from './lib/peer';

/**
 * Issue 10, defect 4: API answers skipped `maxPayload` and `highWaterMark`: a 40 MB answer went out
 * under a 16 MiB limit, the server dropped it, and the client reported nothing.
 *
 * Now an answer larger than `maxPayload` is replaced by a failed answer saying why, and reported on
 * `errors$`; answers wait in the outbox while the socket holds more than `highWaterMark` unsent
 * bytes, instead of piling onto it.
 */

const SELF = 91004;

let peer: Peer;
let client: OneBotClient;

beforeEach(async () => {
  peer = await startPeer();
});
afterEach(async () => {
  await client.disconnect();
  await peer.close();
});

const base = (extra: Partial<ClientOptions>): ClientOptions => ({ url: peer.url, selfId: SELF, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100, ...extra });

const connected = (): Promise<PeerConnection> => peer.waitFor(() => peer.connections.at(-1)?.frames.length && peer.connections.at(-1), 'a connect event');

const answerTo = (conn: PeerConnection, echo: string): Record<string, unknown> | undefined => {
  const f = conn.frames.find((x) => x.includes(`"echo":"${echo}"`));
  return f === undefined ? undefined : (JSON.parse(f) as Record<string, unknown>);
};

test.each(['sync', 'async'] as const)('issue 10 (4): an answer (%s handler) larger than maxPayload is replaced by a failed answer saying why, and reported', async (style) => {
  const MAX = 64 * 1024;
  client = createClient(base({ maxPayload: MAX }));
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  const huge = 'x'.repeat(100_000);
  client.handle('huge', style === 'sync' ? () => huge : async () => huge);
  client.connect();
  const conn = await connected();
  conn.ws.send(JSON.stringify({ action: 'huge', params: {}, echo: 'big' }));
  const answer = await peer.waitFor(() => answerTo(conn, 'big'), 'the answer');
  expect(answer).toMatchObject({ status: 'failed', retcode: 1500, echo: 'big' });
  expect(String(answer.message)).toMatch(/answer too large: \d+ bytes, maxPayload is 65536/);
  expect(conn.frames.every((f) => f.length <= MAX)).toBe(true);
  const reported = errors.find((e) => e.code === ErrorCode.FrameTooLarge);
  expect(reported?.data).toMatchObject({ echo: 'big', maxPayload: MAX });
  // The link stays up.
  conn.ws.send(JSON.stringify({ action: 'get_status', params: {}, echo: 'after' }));
  expect(await peer.waitFor(() => answerTo(conn, 'after'), 'the next answer')).toMatchObject({ retcode: 0 });
  expect(peer.connections).toHaveLength(1);
});

test('issue 10 (4): answers obey highWaterMark: queued in the outbox, not piled onto the socket, and all delivered once it drains', async () => {
  const HWM = 1024 * 1024;
  const ANSWER = 256 * 1024;
  // 75 MiB of answers: more than the kernel's loopback buffers absorb (autotuned receive buffers
  // reach 32 MiB here), so the client's socket itself must back up.
  const CALLS = 300;
  const sockets: WebSocket[] = [];
  class RecordingSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  client = createClient(base({ highWaterMark: HWM, maxPayload: 1024 * 1024, outboxBytes: 128 * 1024 * 1024, WebSocketCtor: RecordingSocket }));
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  const body = 'y'.repeat(ANSWER);
  client.handle('chunk', () => body);
  client.connect();
  const conn = await connected();
  conn.ws.pause(); // the server stops reading for a while
  const socket = sockets[0]!;
  let most = 0;
  const sampler = setInterval(() => {
    most = Math.max(most, socket.bufferedAmount);
  }, 1);
  for (let i = 0; i < CALLS; i++) conn.ws.send(JSON.stringify({ action: 'chunk', params: {}, echo: `c${i}` }));
  await sleep(1500);
  clearInterval(sampler);
  // The socket backed up (so the bound was exercised) and never held more than one frame over it.
  // (This is the test that found the drain poll armed only once per link: see test/client/congestion.test.ts.)
  expect(most).toBeGreaterThan(0);
  expect(most).toBeLessThanOrEqual(HWM + ANSWER + 1024);
  // The server reads again: every answer arrives, whole and in order.
  conn.ws.resume();
  await peer.waitFor(() => conn.frames.length > CALLS, `${CALLS} answers`, 10_000);
  const echoes = conn.frames.slice(1).map((f) => JSON.parse(f) as { echo: string; data: string; retcode: number });
  expect(echoes.map((a) => a.echo)).toEqual(Array.from({ length: CALLS }, (_, i) => `c${i}`));
  expect(echoes.every((a) => a.retcode === 0 && a.data.length === ANSWER)).toBe(true);
  expect(errors).toEqual([]);
});
