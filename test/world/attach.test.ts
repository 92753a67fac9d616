import { VirtualTimeScheduler } from 'rxjs';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode } from '../../src/protocol/errors';
import { segment } from '../../src/protocol/segment';
import { attachWorld } from '../../src/world/attach';
import { simulate, type Simulation } from '../../src/world/conversation';
import { expectReply, replyProblems } from '../../src/world/expect';
import { createWorld, type WorldOptions } from '../../src/world/world';

/**
 * The world plugged into a real client through its public API, with the reference server standing
 * in for the application (it receives the events and calls the APIs), on 127.0.0.1, port 0.
 */

const BOT = 10001;
const GROUP = 30001;
const servers: ReferenceServer[] = [];
const clients: OneBotClient[] = [];
const sims: Simulation[] = [];

const worldSpec = {
  bot: { user_id: BOT, nickname: 'Bot' },
  friends: [{ user_id: 20001, nickname: 'Alice' }],
  groups: [{ group_id: GROUP, group_name: 'G', members: [{ user_id: BOT, role: 'admin' }, { user_id: 20001, role: 'owner' }, { user_id: 20002, nickname: 'Bob' }] }],
};

const setup = async (worldOptions: WorldOptions = {}) => {
  const server = await createReferenceServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  const client = createClient({ url: server.url, selfId: BOT, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 200, world: false });
  clients.push(client);
  const world = createWorld(worldSpec, { now: () => 1_700_000_000_000, ...worldOptions });
  return { server, client, world };
};

afterEach(async () => {
  for (const s of sims.splice(0)) s.close();
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('attachWorld', () => {
  it('answers the application from the world: get_login_info, member info, get_msg of what a user said', async () => {
    const { server, client, world } = await setup();
    const attachment = attachWorld(client, world);
    client.connect();
    await server.waitForBot(BOT);
    expect((await server.callApi(BOT, 'get_login_info')).data).toEqual({ user_id: BOT, nickname: 'Bot' });
    expect((await server.callApi(BOT, 'get_group_member_info', { group_id: String(GROUP), user_id: 20001 })).data).toMatchObject({ role: 'owner', nickname: 'Alice' });
    const said = await attachment.say(20002, { groupId: GROUP }, 'hello');
    const received = await server.waitForEvent((e) => e.event.post_type === 'message');
    expect(received.event).toMatchObject({ message_type: 'group', message_id: said.stored.message_id, group_id: GROUP, user_id: 20002, sender: { nickname: 'Bob', role: 'member' } });
    expect((await server.callApi(BOT, 'get_msg', { message_id: said.stored.message_id })).data).toMatchObject({ message: [segment.text('hello')], sender: { user_id: 20002 } });
  });

  it('stores what the bot sends, and delete_msg sends the recall notice to the application', async () => {
    const { server, client, world } = await setup();
    const attachment = attachWorld(client, world);
    const sent: number[] = [];
    attachment.botMessages$.subscribe((m) => sent.push(m.stored.message_id));
    client.connect();
    await server.waitForBot(BOT);
    const requests: unknown[] = [];
    attachment.botMessages$.subscribe((m) => requests.push(m.request));
    const r = await server.callApi(BOT, 'send_group_msg', { group_id: GROUP, message: 'to be recalled' });
    const id = (r.data as { message_id: number }).message_id;
    expect(sent).toEqual([id]);
    expect(requests).toEqual([expect.objectContaining({ action: 'send_group_msg', params: expect.objectContaining({ group_id: GROUP, message: 'to be recalled' }) })]);
    expect((await server.callApi(BOT, 'delete_msg', { message_id: id })).status).toBe('ok');
    const recall = await server.waitForEvent((e) => e.event.post_type === 'notice');
    expect(recall.event).toMatchObject({ notice_type: 'group_recall', group_id: GROUP, user_id: BOT, operator_id: BOT, message_id: id });
    const gone = await server.callApi(BOT, 'get_msg', { message_id: id });
    expect(gone).toMatchObject({ status: 'failed', retcode: 100, data: null });
    expect(gone.message).toContain(`message ${id} not found`);
  });

  it('refusals answer retcode 100 with the reason; management notices reach the application', async () => {
    const { server, client, world } = await setup();
    attachWorld(client, world);
    client.connect();
    await server.waitForBot(BOT);
    expect(await server.callApi(BOT, 'set_group_kick', { group_id: GROUP, user_id: 20001 })).toMatchObject({ status: 'failed', retcode: 100, message: 'user 10001 (admin) may not kick user 20001 (owner) in group 30001' });
    expect((await server.callApi(BOT, 'set_group_ban', { group_id: GROUP, user_id: 20002, duration: 60 })).status).toBe('ok');
    expect((await server.waitForEvent((e) => e.event.post_type === 'notice')).event).toMatchObject({ notice_type: 'group_ban', sub_type: 'ban', user_id: 20002, duration: 60 });
  });

  it('a handler registered later overrides the world; detaching restores the built-ins', async () => {
    const { server, client, world } = await setup();
    const detach = attachWorld(client, world);
    const undo = client.handle('get_friend_list', () => [{ user_id: 1, nickname: 'mine', remark: '' }]);
    client.connect();
    await server.waitForBot(BOT);
    expect((await server.callApi(BOT, 'get_friend_list')).data).toEqual([{ user_id: 1, nickname: 'mine', remark: '' }]);
    undo();
    expect((await server.callApi(BOT, 'get_friend_list')).data).toEqual([{ user_id: 20001, nickname: 'Alice', remark: '' }]);
    detach();
    expect(detach.detached).toBe(true);
    expect((await server.callApi(BOT, 'get_msg', { message_id: 1 })).retcode).toBe(1404);
    expect((await server.callApi(BOT, 'get_login_info')).data).toEqual({ user_id: BOT, nickname: expect.any(String) });
  });

  it('except leaves actions to the client', async () => {
    const { server, client, world } = await setup();
    attachWorld(client, world, { except: ['get_msg'] });
    client.connect();
    await server.waitForBot(BOT);
    expect((await server.callApi(BOT, 'get_msg', { message_id: 1 })).retcode).toBe(1404);
  });

  it('refuses a world whose bot is not the client', async () => {
    const { client } = await setup();
    expect(() => attachWorld(client, createWorld({ bot: { user_id: 1 } }))).toThrow(expect.objectContaining({ code: ErrorCode.InvalidWorld }));
  });
});

/** A tiny application on the reference server: `/echo X` in a group answers X quoting the command. */
const echoApp = (server: ReferenceServer) =>
  server.on('event', ({ event }) => {
    if (event.post_type !== 'message') return;
    const e = event as unknown as { message_type: string; group_id?: number; user_id: number; message_id: number; raw_message: string };
    const text = e.raw_message.replace(/^\[CQ:reply,id=\d+\]/, '');
    if (!text.startsWith('/echo ')) return;
    const params = e.message_type === 'group' ? { group_id: e.group_id } : { user_id: e.user_id };
    void server.callApi(BOT, e.message_type === 'group' ? 'send_group_msg' : 'send_private_msg', { ...params, message: [segment.reply(e.message_id), segment.text(text.slice(6))] });
  });

describe('scripted conversations', () => {
  it('a member asks, the test gets the typed reply with its text, segments and quote', async () => {
    const { server, client, world } = await setup();
    echoApp(server);
    const sim = simulate(client, world);
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    const bob = sim.member(GROUP, 20002);
    const reply = await bob.ask('/echo hi there', { within: 3000 });
    expect(reply.text).toBe('hi there');
    expect(reply.chat).toEqual({ groupId: GROUP });
    expect(reply.segments).toEqual([segment.reply(1), segment.text('hi there')]);
    expect(reply.quote).toMatchObject({ message_id: 1, user_id: 20002 });
    expectReply(reply, { text: 'hi there', quotes: 1, segments: [{ type: 'reply' }, { type: 'text', data: { text: 'hi there' } }] });
    expect(replyProblems(reply, { regex: '^bye', mentions: [20002] })).toEqual(['text: expected to match /^bye/, got "hi there"', 'mentions: expected @20002, got none']);
  });

  it('quoting an earlier message puts a reply segment first; friends talk privately', async () => {
    const { server, client, world } = await setup();
    echoApp(server);
    const sim = simulate(client, world);
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    const alice = sim.friend(20001);
    const first = await alice.say('remember this');
    const said = await alice.say('/echo quoted', { quote: first });
    expect(said.stored.message).toEqual([segment.reply(first.stored.message_id), segment.text('/echo quoted')]);
    const reply = await alice.nextReply();
    expect(reply.chat).toEqual({ userId: 20001 });
    expect(reply.text).toBe('quoted');
  });

  it('a reply that came before the test asked is not missed; other chats do not mix in', async () => {
    const { server, client, world } = await setup();
    const sim = simulate(client, world);
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    await server.callApi(BOT, 'send_private_msg', { user_id: 20001, message: 'private' });
    await server.callApi(BOT, 'send_group_msg', { group_id: GROUP, message: 'group' });
    expect((await sim.member(GROUP, 20002).nextReply()).text).toBe('group');
    expect((await sim.friend(20001).nextReply()).text).toBe('private');
  });

  it('reply queues are bounded per chat (oldest dropped, counted) and empty chats are forgotten', async () => {
    const { server, client, world } = await setup();
    const sim = simulate(client, world, { maxPendingReplies: 2 });
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    for (const text of ['a', 'b', 'c']) await server.callApi(BOT, 'send_group_msg', { group_id: GROUP, message: text });
    for (let user = 1; user <= 5; user++) await server.callApi(BOT, 'send_private_msg', { user_id: 40000 + user, message: 'x' });
    expect(sim.dropped).toBe(1);
    expect(sim.pendingChats).toBe(6);
    const bob = sim.member(GROUP, 20002);
    expect((await bob.nextReply()).text).toBe('b');
    expect((await bob.nextReply()).text).toBe('c');
    for (let user = 1; user <= 5; user++) await sim.friend(40000 + user).nextReply();
    expect(sim.pendingChats).toBe(0);
  });

  it('time limits run on the injected scheduler: no reply rejects ONEBOT_REPLY_TIMEOUT, silence passes expectNoReply', async () => {
    const { server, client, world } = await setup();
    const scheduler = new VirtualTimeScheduler();
    const sim = simulate(client, world, { scheduler });
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    const bob = sim.member(GROUP, 20002);
    const waiting = bob.nextReply({ within: 60_000 });
    const silent = bob.expectNoReply({ within: 1000 });
    scheduler.flush(); // virtual time: a minute passes at once
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ReplyTimeout, message: `no reply from the bot in group ${GROUP} within 60000 ms` });
    await expect(silent).resolves.toBeUndefined();
    await server.callApi(BOT, 'send_group_msg', { group_id: GROUP, message: 'late' });
    const noisy = bob.expectNoReply({ within: 1000 });
    await expect(noisy).rejects.toMatchObject({ code: ErrorCode.UnexpectedReply });
  });

  it('ids and times are deterministic under an injected clock', async () => {
    const run = async () => {
      const { server, client, world } = await setup();
      echoApp(server);
      const sim = simulate(client, world);
      sims.push(sim);
      client.connect();
      await server.waitForBot(BOT);
      const bob = sim.member(GROUP, 20002);
      const r1 = await bob.ask('/echo a');
      const r2 = await bob.ask('/echo b');
      return [r1.stored, r2.stored];
    };
    expect(await run()).toEqual(await run());
  });

  it('members join, poke and recall: the application receives the notices', async () => {
    const { server, client, world } = await setup();
    const sim = simulate(client, world);
    sims.push(sim);
    client.connect();
    await server.waitForBot(BOT);
    const bob = sim.member(GROUP, 20002);
    await sim.perform((w) => w.join(GROUP, 20005));
    await bob.poke();
    const said = await bob.say('oops');
    await bob.recall(said);
    await server.waitFor(() => server.events(BOT).filter((e) => e.event.post_type === 'notice').length >= 3);
    expect(server.events(BOT).filter((e) => e.event.post_type === 'notice').map((e) => [e.event.notice_type, e.event.sub_type])).toEqual([
      ['group_increase', 'approve'],
      ['notify', 'poke'],
      ['group_recall', undefined],
    ]);
  });
});
