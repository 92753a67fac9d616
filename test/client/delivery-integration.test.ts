import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { isOneBotError } from '../../src/protocol/errors';

/** `confirmDelivery: 'ack'` with the real `ws` socket against the reference server on 127.0.0.1. */

let server: ReferenceServer;
let client: OneBotClient;

beforeEach(async () => {
  server = await createReferenceServer({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await client?.disconnect();
  await server.close();
});

const texts = (selfId: number): string[] =>
  server
    .events(selfId)
    .map((e) => (e.event as { raw_message?: unknown }).raw_message)
    .filter((t): t is string => typeof t === 'string');

test('a send resolves only after the server has read it: at resolve time the server already holds it', async () => {
  client = createClient({ url: server.url, selfId: 70001, logger: silentLogger, heartbeatInterval: 0, confirmDelivery: 'ack' });
  client.connect();
  await server.waitForBot(70001);
  const notYetThere: string[] = [];
  await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      client.sendText(`m${i}`, 'group', { groupId: 1 }).then(() => {
        if (!texts(70001).includes(`m${i}`)) notYetThere.push(`m${i}`);
      }),
    ),
  );
  expect(notYetThere).toEqual([]);
  expect(texts(70001)).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
});

test('a clean close by the server mid-stream: resolved sends arrived once and in order, the rest were rejected with a OneBotError', async () => {
  client = createClient({ url: server.url, selfId: 70002, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100, confirmDelivery: 'ack' });
  client.connect();
  await server.waitForBot(70002);
  const resolved: number[] = [];
  const rejected: string[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < 2000; i++) {
    all.push(
      client.sendText(`n=${i}`, 'private', { targetId: 1 }).then(
        () => void resolved.push(i),
        (e: unknown) => void rejected.push(isOneBotError(e) ? e.code : String(e)),
      ),
    );
    if (i === 700) void server.kick(70002);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(all);
  const arrived = texts(70002).map((t) => Number(t.slice(2)));
  expect(new Set(arrived).size).toBe(arrived.length);
  expect(arrived.filter((n, k) => k > 0 && n <= arrived[k - 1]!)).toEqual([]);
  expect(resolved.filter((n) => !arrived.includes(n))).toEqual([]);
  expect(resolved.length + rejected.length).toBe(2000);
  for (const code of rejected) expect(code).toMatch(/^ONEBOT_/);
});
