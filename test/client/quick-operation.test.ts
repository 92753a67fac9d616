/**
 * docs/protocol.md §3.7 / §5.3: `.handle_quick_operation` (aiocqhttp sends `.handle_quick_operation_async`
 * for every handler that returns a dict). The built-in sends the `reply` like `send_msg`.
 */
import { firstValueFrom } from 'rxjs';
import { take, timeout, toArray } from 'rxjs/operators';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';

let server: ReferenceServer;
let client: OneBotClient;
const SELF = 31337;

beforeAll(async () => {
  server = await createReferenceServer({ port: 0 });
  client = createClient({ url: server.url, selfId: SELF, logger: silentLogger, heartbeatInterval: 0 });
  client.connect();
  await server.waitForBot(SELF, 5000);
});
afterAll(async () => {
  await client.disconnect();
  await server.close();
});

const groupContext = { post_type: 'message', message_type: 'group', group_id: 5005, user_id: 7007, message_id: 1, anonymous: null };

describe('.handle_quick_operation', () => {
  it('answers the _async form at once (status async, retcode 1, echo verbatim) and replies to the group with an @ of the sender', async () => {
    const sent = firstValueFrom(client.sent$.pipe(take(1), timeout(5000)));
    const answer = await server.callApi(SELF, '.handle_quick_operation_async', { context: groupContext, operation: { reply: 'hello [x]' } });
    expect(answer).toMatchObject({ status: 'async', retcode: 1, data: null });
    const m = await sent;
    expect(m).toMatchObject({ action: '.handle_quick_operation_async', messageType: 'group', groupId: 5005, userId: 7007 });
    expect(m.message).toEqual([
      { type: 'at', data: { qq: '7007' } },
      { type: 'text', data: { text: ' ' } },
      { type: 'text', data: { text: 'hello [x]' } },
    ]);
    expect(m.rawMessage).toBe('[CQ:at,qq=7007] hello &#91;x&#93;');
  });

  it('at_sender: false, auto_escape and anonymous senders: no @', async () => {
    const collected = firstValueFrom(client.sent$.pipe(take(2), toArray(), timeout(5000)));
    await server.callApi(SELF, '.handle_quick_operation', { context: groupContext, operation: { reply: '[CQ:face,id=1]', at_sender: false, auto_escape: true } });
    await server.callApi(SELF, '.handle_quick_operation', { context: { ...groupContext, anonymous: { id: 1, name: 'a', flag: 'f' } }, operation: { reply: 'hi' } });
    const [plain, anon] = await collected;
    expect(plain!.message).toEqual([{ type: 'text', data: { text: '[CQ:face,id=1]' } }]);
    expect(anon!.message).toEqual([{ type: 'text', data: { text: 'hi' } }]);
  });

  it('replies to the sender of a private message', async () => {
    const sent = firstValueFrom(client.sent$.pipe(take(1), timeout(5000)));
    const answer = await server.callApi(SELF, '.handle_quick_operation', {
      context: { post_type: 'message', message_type: 'private', user_id: 8008 },
      operation: { reply: [{ type: 'face', data: { id: '178' } }] },
    });
    expect(answer).toMatchObject({ status: 'ok', retcode: 0, data: null });
    expect(await sent).toMatchObject({ messageType: 'private', userId: 8008, groupId: undefined, rawMessage: '[CQ:face,id=178]' });
  });

  it('accepts operations without a reply, and notices/requests, doing nothing', async () => {
    let count = 0;
    const sub = client.sent$.subscribe(() => count++);
    const a = await server.callApi(SELF, '.handle_quick_operation', { context: groupContext, operation: { ban: true, delete: true } });
    const b = await server.callApi(SELF, '.handle_quick_operation', { context: { post_type: 'request', request_type: 'friend', flag: 'f' }, operation: { approve: true } });
    sub.unsubscribe();
    expect([a.retcode, b.retcode]).toEqual([0, 0]);
    expect(count).toBe(0);
  });

  it('a reply without the id it needs is a 1400, not a crash', async () => {
    const answer = await server.callApi(SELF, '.handle_quick_operation', { context: { post_type: 'message', message_type: 'group' }, operation: { reply: 'x' } });
    expect(answer).toMatchObject({ status: 'failed', retcode: 1400 });
    expect(answer.message).toContain('context.group_id');
  });
});
