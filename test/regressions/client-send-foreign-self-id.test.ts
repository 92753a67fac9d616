import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { ErrorCode } from '../../src/protocol/errors';
import { silentLogger } from '../../src/logging/logger';

/**
 * test/reliability/FINDINGS.md F5: the client must only ever speak for its own `self_id`. `send()`
 * checks the frame's shape and size but not `self_id`, so an event carrying another account's
 * `self_id` (an object or pre-encoded text) is written to the socket as is.
 */

let server: ReferenceServer;
let client: OneBotClient;
beforeAll(async () => {
  server = await createReferenceServer({ port: 0 });
  client = createClient({ url: server.url, selfId: 90004, logger: silentLogger, heartbeatInterval: 0 });
  client.connect();
  await server.waitForBot(90004);
});
afterAll(async () => {
  await client.disconnect();
  await server.close();
});

test('send() rejects an event whose self_id is not the client’s', async () => {
  const foreign = { ...client.createTextMessage('forged', 'private', { targetId: 1 }), self_id: 99999 };
  await expect(client.send(foreign)).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
});

test('send() rejects pre-encoded event text whose self_id is not the client’s', async () => {
  const foreign = { ...client.createTextMessage('forged', 'private', { targetId: 1 }), self_id: 99999 };
  await expect(client.send(JSON.stringify(foreign))).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
});
