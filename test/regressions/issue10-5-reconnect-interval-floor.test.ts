import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createClient } from '../../src/client/create-client';
import { MIN_RECONNECT_INTERVAL } from '../../src/client/options';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { sleep } from './lib/peer';

/**
 * Issue 10, defect 5: `reconnectInterval: 0` was accepted and dialed about 390 times a second
 * against a server that closes at once.
 *
 * Now a `reconnectInterval` below the floor is refused by `createClient`, naming the option, and
 * the dial rate against a server that closes at once stays at most 1000 / reconnectInterval a second.
 */

test.each([0, -1, 1, 50, MIN_RECONNECT_INTERVAL - 1, Number.NaN])('issue 10 (5): reconnectInterval %p is refused at createClient, naming the option', (value) => {
  expect(() => createClient({ url: 'ws://127.0.0.1:9/ws/', reconnectInterval: value })).toThrow(/option reconnectInterval must be a finite number >= 100/);
});

test('issue 10 (5): the floor itself is accepted, with or without backoff', () => {
  expect(() => createClient({ url: 'ws://127.0.0.1:9/ws/', reconnectInterval: MIN_RECONNECT_INTERVAL })).not.toThrow();
  expect(() => createClient({ url: 'ws://127.0.0.1:9/ws/', reconnectInterval: MIN_RECONNECT_INTERVAL, backoff: { jitter: 1 } })).not.toThrow();
});

/** Servers that end every connection at once, counting the dials. */
const closers = {
  'closes every WebSocket at once (close frame)': async (): Promise<{ url: string; dials: () => number; close: () => Promise<void> }> => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    let dials = 0;
    wss.on('connection', (ws) => {
      dials++;
      ws.close(1000, 'go away');
    });
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/`, dials: () => dials, close: () => new Promise((r) => wss.close(() => r())) };
  },
  'drops every TCP connection at once (no upgrade)': async (): Promise<{ url: string; dials: () => number; close: () => Promise<void> }> => {
    let dials = 0;
    const server: Server = createServer((s: Socket) => {
      dials++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/`, dials: () => dials, close: () => new Promise((r) => server.close(() => r())) };
  },
};

let client: OneBotClient | undefined;
afterEach(async () => {
  await client?.disconnect();
  client = undefined;
});

const dialCases = (Object.keys(closers) as (keyof typeof closers)[]).flatMap((kind) => [MIN_RECONNECT_INTERVAL, 250].map((interval) => [kind, interval] as const));

test.each(dialCases)('issue 10 (5): against a server that %s, reconnectInterval %p: at most 1000 / reconnectInterval dials a second', async (kind, interval) => {
  const server = await closers[kind]();
  try {
    const WINDOW = 1500;
    client = createClient({ url: server.url, logger: silentLogger, reconnectInterval: interval, minUptime: 10_000 });
    client.connect();
    await sleep(WINDOW);
    const dials = server.dials();
    await client.disconnect();
    // The first dial, then one per reconnectInterval at most (each redial waits the full interval).
    expect(dials).toBeLessThanOrEqual(1 + Math.floor(WINDOW / interval));
    // And it does keep redialing.
    expect(dials).toBeGreaterThanOrEqual(3);
  } finally {
    await server.close();
  }
});
