import fc from 'fast-check';
import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { ErrorCode } from '../../src/protocol/errors';
import { silentLogger } from '../../src/logging/logger';
import { figure } from './lib/figures';
import { sizes } from './lib/mode';
import { ECHO_MAX_DEPTH, garbageFrame, jsonEqual, preview, type Garbage } from './lib/garbage';

/**
 * A hostile server: `sizes.fuzzRuns` generated frames sent to a connected client through
 * `server.sendRaw`, one at a time, each followed by a sentinel API call (`get_status`) that must be
 * answered, so every frame's outcome is attributed exactly: reported on `errors$`, answered with the
 * right retcode and the same `echo`, or dispatched. The link must survive all of them.
 */

const SELF = 30001;
const MAX_PAYLOAD = 256 * 1024;

type Outcome = { readonly type: 'error'; readonly code: string } | { readonly type: 'sent'; readonly frame: Record<string, unknown> } | { readonly type: 'frame'; readonly kind: string };

let server: ReferenceServer;
let client: OneBotClient;
const outcomes: Outcome[] = [];
let opens = 0;

/** `ws` with every frame the client writes recorded (the client's documented `WebSocketCtor` hook). */
class RecordingSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string') outcomes.push({ type: 'sent', frame: JSON.parse(data) as Record<string, unknown> });
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}

beforeAll(async () => {
  server = await createReferenceServer({ port: 0 });
  client = createClient({
    url: server.url,
    selfId: SELF,
    logger: silentLogger,
    heartbeatInterval: 0,
    reconnectInterval: 100,
    maxPayload: MAX_PAYLOAD,
    WebSocketCtor: RecordingSocket as unknown as NonNullable<Parameters<typeof createClient>[0]>['WebSocketCtor'],
  });
  client.errors$.subscribe((e) => outcomes.push({ type: 'error', code: e.code }));
  client.frames$.subscribe((f) => outcomes.push({ type: 'frame', kind: f.kind }));
  client.state$.subscribe((s) => {
    if (s.status === 'open') opens++;
  });
  client.connect();
  await server.waitForBot(SELF);
}, 20_000);

afterAll(async () => {
  await client.disconnect();
  await server.close();
});

const errorsOf = (o: Outcome[]): string[] => o.flatMap((x) => (x.type === 'error' ? [x.code] : []));
const sentOf = (o: Outcome[]): Record<string, unknown>[] => o.flatMap((x) => (x.type === 'sent' ? [x.frame] : []));

/** What the client must do with each category of frame. */
const check = (g: Garbage, got: Outcome[]): void => {
  const errors = errorsOf(got);
  const sent = sentOf(got);
  const answered = (retcode: number): void => {
    expect(sent).toHaveLength(1);
    const r = sent[0]!;
    expect(r.retcode).toBe(retcode);
    expect(r.post_type).toBeUndefined();
    if (!g.hasEcho) expect('echo' in r).toBe(false);
    else if (!jsonEqual(r.echo, g.echo)) throw new Error(`echo not copied verbatim for ${g.category}`);
  };
  const reported = (code: string): void => {
    expect(errors).toEqual([code]);
    expect(sent).toEqual([]);
  };
  switch (g.category) {
    case 'invalid-json':
      return reported(ErrorCode.InvalidJson);
    case 'non-object':
      return reported(ErrorCode.NotObject);
    case 'wrong-shape':
      return reported(ErrorCode.UnknownFrame);
    case 'bad-event':
      return reported(ErrorCode.InvalidEvent);
    case 'bad-response':
      return reported(ErrorCode.InvalidResponse);
    case 'binary':
      return reported(ErrorCode.BinaryFrame);
    // Policy: a frame above maxPayload is not parsed, so its echo is unknown: reported, not answered.
    case 'oversize':
      return reported(ErrorCode.FrameTooLarge);
    case 'deep-frame':
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^ONEBOT_/);
      expect(sent).toEqual([]);
      return;
    case 'bad-request-envelope':
      expect(errors).toEqual([ErrorCode.InvalidRequest]);
      return answered(1400);
    case 'unknown-action':
      return answered(1404);
    case 'wrong-params':
      return answered(1400);
    case 'deep-echo':
      // Policy: an echo nested deeper than the Json codec allows is not a valid request; it is
      // reported (it cannot be copied back verbatim, so there is nothing to answer it with).
      if ((g.depth ?? 0) > ECHO_MAX_DEPTH) return reported(ErrorCode.InvalidRequest);
      expect(errors).toEqual([]);
      return answered(0);
    case 'huge-string':
    case 'echo-types':
    case 'no-echo':
      expect(errors).toEqual([]);
      return answered(0);
  }
};

test(`server → client: ${sizes.fuzzRuns} hostile frames, each reported or answered by echo; the link survives`, async () => {
  const connectionId = server.bot(SELF)!.connectionId;
  const counts: Record<string, number> = {};
  let runs = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(garbageFrame({ maxPayload: MAX_PAYLOAD, hugeMax: 128 * 1024 }), async (g) => {
      runs++;
      counts[g.category] = (counts[g.category] ?? 0) + 1;
      outcomes.length = 0;
      server.sendRaw(SELF, g.data);
      // The sentinel: answered ⇒ the frame before it was fully handled, and the link still works.
      const sentinel = await server.callApi(SELF, 'get_status', {}, { timeout: 5000 });
      expect(sentinel.retcode).toBe(0);
      const got = outcomes.splice(0);
      // The sentinel request itself is dispatched on frames$ (just after its answer is written: a
      // request is handed to the answering engine first); drop that line.
      const own = got.findLastIndex((o) => o.type === 'frame' && o.kind === 'request');
      if (own >= 0) got.splice(own, 1);
      const last = got.pop();
      expect(last).toMatchObject({ type: 'sent', frame: { echo: sentinel.echo } });
      try {
        check(g, got.filter((o) => o.type !== 'frame' || (g.category !== 'deep-echo' && g.category !== 'huge-string' && g.category !== 'echo-types' && g.category !== 'no-echo' && g.category !== 'unknown-action' && g.category !== 'wrong-params')));
      } catch (e) {
        throw new Error(`${g.category} frame ${preview(typeof g.data === 'string' ? g.data : `binary ${g.data.length} bytes`)} → ${preview(got, 600)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    { numRuns: sizes.fuzzRuns, endOnFailure: true },
  );
  // Still the same connection, still answering.
  expect(server.bot(SELF)?.connectionId).toBe(connectionId);
  expect(opens).toBe(1);
  expect((await server.callApi(SELF, 'get_login_info', {}, { timeout: 5000 })).data).toEqual({ user_id: SELF, nickname: 'onebot-rx' });
  figure('fuzz', 'server→client frames (each reported or answered; link survived)', runs);
  figure('fuzz', 'server→client categories', Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' '));
  figure('fuzz', 'server→client duration', `${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(runs).toBeGreaterThanOrEqual(10_000);
});
