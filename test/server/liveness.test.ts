import WebSocket from 'ws';
import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { createReferenceServer, REFERENCE_SERVER_DEFAULTS, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server';
import { createConnectEvent, createHeartbeatEvent } from '../../src/protocol/builders';
import type { Logger } from '../../src/logging/logger';
import { bot, closePeers, open, refusal } from './helpers';

/**
 * FINDINGS.md F2: the server pings every connection, terminates the ones that stop answering, and
 * probes the holder of a `self_id` when a second upgrade for it arrives. A peer that never answers
 * pings is a `ws` client with `autoPong: false` (its socket stays open, exactly as a half-open link
 * looks from the server).
 */

const servers: ReferenceServer[] = [];
const start = async (opts: ReferenceServerOptions = {}): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, handshakeTimeout: 150, ...opts });
  servers.push(s);
  return s;
};

afterEach(async () => {
  closePeers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A handshaken bot whose WebSocket layer never answers pings (a dead peer, as the server sees it). */
const deadBot = async (server: ReferenceServer, selfId: number, headers: Record<string, string> = { 'X-Self-ID': String(selfId) }): Promise<WebSocket> => {
  const ws = new WebSocket(server.url, { headers, autoPong: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(createConnectEvent(selfId)));
  await server.waitForBot(selfId, 2000);
  return ws;
};
const dead: WebSocket[] = [];
afterEach(() => {
  for (const ws of dead.splice(0)) ws.terminate();
});

const pings = (ws: WebSocket, n: number): Promise<void> =>
  new Promise((resolve) => {
    let seen = 0;
    const on = (): void => {
      seen += 1;
      if (seen >= n) {
        ws.off('ping', on);
        resolve();
      }
    };
    ws.on('ping', on);
  });

/** A logger that keeps every message and can wait for one (log lines are not server notifications). */
const capture = (): Logger & { until(part: string): Promise<void> } => {
  const messages: string[] = [];
  const waiting: Array<{ part: string; resolve: () => void }> = [];
  const log = (m: string): void => {
    messages.push(m);
    for (const w of [...waiting]) {
      if (!m.includes(w.part)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    debug: log,
    info: log,
    warn: log,
    error: log,
    until: (part) =>
      new Promise<void>((resolve) => {
        if (messages.some((m) => m.includes(part))) return resolve();
        waiting.push({ part, resolve });
      }),
  };
};

describe('options', () => {
  it('pings every 15 s and waits 10 s for the pong by default', () => {
    expect(REFERENCE_SERVER_DEFAULTS).toMatchObject({ pingInterval: 15_000, pongTimeout: 10_000 });
  });
});

describe('periodic ping', () => {
  it('keeps a bot that answers pings, however many go by', async () => {
    const s = await start({ pingInterval: 20, pongTimeout: 50 });
    const a = await bot(s, 1001);
    await pings(a.ws, 5);
    expect(s.bots().map((b) => b.selfId)).toEqual([1001]);
    expect(s.connections[0]!.closedAt).toBeUndefined();
  });

  it('terminates a bot that stops answering, records why, and frees its self_id', async () => {
    const s = await start({ pingInterval: 50, pongTimeout: 100 });
    const ws = await deadBot(s, 1001);
    dead.push(ws);
    const rec = await s.waitForDisconnect(1001, 2000);
    expect(rec).toMatchObject({ selfId: 1001, closedBy: 'server', closeCode: 1006, closeReason: 'no pong within 100 ms' });
    // Within one interval plus the deadline (and some scheduling slack).
    expect(rec.closedAt! - rec.handshakeAt!).toBeLessThan(50 + 100 + 500);
    expect(s.bots()).toEqual([]);
    await bot(s, 1001);
  });

  it('fails the dead bot’s pending API calls as soon as it is dropped', async () => {
    const s = await start({ pingInterval: 50, pongTimeout: 100 });
    dead.push(await deadBot(s, 1001));
    await expect(s.callApi(1001, 'get_status', {}, { timeout: 5000 })).rejects.toMatchObject({
      code: 'ONEBOT_BOT_NOT_CONNECTED',
      message: 'bot 1001 disconnected before answering get_status',
    });
  });

  it('also pings a connection that has not handshaken yet', async () => {
    const s = await start({ handshakeTimeout: 5000, pingInterval: 50, pongTimeout: 100 });
    const ws = new WebSocket(s.url, { autoPong: false });
    dead.push(ws);
    const rec = await s.waitForDisconnect(() => true, 2000);
    expect(rec).toMatchObject({ selfId: undefined, closedBy: 'server', closeCode: 1006, closeReason: 'no pong within 100 ms' });
  });

  it('sends no ping at all with pingInterval 0', async () => {
    const s = await start({ pingInterval: 0, pongTimeout: 10 });
    const a = await bot(s, 1001);
    let pinged = false;
    a.ws.on('ping', () => (pinged = true));
    // Proving an absence takes a wait; a few would-be intervals are enough.
    await new Promise((r) => setTimeout(r, 150));
    expect(pinged).toBe(false);
    expect(s.bots().map((b) => b.selfId)).toEqual([1001]);
  });

  it('keeps the reason of a close the server started when the pong deadline cuts its wait short', async () => {
    const s = await start({ pingInterval: 50, pongTimeout: 300 });
    const ws = await deadBot(s, 1001);
    dead.push(ws);
    // The peer ignores our close frame too (it never answers), so only the deadline ends the socket.
    await pings(ws, 1);
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const rec = await s.kick(1001, 4000, 'bye');
    expect(rec).toMatchObject({ closedBy: 'server', closeCode: 4000, closeReason: 'bye' });
  });
});

describe('duplicate self_id: the holder is probed', () => {
  it('refuses with 409 after one round trip when the holder is alive', async () => {
    const s = await start({ pingInterval: 60_000, pongTimeout: 3000 });
    const first = await bot(s, 12345);
    const t0 = Date.now();
    expect((await refusal(s.url, { 'X-Self-ID': '12345' })).status).toBe(409);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(s.rejections).toMatchObject([{ status: 409, reason: 'duplicate self_id 12345' }]);
    first.send(createHeartbeatEvent(12345, 5000));
    await s.waitFor(() => s.bot(12345)?.heartbeats === 1, 1000);
  });

  it('accepts the newcomer within pongTimeout when the holder is dead, long before the next periodic ping', async () => {
    const s = await start({ pingInterval: 60_000, pongTimeout: 100 });
    dead.push(await deadBot(s, 12345));
    const t0 = Date.now();
    const second = await open(s.url, { 'X-Self-ID': '12345' });
    expect(Date.now() - t0).toBeLessThan(1500);
    second.send(createConnectEvent(12345));
    const b = await s.waitForBot(12345, 2000);
    expect(b.connectionId).toBe(2);
    expect(s.rejections).toEqual([]);
    expect(s.connections.map((c) => [c.closedBy, c.closeCode, c.closeReason])).toEqual([
      ['server', 1006, 'no pong within 100 ms'],
      [undefined, undefined, undefined],
    ]);
  });

  it('lets every waiting newcomer share one probe; the first to handshake wins, the rest get 4009', async () => {
    const s = await start({ pingInterval: 60_000, pongTimeout: 100 });
    const holder = await deadBot(s, 12345);
    dead.push(holder);
    let holderPings = 0;
    holder.on('ping', () => (holderPings += 1));
    const [x, y] = await Promise.all([open(s.url, { 'X-Self-ID': '12345' }), open(s.url, { 'X-Self-ID': '12345' })]);
    expect(holderPings).toBe(1);
    x.send(createConnectEvent(12345));
    await s.waitForBot(12345);
    y.send(createConnectEvent(12345));
    expect(await y.closed).toEqual({ code: 4009, reason: 'duplicate self_id 12345' });
  });

  it('refuses at once with pingInterval 0, for as long as the dead holder lingers', async () => {
    const s = await start({ pingInterval: 0, pongTimeout: 100 });
    dead.push(await deadBot(s, 12345));
    expect((await refusal(s.url, { 'X-Self-ID': '12345' })).status).toBe(409);
    expect(s.bots().map((b) => b.selfId)).toEqual([12345]);
  });

  it('closes a header-less duplicate with 4009 at once, but its probe drops a dead holder so the retry gets in', async () => {
    const s = await start({ pingInterval: 60_000, pongTimeout: 100 });
    dead.push(await deadBot(s, 12345));
    const second = await open(s.url);
    second.send(createConnectEvent(12345));
    expect(await second.closed).toEqual({ code: 4009, reason: 'duplicate self_id 12345' });
    await s.waitForDisconnect((c) => c.id === 1, 2000);
    const third = await open(s.url);
    third.send(createConnectEvent(12345));
    expect((await s.waitForBot(12345)).connectionId).toBe(3);
  });

  it('drops a held upgrade whose client gave up, without accepting or refusing it', async () => {
    const logger = capture();
    const s = await start({ pingInterval: 60_000, pongTimeout: 200, logger });
    dead.push(await deadBot(s, 12345));
    const quitter = new WebSocket(s.url, { headers: { 'X-Self-ID': '12345' } });
    quitter.on('error', () => undefined);
    await logger.until('probing the old connection');
    quitter.terminate();
    await s.waitForDisconnect(12345, 2000);
    await logger.until('gave up its upgrade');
    expect(s.connections).toHaveLength(1);
    expect(s.rejections).toEqual([]);
  });

  it('answers a held upgrade with 503 when the server closes meanwhile', async () => {
    const logger = capture();
    const s = await start({ pingInterval: 60_000, pongTimeout: 5000, logger });
    dead.push(await deadBot(s, 12345));
    const refused = refusal(s.url, { 'X-Self-ID': '12345' });
    await logger.until('probing the old connection');
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await refused).status).toBe(503);
  });
});

describe('timers', () => {
  it('leaves no scheduled action once a pinged connection is gone (every timer runs on the injected scheduler)', async () => {
    // A scheduler that keeps every action it scheduled, so the test can see which are still live.
    const actions: Subscription[] = [];
    let pingsSeen = 0;
    const scheduler: SchedulerLike = {
      now: () => asyncScheduler.now(),
      schedule: ((work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay?: number, state?: unknown) => {
        const a = asyncScheduler.schedule(work, delay, state);
        actions.push(a);
        return a;
      }) as SchedulerLike['schedule'],
    };
    const s = await start({ pingInterval: 23, pongTimeout: 47, scheduler });
    const a = await bot(s, 1001);
    const b = await bot(s, 1002);
    a.ws.on('ping', () => (pingsSeen += 1));
    await pings(a.ws, 2);
    a.ws.close();
    await s.waitForDisconnect(1001);
    const d = await deadBot(s, 1003);
    dead.push(d);
    await s.waitForDisconnect(1003);
    await s.close();
    await b.closed;
    // Handshake timers, periodic pings and pong deadlines of three connections.
    expect(pingsSeen).toBeGreaterThanOrEqual(2);
    expect(actions.length).toBeGreaterThanOrEqual(6);
    // An action still waiting to run is open and pending (one that ran and did not reschedule is not pending).
    expect(actions.filter((x) => !x.closed && (x as unknown as { pending: boolean }).pending).length).toBe(0);
  });
});
