import fc from 'fast-check';
import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { createConnectEvent } from '../../src/protocol/builders';
import { ErrorCode } from '../../src/protocol/errors';
import { silentLogger } from '../../src/logging/logger';
import { figure } from './lib/figures';
import { sizes } from './lib/mode';
import { garbageFrame, jsonEqual, preview, type Garbage } from './lib/garbage';

/**
 * A hostile bot: a raw `ws` client sends the reference server `sizes.fuzzRuns` generated frames, each
 * followed by a sentinel request the server must answer (1404, it offers no API), so every frame's
 * answer is attributed. The server must stay up, answer bad frames with error frames (never carrying
 * `post_type`), and a well-behaved bot on the same server must not notice.
 */

const HOSTILE = 40001;
const GOOD = 40002;
const MAX_PAYLOAD = 256 * 1024;

let server: ReferenceServer;
let good: OneBotClient;
let ws: WebSocket;
const inbox: Record<string, unknown>[] = [];
const waiters: Array<() => void> = [];

beforeAll(async () => {
  server = await createReferenceServer({ port: 0, maxPayload: MAX_PAYLOAD, historyLimit: 100 });
  good = createClient({ url: server.url, selfId: GOOD, logger: silentLogger, heartbeatInterval: 0 });
  good.connect();
  ws = new WebSocket(server.url, { headers: { 'X-Self-ID': String(HOSTILE) } });
  ws.on('message', (data, isBinary) => {
    inbox.push(isBinary ? { binary: true } : (JSON.parse(data.toString()) as Record<string, unknown>));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(createConnectEvent(HOSTILE)));
  await Promise.all([server.waitForBot(HOSTILE), server.waitForBot(GOOD)]);
}, 20_000);

afterAll(async () => {
  ws.terminate();
  await good.disconnect();
  await server.close();
});

/** Waits until the sentinel's answer arrived; returns everything received before it. */
const untilSentinel = (echo: string, timeoutMs: number): Promise<Record<string, unknown>[]> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to sentinel ${echo} within ${timeoutMs} ms`)), timeoutMs);
    const look = (): void => {
      const i = inbox.findIndex((f) => f.echo === echo);
      if (i < 0) {
        waiters.push(look);
        return;
      }
      clearTimeout(timer);
      const before = inbox.splice(0, i + 1);
      const sentinel = before.pop()!;
      if (sentinel.retcode !== 1404) reject(new Error(`sentinel answered ${preview(sentinel)}`));
      else resolve(before);
    };
    look();
  });

const check = (g: Garbage, got: Record<string, unknown>[]): void => {
  for (const f of got) expect(f.post_type).toBeUndefined();
  const errorFrame = (code: string): void => {
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ status: 'failed', retcode: 1400, data: null, error: { code } });
  };
  const answered = (retcode: number): void => {
    expect(got).toHaveLength(1);
    expect(got[0]!.retcode).toBe(retcode);
    if (g.hasEcho && !jsonEqual(got[0]!.echo, g.echo)) throw new Error('echo not copied verbatim');
  };
  switch (g.category) {
    case 'invalid-json':
      return errorFrame(ErrorCode.InvalidJson);
    case 'non-object':
      return errorFrame(ErrorCode.NotObject);
    case 'wrong-shape':
      return errorFrame(ErrorCode.UnknownFrame);
    case 'bad-event':
      return errorFrame(ErrorCode.InvalidEvent);
    case 'bad-response':
      return errorFrame(ErrorCode.InvalidResponse);
    case 'binary':
      return errorFrame(ErrorCode.BinaryFrame);
    case 'oversize':
      return errorFrame(ErrorCode.FrameTooLarge);
    case 'bad-request-envelope':
      return errorFrame(ErrorCode.InvalidRequest);
    case 'deep-frame':
    case 'deep-echo':
      // Deeper than the server's maxDepth (64, default): refused on its text, before parsing, so
      // even an echo is never read (and never too deep to encode again).
      errorFrame(ErrorCode.FrameTooLarge);
      expect(got[0]!.error).toMatchObject({ limit: 'maxDepth' });
      return;
    // The reference server offers no API of its own: every well-formed request is a prompt 1404.
    case 'wrong-params': {
      // Non-object params fail the request envelope (1400); object params reach routing, and the
      // reference server has no handler for any action (1404).
      const params = (JSON.parse(g.data as string) as { params: unknown }).params;
      if (typeof params !== 'object' || params === null || Array.isArray(params)) return errorFrame(ErrorCode.InvalidRequest);
      return answered(1404);
    }
    case 'unknown-action':
    case 'huge-string':
    case 'echo-types':
    case 'no-echo':
      return answered(1404);
  }
};

test(`client → server: ${sizes.fuzzRuns} hostile frames from a raw bot, each answered; the server and other bots unaffected`, async () => {
  const goodConnection = server.bot(GOOD)!.connectionId;
  const hostileConnection = server.bot(HOSTILE)!.connectionId;
  let runs = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(garbageFrame({ maxPayload: MAX_PAYLOAD, hugeMax: 128 * 1024 }), async (g) => {
      runs++;
      ws.send(g.data, { binary: typeof g.data !== 'string' });
      const echo = `sentinel-${runs}`;
      ws.send(JSON.stringify({ action: 'zz_sentinel', echo }));
      const got = await untilSentinel(echo, 5000);
      try {
        check(g, got);
      } catch (e) {
        throw new Error(`${g.category} → ${preview(got, 600)}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (runs % 500 === 0) {
        // The well-behaved bot keeps working while the hostile one hammers the server.
        expect((await server.callApi(GOOD, 'get_status', {}, { timeout: 5000 })).retcode).toBe(0);
      }
    }),
    { numRuns: sizes.fuzzRuns, endOnFailure: true },
  );
  expect(server.bot(HOSTILE)?.connectionId).toBe(hostileConnection);
  expect(server.bot(GOOD)?.connectionId).toBe(goodConnection);
  expect((await server.callApi(GOOD, 'get_login_info', {}, { timeout: 5000 })).retcode).toBe(0);
  figure('fuzz', 'client→server frames (each answered; server up, other bot unaffected)', runs);
  figure('fuzz', 'client→server duration', `${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(runs).toBeGreaterThanOrEqual(10_000);
});

test('client → server: a frame beyond the WebSocket cut-off closes only that bot (1009); others stay', async () => {
  // Policy (reference-server-types.ts): above max(4 × maxPayload, maxPayload + 64 KiB) ws cuts the link.
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(JSON.stringify({ action: 'get_status', params: { pad: 'z'.repeat(MAX_PAYLOAD * 4 + 10) } }));
  expect(await closed).toBe(1009);
  await server.waitForDisconnect(HOSTILE, 5000);
  expect(server.errors.some((e) => e.selfId === HOSTILE && e.code === ErrorCode.FrameTooLarge)).toBe(true);
  // The connection record's closeCode/closedBy for this case: see test/regressions/server-close-record-1009.test.ts.
  expect((await server.callApi(GOOD, 'get_status', {}, { timeout: 5000 })).retcode).toBe(0);
});
