import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { createFaultProxy, type FaultProxy } from '../reliability/lib/fault-proxy';

/**
 * test/reliability/FINDINGS.md F1: a frame written into a link that is already dead (half-open: nothing passes,
 * nothing closes) must never be lost silently. With `confirmDelivery: 'ack'` a send that resolved
 * arrived; with the default `'write'` a send resolves on write and, if its link dies before the
 * server confirmed it, the frame is reported on `errors$` (`ONEBOT_DELIVERY_UNKNOWN`, `data.frames`).
 */

let server: ReferenceServer;
let proxy: FaultProxy;
let client: OneBotClient;

beforeEach(async () => {
  server = await createReferenceServer({ port: 0 });
  proxy = await createFaultProxy({ targetPort: server.port });
});
afterEach(async () => {
  await client.disconnect();
  await proxy.close();
  await server.close();
});

const halfOpenThenBack = async (confirmDelivery: 'ack' | 'write') => {
  client = createClient({ url: proxy.url('/ws/'), selfId: 90001, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100, pingInterval: 100, pongTimeout: 100, confirmDelivery });
  const reported: string[] = [];
  client.errors$.subscribe((e) => {
    if (e.code === 'ONEBOT_DELIVERY_UNKNOWN') reported.push(...(e.data.frames as string[]));
  });
  client.connect();
  const first = await server.waitForBot(90001);
  // The link goes silent; the server side notices after 300 ms (so the bot can come back).
  proxy.halfOpen({ releaseUpstreamAfterMs: 300 });
  const outcome = await client.sendText('n=1', 'private', { targetId: 1 }).then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  );
  // Back on a new connection.
  await server.waitFor(() => {
    const b = server.bot(90001);
    return b !== undefined && b.connectionId !== first.connectionId;
  }, 5000);
  const arrived = await server.waitForEvent((e) => e.selfId === 90001 && e.event.raw_message === 'n=1', 1000).then(
    () => true,
    () => false,
  );
  return { outcome, arrived, reported: reported.some((f) => f.includes('"n=1"')) };
};

test("'ack': a send that resolved on a half-open link arrived; one that did not arrive was rejected and reported", async () => {
  const { outcome, arrived, reported } = await halfOpenThenBack('ack');
  if (outcome === 'resolved') expect(arrived).toBe(true);
  else expect(reported).toBe(true);
});

test("'write' (the default): a frame written into a half-open link arrives or is reported on errors$ with its text, never lost silently", async () => {
  const { outcome, arrived, reported } = await halfOpenThenBack('write');
  expect(outcome).toBe('resolved');
  expect(arrived || reported).toBe(true);
});
