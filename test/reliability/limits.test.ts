import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { silentLogger } from '../../src/logging/logger';
import { figure } from './lib/figures';
import { sizes } from './lib/mode';

/** maxPayload both ways, the outbox bound, handler timeouts, thousands of concurrent API calls. */

let server: ReferenceServer;
const clients: OneBotClient[] = [];

beforeAll(async () => {
  server = await createReferenceServer({ port: 0 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await server.close();
});

const start = async (selfId: number, extra: Partial<Parameters<typeof createClient>[0]> = {}): Promise<{ client: OneBotClient; errors: OneBotError[] }> => {
  const client = createClient({ url: server.url, selfId, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100, ...extra });
  clients.push(client);
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  client.connect();
  await server.waitForBot(selfId);
  return { client, errors };
};

test('maxPayload, outgoing: the client refuses an oversize frame with FrameTooLarge and stays connected', async () => {
  const { client } = await start(60001, { maxPayload: 64 * 1024 });
  const connection = server.bot(60001)!.connectionId;
  const big = client.createTextMessage('x'.repeat(64 * 1024), 'private', { targetId: 1 });
  await expect(client.send(big)).rejects.toMatchObject({ code: ErrorCode.FrameTooLarge });
  // Multi-byte text is measured in UTF-8 bytes, not UTF-16 units.
  await expect(client.sendText('é'.repeat(40 * 1024), 'private', { targetId: 1 })).rejects.toMatchObject({ code: ErrorCode.FrameTooLarge });
  await client.sendText('small after big', 'private', { targetId: 1 });
  await server.waitForEvent((e) => e.selfId === 60001 && e.event.raw_message === 'small after big', 5000);
  expect(server.bot(60001)?.connectionId).toBe(connection);
});

test('maxPayload, incoming: an oversize server frame is reported (FrameTooLarge), the link stays up', async () => {
  const { errors } = await start(60002, { maxPayload: 64 * 1024 });
  const connection = server.bot(60002)!.connectionId;
  server.sendRaw(60002, JSON.stringify({ action: 'get_status', echo: 'big', params: { pad: 'y'.repeat(100 * 1024) } }));
  const r = await server.callApi(60002, 'get_status', {}, { timeout: 5000 });
  expect(r.retcode).toBe(0);
  expect(errors.map((e) => e.code)).toEqual([ErrorCode.FrameTooLarge]);
  expect(errors[0]!.message).toMatch(/^frame too large: (at least )?\d+ bytes, maxPayload is 65536$/);
  expect(server.bot(60002)?.connectionId).toBe(connection);
});

test('outbox bound: sends beyond outboxLimit are rejected with OutboxOverflow (and reported); the queued ones arrive in order', async () => {
  const client = createClient({ url: server.url, selfId: 60003, logger: silentLogger, heartbeatInterval: 0, outboxLimit: 10 });
  clients.push(client);
  const reported: string[] = [];
  client.errors$.subscribe((e) => reported.push(e.code));
  // Not connected yet: everything waits in the outbox.
  const queued = Array.from({ length: 10 }, (_, i) => client.sendText(`q=${i}`, 'private', { targetId: 1 }));
  await expect(client.sendText('q=overflow', 'private', { targetId: 1 })).rejects.toMatchObject({ code: ErrorCode.OutboxOverflow, data: { outboxLimit: 10 } });
  expect(reported).toEqual([ErrorCode.OutboxOverflow]);
  client.connect();
  await Promise.all(queued);
  await server.waitFor(() => server.events(60003).filter((e) => e.event.post_type === 'message').length === 10, 5000);
  const texts = server.events(60003).filter((e) => e.event.post_type === 'message').map((e) => e.event.raw_message);
  expect(texts).toEqual(Array.from({ length: 10 }, (_, i) => `q=${i}`));
});

test('a handler that never returns is answered with a timeout failure, not left pending', async () => {
  const { client, errors } = await start(60004, { apiTimeout: 300 });
  client.handle('get_friend_list', () => new Promise(() => undefined));
  const t0 = Date.now();
  const r = await server.callApi(60004, 'get_friend_list', {}, { timeout: 5000 });
  expect(Date.now() - t0).toBeLessThan(3000);
  expect(r.status).toBe('failed');
  expect(r.retcode).not.toBe(0);
  expect(r.message).toMatch(/did not answer within 300 ms/);
  expect(errors.map((e) => e.code)).toContain(ErrorCode.HandlerTimeout);
});

test(`${sizes.concurrentCalls} concurrent API calls, answered out of order, are matched by echo: none lost or mismatched`, async () => {
  const { client } = await start(60005);
  // Answers come back in a scrambled order: each handler waits a pseudo-random time.
  client.handle('zz_double', (params) => {
    const x = (params as { x: number }).x;
    return new Promise((resolve) => setTimeout(() => resolve({ x, double: x * 2 }), (x * 7919) % 50));
  });
  for (const echoStyle of ['string', 'number', 'object'] as const) {
    const n = sizes.concurrentCalls;
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: n }, (_, x) => server.callApi(60005, 'zz_double', { x }, { timeout: 30_000, echoStyle })),
    );
    let mismatched = 0;
    results.forEach((r, x) => {
      if (r.retcode !== 0 || (r.data as { x: number; double: number }).x !== x || (r.data as { double: number }).double !== 2 * x) mismatched++;
    });
    expect(results).toHaveLength(n);
    expect(mismatched).toBe(0);
    figure('limits', `concurrent API calls (echo ${echoStyle}): answered / mismatched`, `${results.length} / ${mismatched} in ${Date.now() - t0} ms`);
  }
});
