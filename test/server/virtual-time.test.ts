import WebSocket from 'ws';
import { VirtualTimeScheduler } from 'rxjs';
import { createReferenceServer, ServerCloseCode, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server';
import { createConnectEvent } from '../../src/protocol/builders';
import { closePeers, open } from './helpers';

/**
 * Every server timer runs on the `scheduler` option: with a virtual one, a test moves time by
 * flushing it (real sockets, no waiting). `maxFrames` bounds how far a flush goes, since the
 * periodic pings would otherwise reschedule forever.
 */

const servers: ReferenceServer[] = [];
const start = async (opts: ReferenceServerOptions): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, ...opts });
  servers.push(s);
  return s;
};
afterEach(async () => {
  closePeers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

test('a minute-long handshake timeout passes in virtual time', async () => {
  const scheduler = new VirtualTimeScheduler();
  const s = await start({ scheduler, pingInterval: 0, handshakeTimeout: 60_000 });
  const p = await open(s.url);
  scheduler.flush();
  expect(await p.closed).toEqual({ code: ServerCloseCode.HandshakeTimeout, reason: 'handshake timeout: no lifecycle connect event within 60000 ms' });
});

test('a bot that never answers pings is dropped at pingInterval + pongTimeout of virtual time', async () => {
  const scheduler = new VirtualTimeScheduler(undefined, 40_000);
  const s = await start({ scheduler, pingInterval: 15_000, pongTimeout: 10_000 });
  const ws = new WebSocket(s.url, { headers: { 'X-Self-ID': '4242' }, autoPong: false });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify(createConnectEvent(4242)));
  await s.waitForBot(4242);
  const pinged = new Promise((r) => ws.once('ping', r));
  scheduler.flush(); // up to virtual 40 s: ping at 15 s, no pong, terminated at 25 s
  await pinged;
  const rec = await s.waitForDisconnect(4242);
  expect(rec).toMatchObject({ closedBy: 'server', closeCode: 1006, closeReason: 'no pong within 10000 ms' });
  expect(scheduler.now()).toBeLessThanOrEqual(40_000);
  expect(s.stats().pongTimeouts).toBe(1);
  ws.terminate();
});
