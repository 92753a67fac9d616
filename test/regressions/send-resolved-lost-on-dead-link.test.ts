import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { createFaultProxy, type FaultProxy } from '../reliability/lib/fault-proxy';

/**
 * test/reliability/FINDINGS.md F1: a `send()` that resolved must arrive, or be rejected. Today `send()`
 * resolves once the frame is handed to the socket, so a frame written into a link that is already
 * dead (half-open: nothing passes, nothing closes) resolves and is lost. The reliability run loses
 * resolved messages on every fault kind (hundreds per half-open at 500 msg/s).
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

test('a send that resolved on a half-open link arrives after the reconnect (or the send rejects)', async () => {
  client = createClient({ url: proxy.url('/ws/'), selfId: 90001, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 50, pingInterval: 100, pongTimeout: 100 });
  client.connect();
  const first = await server.waitForBot(90001);
  // The link goes silent; the server side notices after 300 ms (so the bot can come back).
  proxy.halfOpen({ releaseUpstreamAfterMs: 300 });
  const outcome = await client.sendText('n=1', 'private', { targetId: 1 }).then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  );
  // Back on a new connection.
  await server.waitFor(() => { const b = server.bot(90001); return b !== undefined && b.connectionId !== first.connectionId; }, 5000);
  if (outcome === 'resolved') {
    await server.waitForEvent((e) => e.selfId === 90001 && e.event.raw_message === 'n=1', 2000);
  }
});
