import WebSocket from 'ws';
import { createReferenceServer, ServerCloseCode, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server';
import { createConnectEvent, createTextMessage } from '../../src/protocol/builders';
import { bot, closePeers, open, refusal, type Peer } from '../server/helpers';

/**
 * "A reference server that stays up under hostile, huge and slow bots": one test per
 * finding, each on a real server on 127.0.0.1 port 0, bounded in size and time.
 */

const servers: ReferenceServer[] = [];
const start = async (opts: ReferenceServerOptions = {}): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, handshakeTimeout: 500, ...opts });
  servers.push(s);
  return s;
};
afterEach(async () => {
  closePeers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const privateMsg = (from: number, to: number, text: string) => createTextMessage({ selfId: from, messageType: 'private', text, targetId: to });
const groupMsg = (from: number, text: string) => createTextMessage({ selfId: from, messageType: 'group', text, groupId: 1 });

/** A group message whose `message` is `n` tiny segments (13 bytes each), as text. */
const manySegments = (from: number, n: number): string => {
  const head = JSON.stringify({ ...groupMsg(from, 'x'), message: [] }).replace('"message":[]', '"message":[%]');
  return head.replace('%', Array(n).fill('{"type":"f"}').join(','));
};

/** Polls `check` every 5 ms until it holds (for state that no server notification announces). */
const until = async (check: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** The next frame that is an error frame (skips routed messages). */
const nextError = async (p: Peer, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
  for (;;) {
    const f = await p.next(timeoutMs);
    if (f.status === 'failed') return f;
  }
};

describe('finding 1: history bounded by count only; huge frames stall everyone', () => {
  it('keeps the event history within historyBytes, dropping the oldest', async () => {
    const s = await start({ historyBytes: 100_000 });
    const a = await bot(s, 1001);
    await bot(s, 1002);
    for (let i = 0; i < 20; i++) a.send(privateMsg(1001, 1002, `${i}:${'x'.repeat(20_000)}`));
    await s.waitForEvent((e) => (e.event.raw_message as string | undefined)?.startsWith('19:') ?? false);
    const h = s.stats().history.events;
    expect(h.bytes).toBeLessThanOrEqual(100_000);
    expect(h.dropped).toBeGreaterThan(0);
    expect(s.events().some((e) => (e.event.raw_message as string | undefined)?.startsWith('0:'))).toBe(false);
  });

  it('refuses a frame of 10^6 segments with an error frame naming maxSegments, without recording it', async () => {
    const s = await start();
    const hostile = await bot(s, 1001);
    await bot(s, 1002);
    const frame = manySegments(1001, 1_000_000);
    expect(frame.length).toBeGreaterThan(10_000_000);
    hostile.send(frame);
    const err = await nextError(hostile, 15_000);
    expect(err).toMatchObject({ retcode: 1400, error: { code: 'ONEBOT_FRAME_TOO_LARGE', limit: 'maxSegments' } });
    expect(err.message).toMatch(/maxSegments \(1000\)/);
    expect(s.stats().refusedBy.maxSegments).toBe(1);
    expect(s.events(1001).filter((e) => e.event.post_type === 'message')).toHaveLength(0);
  });

  it('routes other bots while a huge frame is still being parsed (it is parsed off the main thread)', async () => {
    const s = await start();
    const hostile = await bot(s, 1001);
    const a = await bot(s, 1002);
    const b = await bot(s, 1003);
    const order: string[] = [];
    let bothSeen!: () => void;
    const both = new Promise<void>((r) => (bothSeen = r));
    const see = (what: string): void => {
      order.push(what);
      if (order.length === 2) bothSeen();
    };
    hostile.ws.on('message', (d) => {
      if (JSON.parse(d.toString()).status === 'failed') see('hostile refused');
    });
    b.ws.on('message', (d) => {
      if (JSON.parse(d.toString()).raw_message === 'meanwhile') see('a to b routed');
    });
    hostile.send(manySegments(1001, 1_000_000));
    // Sent once the server holds the whole huge frame (it is on the worker, or already refused).
    await until(() => s.stats().framesOnWorker > 0 || s.stats().framesRefused > 0, 15_000);
    a.send(privateMsg(1002, 1003, 'meanwhile'));
    await both;
    expect(order).toEqual(['a to b routed', 'hostile refused']);
  });
});

describe('big frames are decoded and encoded on the worker, and still delivered intact', () => {
  it('routes a 1 MB group message (two fragments per copy) with each recipient\'s self_id', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const b = await bot(s, 1002);
    const c = await bot(s, 1003);
    const text = `héllo ${'€'.repeat(300_000)} end`;
    a.send(groupMsg(1001, text));
    for (const [p, id] of [[b, 1002], [c, 1003]] as const) {
      const got = await p.next(10_000);
      expect(got).toMatchObject({ self_id: id, post_type: 'message', message_type: 'group', raw_message: text });
    }
    expect((await s.waitForEvent((e) => e.event.raw_message === text)).deliveredTo).toEqual([1002, 1003]);
  });
});

describe('every frame received is handled, even when the connection ends right after', () => {
  it('records a burst (handled slice by slice) sent just before the bot closes', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const n = 500;
    const filler = 'b'.repeat(20_000);
    for (let i = 0; i < n; i++) a.send(privateMsg(1001, 7, `${i}:${filler}`));
    a.ws.close();
    await s.waitForDisconnect(1001);
    await s.waitFor(() => s.events(1001).filter((e) => e.event.post_type === 'message').length === n, 10_000);
    const texts = s.events(1001).flatMap((e) => (e.event.post_type === 'message' ? [String(e.event.raw_message).split(':')[0]] : []));
    expect(texts).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });
});

describe('finding 2: a bot that never reads has no limit on what is queued for it', () => {
  it('cuts a slow consumer off once its queue passes sendQueueBytes, and keeps routing to the others', async () => {
    const s = await start({ sendQueueBytes: 256 * 1024, pingInterval: 0 });
    const sender = await bot(s, 1001);
    const reader = await bot(s, 1002);
    const stalled = await bot(s, 1003);
    stalled.ws.pause(); // stops reading: the kernel buffers fill, then the server's queue
    const text = 'y'.repeat(16 * 1024);
    let sent = 0;
    const cut = s.waitForDisconnect(1003, 15_000);
    let done = false;
    void cut.then(() => (done = true));
    while (!done && sent < 5000) {
      sender.send(privateMsg(1001, 1003, text));
      sent += 1;
      if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const rec = await cut;
    expect(rec).toMatchObject({ closedBy: 'server', closeCode: 1006 });
    expect(rec.closeReason).toMatch(/^slow consumer: \d+ bytes queued \(sendQueueBytes 262144\)$/);
    expect(s.stats().slowConsumers).toBe(1);
    // The others go on: a message after the cut-off reaches the reader.
    sender.send(privateMsg(1001, 1002, 'after'));
    for (;;) if ((await reader.next(5000)).raw_message === 'after') break;
  });
});

describe('finding 3: a message that cannot be routed disappears', () => {
  it('answers a 100k-deep frame with an error frame naming maxDepth, and counts it', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    await bot(s, 1002);
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    a.send(JSON.stringify(groupMsg(1001, 'x')).replace('"message":[', `"message":[{"type":"x","data":${deep}},`));
    const err = await nextError(a);
    expect(err).toMatchObject({ retcode: 1400, error: { code: 'ONEBOT_FRAME_TOO_LARGE', limit: 'maxDepth' } });
    expect(s.stats().refusedBy.maxDepth).toBe(1);
    expect(s.errors.at(-1)?.message).toMatch(/maxDepth \(64\)/);
  });

  it('answers a group message whose copies would pass maxFanoutBytes with an error frame naming it', async () => {
    const s = await start({ maxFanoutBytes: 50_000 });
    const a = await bot(s, 1001);
    await bot(s, 1002);
    await bot(s, 1003);
    a.send(groupMsg(1001, 'z'.repeat(30_000)));
    const err = await nextError(a);
    expect(err).toMatchObject({ error: { limit: 'maxFanoutBytes' } });
    expect(s.stats()).toMatchObject({ framesRefused: 1, refusedBy: { maxFanoutBytes: 1 } });
  });

  it('answers a frame with too many values with an error frame naming maxValues', async () => {
    const s = await start({ maxValues: 1000 });
    const a = await bot(s, 1001);
    a.send(JSON.stringify(privateMsg(1001, 5, 'x')).replace('"message":[', `"message":[{"type":"x","data":{"n":[${Array(2000).fill(1).join(',')}]}},`));
    expect(await nextError(a)).toMatchObject({ error: { limit: 'maxValues' } });
  });
});

describe("finding 4: the connect event's self_id is not checked without X-Self-ID", () => {
  const bad = ['0', '-1', '1.5', '1e309', '9007199254740993'];

  it.each(bad)('closes a connect event with self_id %s (no header) with 4004 and the reason', async (raw) => {
    const s = await start();
    const p = await open(s.url);
    p.send(JSON.stringify(createConnectEvent(12345)).replace('"self_id":12345', `"self_id":${raw}`));
    const closed = await p.closed;
    expect(closed.code).toBe(ServerCloseCode.InvalidSelfId);
    expect(closed.reason).toMatch(/^handshake failed: self_id \S+ is (not|above)/);
    expect(s.bots()).toEqual([]);
    expect(s.stats().invalidSelfIds).toBe(1);
  });

  it.each(bad)('refuses X-Self-ID and ?self_id= %s with HTTP 400', async (raw) => {
    const s = await start();
    expect((await refusal(s.url, { 'X-Self-ID': raw })).status).toBe(400);
    expect((await refusal(`${s.url}?self_id=${encodeURIComponent(raw)}`)).status).toBe(400);
  });

  it('keeps 9007199254740992 and 9007199254740993 from colliding: the second is refused, the first too (not safe)', async () => {
    const s = await start();
    const p = await open(s.url);
    p.send(JSON.stringify(createConnectEvent(12345)).replace('"self_id":12345', '"self_id":9007199254740993'));
    expect((await p.closed).code).toBe(ServerCloseCode.InvalidSelfId);
    const q = await open(s.url);
    q.send(JSON.stringify(createConnectEvent(12345)).replace('"self_id":12345', '"self_id":9007199254740991'));
    await s.waitForBot(9007199254740991);
  });
});

describe('pending API calls are bounded', () => {
  it('rejects a callApi past pendingCallsLimit at once, naming the limit', async () => {
    const s = await start({ pendingCallsLimit: 2 });
    await bot(s, 1001);
    const first = s.callApi(1001, 'get_status', {}, { timeout: 2000 });
    const second = s.callApi(1001, 'get_status', {}, { timeout: 2000 });
    await expect(s.callApi(1001, 'get_status')).rejects.toMatchObject({ code: 'ONEBOT_OUTBOX_OVERFLOW', data: { limit: 'pendingCallsLimit' } });
    expect(s.stats().pendingCalls.count).toBe(2);
    await expect(first).rejects.toMatchObject({ code: 'ONEBOT_API_TIMEOUT' });
    await expect(second).rejects.toMatchObject({ code: 'ONEBOT_API_TIMEOUT' });
    expect(s.stats().pendingCalls).toEqual({ count: 0, bytes: 0 });
  });

  it("answers a bot's own API calls (1404: the server offers no API) through the shared engine", async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send({ action: 'get_status', params: {}, echo: 'e1' });
    expect(await a.next()).toMatchObject({ status: 'failed', retcode: 1404, echo: 'e1' });
  });
});

test('the raw ws peer used above can pause (guards the slow-consumer test)', () => {
  expect(typeof WebSocket.prototype.pause).toBe('function');
});
