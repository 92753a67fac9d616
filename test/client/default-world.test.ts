import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import type { SentMessage } from '../../src/client/builtins';
import { silentLogger } from '../../src/logging/logger';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';

/** createClient answers from a simulated world out of the box (get_msg works with no extra code). */

let server: ReferenceServer;
const clients: OneBotClient[] = [];
beforeEach(async () => {
  server = await createReferenceServer({ port: 0 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await server.close();
});

const start = async (selfId: number, extra: Partial<Parameters<typeof createClient>[0]> = {}) => {
  const client = createClient({ url: server.url, selfId, logger: silentLogger, heartbeatInterval: 0, ...extra });
  clients.push(client);
  client.connect();
  await server.waitForBot(selfId);
  return client;
};

test('a message the bot sent can be fetched with get_msg, and sent$ still reports it', async () => {
  const client = await start(81001);
  const sent: SentMessage[] = [];
  client.sent$.subscribe((m) => sent.push(m));
  const answer = await server.callApi(81001, 'send_group_msg', { group_id: 5, message: 'hi [CQ:face,id=178]' });
  const id = (answer.data as { message_id: number }).message_id;
  const got = await server.callApi(81001, 'get_msg', { message_id: id });
  expect(got).toMatchObject({ retcode: 0, data: { message_id: id, message: [{ type: 'text', data: { text: 'hi ' } }, { type: 'face', data: { id: '178' } }] } });
  expect(sent.map((m) => [m.messageType, m.groupId, m.messageId, m.rawMessage])).toEqual([['group', 5, id, 'hi [CQ:face,id=178]']]);
});

test('the world option declares members; group management changes the world and emits its notice', async () => {
  const client = await start(81002, { world: { groups: [{ group_id: 9, members: [{ user_id: 81002, role: 'owner' }, { user_id: 7, role: 'member', card: 'Seven' }] }] } });
  const notices: unknown[] = [];
  client.events$.subscribe((e) => notices.push(e));
  expect((await server.callApi(81002, 'get_group_member_info', { group_id: 9, user_id: 7 })).data).toMatchObject({ card: 'Seven', role: 'member' });
  expect((await server.callApi(81002, 'set_group_admin', { group_id: 9, user_id: 7, enable: true })).retcode).toBe(0);
  expect((await server.callApi(81002, 'get_group_member_info', { group_id: 9, user_id: 7 })).data).toMatchObject({ role: 'admin' });
  const notice = await server.waitForEvent((e) => e.event.post_type === 'notice');
  expect(notice.event).toMatchObject({ notice_type: 'group_admin', sub_type: 'set', group_id: 9, user_id: 7 });
});

test('world: false keeps the plain built-ins; a handler registered before the first call wins over the world', async () => {
  const plain = await start(81003, { world: false });
  expect((await server.callApi(81003, 'get_msg', { message_id: 1 })).retcode).toBe(1404);
  const mine = createClient({ url: server.url, selfId: 81004, logger: silentLogger, heartbeatInterval: 0 });
  clients.push(mine);
  mine.handle('get_msg', () => ({ mine: true }));
  mine.connect();
  await server.waitForBot(81004);
  expect((await server.callApi(81004, 'get_msg', { message_id: 1 })).data).toEqual({ mine: true });
  expect(plain.selfId).toBe(81003);
});
