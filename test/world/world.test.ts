import * as fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { decodeWith } from '../../src/protocol/codecs/common';
import { ApiActions } from '../../src/protocol/codecs/api';
import { NoticeEvent, OneBotEvent } from '../../src/protocol/codecs/events';
import { ErrorCode } from '../../src/protocol/errors';
import { segment } from '../../src/protocol/segment';
import { decodeWorldSpec } from '../../src/world/spec';
import { WorldError, createWorld, loadWorld, type World } from '../../src/world/world';
import { runWorldAction } from '../../src/world/actions';

const BOT = 10001;
const GROUP = 30001;
const now = () => 1_700_000_000_000;
const spec = {
  bot: { user_id: BOT, nickname: 'Bot' },
  users: [{ user_id: 20001, nickname: 'Alice', sex: 'female', age: 20 }],
  friends: [{ user_id: 20001, remark: 'A' }],
  groups: [
    {
      group_id: GROUP,
      group_name: 'Test group',
      members: [
        { user_id: BOT, role: 'admin' },
        { user_id: 20001, role: 'owner', card: 'Boss', join_time: 1600000000 },
        { user_id: 20002, nickname: 'Bob' },
        { user_id: 20003, nickname: 'Carol', role: 'admin' },
      ],
    },
  ],
};
const world = (extra: Record<string, unknown> = {}, opts = {}): World => createWorld({ ...spec, ...extra }, { now, ...opts });

/** Runs an action the way the client glue does: params through the ApiActions codec first. */
const call = (w: World, action: keyof typeof ApiActions, params: Record<string, unknown> = {}) => {
  const decoded = ApiActions[action].params.decode(params);
  if (E.isLeft(decoded)) throw new Error(`bad params for ${action}`);
  const out = runWorldAction(w, action, decoded.right as Record<string, unknown>);
  if (out === undefined) throw new Error(`no world action ${action}`);
  // Every answer must match the action's result codec, every event the event codecs.
  expect(decodeWith(ApiActions[action].result as never, out.data)).toEqual(E.right(out.data));
  for (const e of out.events) expect(E.isRight(decodeWith(OneBotEvent, e))).toBe(true);
  return out;
};
const refusal = (f: () => unknown): WorldError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WorldError);
    expect((e as WorldError).code).toBe(ErrorCode.WorldRefused);
    expect((e as WorldError).data.retcode).toBe(100);
    return e as WorldError;
  }
  throw new Error('expected a refusal');
};

describe('world declaration (JSON, io-ts)', () => {
  it('fills defaults', () => {
    const r = decodeWorldSpec({ bot: { user_id: '10001' } });
    expect(r).toEqual(E.right({ bot: { user_id: 10001, nickname: 'onebot-rx' }, unknown: 'create', users: [], friends: [], groups: [], messages: [], forwards: [], next_message_id: 1, next_forward_id: 1 }));
  });

  it.each([
    ['a missing bot', {}, ['bot: expected BotSpec, got undefined (missing)']],
    ['a bad id', { bot: { user_id: 'x' } }, ['bot.user_id: expected NumberLike, got string "x"']],
    ['a bad role', { bot: { user_id: 1 }, groups: [{ group_id: 2, members: [{ user_id: 3, role: 'boss' }] }] }, ['groups.0.members.0.role: expected Role, got string "boss"']],
    ['a duplicate member', { bot: { user_id: 1 }, groups: [{ group_id: 2, members: [{ user_id: 3 }, { user_id: 3 }] }] }, ['groups.0.members.1: member 3 is already declared at groups.0.members.0']],
    ['two owners', { bot: { user_id: 1 }, groups: [{ group_id: 2, members: [{ user_id: 3, role: 'owner' }, { user_id: 4, role: 'owner' }] }] }, ['groups.0.members.1.role: group 2 already has an owner at groups.0.members.0']],
    ['conflicting nicknames', { bot: { user_id: 1 }, users: [{ user_id: 3, nickname: 'A' }], groups: [{ group_id: 2, members: [{ user_id: 3, nickname: 'B' }] }] }, ['groups.0.members.0.nickname: "B" conflicts with "A" declared at users.0.nickname']],
    ['the bot as friend', { bot: { user_id: 1 }, friends: [{ user_id: 1 }] }, ['friends.0.user_id: 1 is the bot itself']],
    ['an unknown policy', { bot: { user_id: 1 }, unknown: 'maybe' }, ['unknown: expected UnknownPolicy, got string "maybe"']],
  ])('rejects %s with a readable error', (_name, input, errors) => {
    expect(decodeWorldSpec(input)).toEqual(E.left(errors));
  });

  it('createWorld throws ONEBOT_INVALID_WORLD with the lines', () => {
    expect(() => createWorld({ bot: {} })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidWorld, data: { errors: ['bot.user_id: expected NumberLike, got undefined (missing)'] } }));
  });

  it('adds the bot to every group it does not list', () => {
    const w = createWorld({ bot: { user_id: 1 }, groups: [{ group_id: 2 }] }, { now });
    expect(w.memberInfo(2, 1)).toMatchObject({ role: 'member', join_time: 1_700_000_000 });
  });

  it('round-trips: toJSON → loadWorld → toJSON is the same JSON, after any activity', () => {
    const act = fc.oneof(
      fc.record({ k: fc.constant('say' as const), user: fc.constantFrom(20001, 20002, 20003, 20009), text: fc.string({ maxLength: 20 }), inGroup: fc.boolean() }),
      fc.record({ k: fc.constant('send' as const), text: fc.string({ maxLength: 20 }) }),
      fc.record({ k: fc.constant('card' as const), user: fc.constantFrom(20002, BOT), card: fc.string({ maxLength: 8 }) }),
      fc.record({ k: fc.constant('ban' as const), duration: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ k: fc.constant('forward' as const), text: fc.string({ maxLength: 10 }) }),
    );
    fc.assert(
      fc.property(fc.array(act, { maxLength: 25 }), fc.integer({ min: 1, max: 10 }), (acts, maxMessages) => {
        const w = world({}, { store: { maxMessages } });
        for (const a of acts) {
          try {
            if (a.k === 'say') w.say(a.user, a.inGroup ? { groupId: GROUP } : { userId: a.user }, a.text);
            else if (a.k === 'send') w.botSend({ groupId: GROUP }, [segment.text(a.text)]);
            else if (a.k === 'card') w.setCard(GROUP, a.user, a.card);
            else if (a.k === 'ban') w.ban(GROUP, 20002, a.duration);
            else w.sendForward({ groupId: GROUP }, [segment.customNode(20001, 'Alice', a.text)]);
          } catch (e) {
            if (!(e instanceof WorldError)) throw e;
          }
        }
        const json = JSON.parse(JSON.stringify(w.toJSON())) as unknown;
        const again = loadWorld(json, { now, store: { maxMessages } });
        expect(E.isRight(again)).toBe(true);
        expect(JSON.parse(JSON.stringify(E.isRight(again) && again.right.toJSON()))).toEqual(json);
      }),
    );
  });
});

describe('§5.2 information answered from the world', () => {
  const w = world();
  it.each([
    ['get_login_info', {}, { user_id: BOT, nickname: 'Bot' }],
    ['get_stranger_info', { user_id: 20001 }, { user_id: 20001, nickname: 'Alice', sex: 'female', age: 20 }],
    ['get_stranger_info', { user_id: 99999 }, { user_id: 99999, nickname: 'user99999', sex: 'unknown', age: 0 }],
    ['get_friend_list', {}, [{ user_id: 20001, nickname: 'Alice', remark: 'A' }]],
    ['get_group_info', { group_id: String(GROUP) }, { group_id: GROUP, group_name: 'Test group', member_count: 4, max_member_count: 500 }],
    ['get_group_list', {}, [{ group_id: GROUP, group_name: 'Test group', member_count: 4, max_member_count: 500 }]],
  ] as const)('%s %j', (action, params, data) => {
    expect(call(w, action, params).data).toEqual(data);
  });

  it('get_group_member_info: role, card, title, join time, profile', () => {
    expect(call(w, 'get_group_member_info', { group_id: GROUP, user_id: 20001 }).data).toEqual({
      group_id: GROUP, user_id: 20001, nickname: 'Alice', card: 'Boss', sex: 'female', age: 20, area: '', join_time: 1600000000, last_sent_time: 0,
      level: '', role: 'owner', unfriendly: false, title: '', title_expire_time: 0, card_changeable: false, shut_up_timestamp: 0,
    });
  });

  it('under the create policy (the default) a query about an unknown group or member makes it appear', () => {
    const fresh = world();
    expect(call(fresh, 'get_group_info', { group_id: 1 }).data).toEqual({ group_id: 1, group_name: 'group1', member_count: 1, max_member_count: 500 });
    expect(call(fresh, 'get_group_member_info', { group_id: GROUP, user_id: 5 }).data).toMatchObject({ group_id: GROUP, user_id: 5, role: 'member' });
  });

  it('get_group_member_list lists every member, the bot included', () => {
    expect((call(w, 'get_group_member_list', { group_id: GROUP }).data as Array<{ user_id: number }>).map((m) => m.user_id)).toEqual([BOT, 20001, 20002, 20003]);
  });

  it.each([
    ['get_group_info', { group_id: 1 }, 'no_such_group', 'group 1 not found (the bot is not in it)'],
    ['get_group_member_info', { group_id: GROUP, user_id: 5 }, 'no_such_member', `user 5 is not a member of group ${GROUP}`],
    ['get_msg', { message_id: 77 }, 'no_such_message', 'message 77 not found: never sent, recalled, or dropped from the message store (it keeps the newest 10000 messages / 16777216 bytes)'],
    ['get_forward_msg', { id: 'nope' }, 'no_such_message', 'forward nope not found: never sent, or dropped from the message store'],
  ] as const)('%s refuses %j (unknown groups and members under the reject policy)', (action, params, reason, message) => {
    const e = refusal(() => call(world({ unknown: 'reject' }), action, params));
    expect(e.data.reason).toBe(reason);
    expect(e.message).toBe(message);
  });

  it('get_stranger_info refuses an unknown user under the reject policy', () => {
    expect(refusal(() => call(world({ unknown: 'reject' }), 'get_stranger_info', { user_id: 5 })).data.reason).toBe('no_such_user');
  });
});

describe('§5.1 messages: ids, store, get_msg, delete_msg', () => {
  it('user and bot messages share one id sequence and are all stored', () => {
    const w = world();
    const said = w.say(20002, { groupId: GROUP }, 'hi [CQ:face,id=1]');
    expect(said.event).toMatchObject({ message_type: 'group', message_id: 1, group_id: GROUP, user_id: 20002, raw_message: 'hi [CQ:face,id=1]', sender: { nickname: 'Bob', role: 'member' } });
    const sent = call(w, 'send_group_msg', { group_id: GROUP, message: [segment.reply(1), segment.text('hello')] });
    expect(sent.data).toEqual({ message_id: 2 });
    expect(sent.sent[0]!.stored).toMatchObject({ message_id: 2, user_id: BOT, group_id: GROUP });
    expect(call(w, 'get_msg', { message_id: 2 }).data).toEqual({
      time: 1_700_000_000, message_type: 'group', message_id: 2, real_id: 2, user_id: BOT, group_id: GROUP, raw_message: '[CQ:reply,id=1]hello',
      sender: { user_id: BOT, nickname: 'Bot', card: '', sex: 'unknown', age: 0, area: '', level: '', role: 'admin', title: '' },
      message: [segment.reply(1), segment.text('hello')],
    });
    expect(call(w, 'get_msg', { message_id: '1' }).data).toMatchObject({ user_id: 20002, message: [segment.text('hi '), { type: 'face', data: { id: '1' } }] });
  });

  it.each([
    ['send_msg private', 'send_msg', { message_type: 'private', user_id: 20001, message: 'a&amp;b' }, { message_type: 'private', peer_id: 20001, message: [segment.text('a&b')] }],
    ['send_msg group (inferred)', 'send_msg', { group_id: GROUP, message: 'x' }, { message_type: 'group', group_id: GROUP }],
    ['send_private_msg auto_escape', 'send_private_msg', { user_id: 20001, message: '[CQ:face,id=1]', auto_escape: true }, { message: [segment.text('[CQ:face,id=1]')] }],
    ['quick reply at_sender', '.handle_quick_operation', { context: { post_type: 'message', message_type: 'group', group_id: GROUP, user_id: 20002, message_id: 1 }, operation: { reply: 'ok' } }, { group_id: GROUP, message: [segment.at(20002), segment.text(' '), segment.text('ok')] }],
    ['quick reply private', '.handle_quick_operation', { context: { post_type: 'message', message_type: 'private', user_id: 20001 }, operation: { reply: 'ok' } }, { peer_id: 20001, message: [segment.text('ok')] }],
  ] as const)('%s is stored', (_name, action, params, stored) => {
    const w = world();
    const out = call(w, action, params);
    expect(out.sent).toHaveLength(1);
    expect(out.sent[0]!.stored).toMatchObject(stored);
    expect(w.store.getMessage(out.sent[0]!.stored.message_id)).toEqual(out.sent[0]!.stored);
  });

  it('delete_msg recalls a bot group message with the spec group_recall notice', () => {
    const w = world();
    const { data } = call(w, 'send_group_msg', { group_id: GROUP, message: 'oops' });
    const out = call(w, 'delete_msg', { message_id: (data as { message_id: number }).message_id });
    expect(out.events).toEqual([{ time: 1_700_000_000, self_id: BOT, post_type: 'notice', notice_type: 'group_recall', group_id: GROUP, user_id: BOT, operator_id: BOT, message_id: 1 }]);
    expect(refusal(() => call(w, 'get_msg', { message_id: 1 })).data.reason).toBe('no_such_message');
  });

  it('delete_msg of a private bot message emits friend_recall naming the friend', () => {
    const w = world();
    call(w, 'send_private_msg', { user_id: 20001, message: 'x' });
    expect(call(w, 'delete_msg', { message_id: 1 }).events).toEqual([expect.objectContaining({ notice_type: 'friend_recall', user_id: 20001, message_id: 1 })]);
  });

  it.each([
    ['a member message as admin bot', 20002, true],
    ['an admin message as admin bot', 20003, false],
    ['the owner message as admin bot', 20001, false],
  ])('delete_msg of %s: allowed=%s', (_n, author, allowed) => {
    const w = world();
    const { stored } = w.say(author, { groupId: GROUP }, 'x');
    if (allowed) expect(call(w, 'delete_msg', { message_id: stored.message_id }).events[0]).toMatchObject({ user_id: author, operator_id: BOT });
    else expect(refusal(() => call(w, 'delete_msg', { message_id: stored.message_id })).data.reason).toBe('no_permission');
  });

  it('a message dropped by the store bounds is gone for get_msg', () => {
    const w = world({}, { store: { maxMessages: 2 } });
    for (const text of ['a', 'b', 'c']) w.say(20002, { groupId: GROUP }, text);
    expect(refusal(() => call(w, 'get_msg', { message_id: 1 })).message).toContain('keeps the newest 2 messages');
    expect(call(w, 'get_msg', { message_id: 3 }).data).toMatchObject({ message: [segment.text('c')] });
  });

  it('string message format: events and get_msg carry CQ strings', () => {
    const w = world({}, { messageFormat: 'string' });
    const said = w.say(20002, { groupId: GROUP }, [segment.at(BOT), segment.text(' hi')]);
    expect(said.event).toMatchObject({ message: '[CQ:at,qq=10001] hi', message_format: 'string' });
    expect(w.getMsg(said.stored.message_id).message).toBe('[CQ:at,qq=10001] hi');
  });

  it('private messages: sub_type friend / group / other', () => {
    const w = world();
    expect(w.say(20001, { userId: 20001 }, 'a').event.sub_type).toBe('friend');
    expect(w.say(20002, { userId: 20002 }, 'a').event.sub_type).toBe('group');
    expect(w.say(29999, { userId: 29999 }, 'a').event.sub_type).toBe('other');
  });

  it('unknown policy: create adds group and member, reject refuses', () => {
    const open = world();
    open.say(40001, { groupId: 50001 }, 'hi');
    expect(open.memberInfo(50001, 40001).role).toBe('member');
    expect(open.memberInfo(50001, BOT).role).toBe('member');
    const strict = world({ unknown: 'reject' });
    expect(refusal(() => strict.say(40001, { groupId: 50001 }, 'hi')).data.reason).toBe('no_such_group');
    expect(refusal(() => call(strict, 'send_group_msg', { group_id: 50001, message: 'x' })).data.reason).toBe('no_such_group');
    expect(refusal(() => call(strict, 'send_private_msg', { user_id: 40001, message: 'x' })).data.reason).toBe('not_reachable');
  });

  it('send_group_forward_msg and get_forward_msg: nodes by id are resolved, both result keys', () => {
    const w = world();
    w.say(20002, { groupId: GROUP }, 'original');
    const out = call(w, 'send_group_forward_msg', { group_id: GROUP, messages: [segment.node(1), segment.customNode(20001, 'Alice', 'second')] });
    expect(out.data).toEqual({ message_id: 2, forward_id: 'fwd1' });
    expect(w.getMsg(2).message).toEqual([segment.forward('fwd1')]);
    const nodes = [
      { type: 'node', data: { user_id: '20002', nickname: 'Bob', content: [segment.text('original')] } },
      { type: 'node', data: { user_id: '20001', nickname: 'Alice', content: [segment.text('second')] } },
    ];
    expect(call(w, 'get_forward_msg', { id: 'fwd1' }).data).toEqual({ message: nodes, messages: nodes });
    expect(call(w, 'get_forward_msg', { message_id: 'fwd1' }).data).toEqual({ message: nodes, messages: nodes });
  });
});

describe('§5.1 group management changes the world and emits §3.5 notices', () => {
  const notice = (body: Record<string, unknown>) => ({ time: 1_700_000_000, self_id: BOT, post_type: 'notice', ...body });
  it.each([
    ['set_group_kick', { group_id: GROUP, user_id: 20002 }, [notice({ notice_type: 'group_decrease', sub_type: 'kick', group_id: GROUP, operator_id: BOT, user_id: 20002 })], (w: World) => expect(w.member(GROUP, 20002)).toBeUndefined()],
    ['set_group_ban', { group_id: GROUP, user_id: 20002, duration: 60 }, [notice({ notice_type: 'group_ban', sub_type: 'ban', group_id: GROUP, operator_id: BOT, user_id: 20002, duration: 60 })], (w: World) => expect(w.memberInfo(GROUP, 20002).shut_up_timestamp).toBe(1_700_000_060)],
    ['set_group_ban lift', { group_id: GROUP, user_id: 20002, duration: 0 }, [notice({ notice_type: 'group_ban', sub_type: 'lift_ban', group_id: GROUP, operator_id: BOT, user_id: 20002, duration: 0 })], (w: World) => expect(w.member(GROUP, 20002)?.muted_until).toBe(0)],
    ['set_group_whole_ban', { group_id: GROUP }, [], (w: World) => expect(w.group(GROUP)?.whole_ban).toBe(true)],
    ['set_group_card', { group_id: GROUP, user_id: 20002, card: 'B' }, [notice({ notice_type: 'group_card', group_id: GROUP, user_id: 20002, card_new: 'B', card_old: '' })], (w: World) => expect(w.memberInfo(GROUP, 20002).card).toBe('B')],
    ['set_group_card own', { group_id: GROUP, user_id: BOT, card: 'me' }, [notice({ notice_type: 'group_card', group_id: GROUP, user_id: BOT, card_new: 'me', card_old: '' })], () => undefined],
    ['set_group_name', { group_id: GROUP, group_name: 'New' }, [], (w: World) => expect(w.groupInfo(GROUP).group_name).toBe('New')],
    ['set_group_leave', { group_id: GROUP }, [notice({ notice_type: 'group_decrease', sub_type: 'leave', group_id: GROUP, operator_id: BOT, user_id: BOT })], (w: World) => expect(w.groupList()).toEqual([])],
  ] as const)('%s', (action, params, events, check) => {
    const w = world();
    const out = call(w, action.split(' ')[0] as keyof typeof ApiActions, params);
    expect(out.events).toEqual(events);
    for (const e of out.events) expect(E.isRight(decodeWith(NoticeEvent, e))).toBe(true);
    check(w);
  });

  it('set_group_admin needs the owner', () => {
    const w = world({ groups: [{ group_id: GROUP, members: [{ user_id: BOT, role: 'owner' }, { user_id: 2 }] }] });
    expect(call(w, 'set_group_admin', { group_id: GROUP, user_id: 2 }).events).toEqual([expect.objectContaining({ notice_type: 'group_admin', sub_type: 'set', user_id: 2 })]);
    expect(call(w, 'set_group_admin', { group_id: GROUP, user_id: 2, enable: false }).events).toEqual([expect.objectContaining({ sub_type: 'unset' })]);
    expect(refusal(() => call(world(), 'set_group_admin', { group_id: GROUP, user_id: 20002 })).data.reason).toBe('no_permission');
  });

  it.each([
    ['kick an admin as admin', 'set_group_kick', { group_id: GROUP, user_id: 20003 }, 'user 10001 (admin) may not kick user 20003 (admin) in group 30001'],
    ['kick the owner', 'set_group_kick', { group_id: GROUP, user_id: 20001 }, 'user 10001 (admin) may not kick user 20001 (owner) in group 30001'],
    ['mute a non-member', 'set_group_ban', { group_id: GROUP, user_id: 5 }, 'user 5 is not a member of group 30001'],
    ['act in an unknown group', 'set_group_name', { group_id: 1, group_name: 'x' }, 'group 1 not found (the bot is not in it)'],
  ] as const)('refuses: %s', (_n, action, params, message) => {
    expect(refusal(() => call(world(), action, params)).message).toBe(message);
  });

  it('a plain-member bot can manage nobody', () => {
    const w = world({ groups: [{ group_id: GROUP, members: [{ user_id: 2 }] }] });
    expect(refusal(() => call(w, 'set_group_whole_ban', { group_id: GROUP })).message).toBe('user 10001 (member) may not mute the whole group in group 30001: needs admin or owner');
  });

  it('muted members and whole ban silence speakers, not admins', () => {
    const w = world();
    w.ban(GROUP, 20002, 60);
    expect(refusal(() => w.say(20002, { groupId: GROUP }, 'x')).data.reason).toBe('muted');
    w.wholeBan(GROUP, true);
    expect(() => w.say(20003, { groupId: GROUP }, 'admin speaks')).not.toThrow();
  });

  it('quick operation delete/kick/ban act as the bot; refused parts are reported, the rest happens', () => {
    const w = world();
    const { stored } = w.say(20002, { groupId: GROUP }, 'spam');
    const out = call(w, '.handle_quick_operation', { context: { post_type: 'message', message_type: 'group', group_id: GROUP, user_id: 20002, message_id: stored.message_id }, operation: { delete: true, ban: true, ban_duration: 30 } });
    expect(out.events.map((e) => (e as { notice_type: string }).notice_type)).toEqual(['group_recall', 'group_ban']);
    const w2 = world();
    const owner = w2.say(20001, { groupId: GROUP }, 'x');
    const out2 = call(w2, '.handle_quick_operation', { context: { post_type: 'message', message_type: 'group', group_id: GROUP, user_id: 20001, message_id: owner.stored.message_id }, operation: { reply: 'no', kick: true } });
    expect(out2.sent).toHaveLength(1);
    expect(out2.refused.map((e) => e.data.reason)).toEqual(['no_permission']);
  });
});

describe('scripted happenings', () => {
  it.each([
    ['join', (w: World) => w.join(GROUP, 20009), { notice_type: 'group_increase', sub_type: 'approve', operator_id: 20001, user_id: 20009 }],
    ['leave', (w: World) => w.memberLeave(GROUP, 20002), { notice_type: 'group_decrease', sub_type: 'leave', operator_id: 20002, user_id: 20002 }],
    ['poke', (w: World) => w.poke(20002, BOT, GROUP), { notice_type: 'notify', sub_type: 'poke', user_id: 20002, target_id: BOT }],
    ['user recall', (w: World) => w.recall(w.say(20002, { groupId: GROUP }, 'x').stored.message_id, 20002), { notice_type: 'group_recall', user_id: 20002, operator_id: 20002 }],
    ['friend add', (w: World) => w.addFriend(20002), { notice_type: 'friend_add', user_id: 20002 }],
  ] as const)('%s emits its notice', (_n, act, body) => {
    const out = act(world());
    expect(out.events).toEqual([expect.objectContaining(body)]);
    for (const e of out.events) expect(E.isRight(decodeWith(NoticeEvent, e))).toBe(true);
  });

  it('is deterministic: the same script gives the same events', () => {
    const run = () => {
      const w = world();
      return [w.say(20002, { groupId: GROUP }, 'a').event, w.join(GROUP, 20010).events, w.botSend({ groupId: GROUP }, [segment.text('b')])];
    };
    expect(run()).toEqual(run());
  });
});

describe('invariants under any sequence of commands', () => {
  const users = [20001, 20002, 20003, 20004, BOT];
  const groups = [GROUP, 30002];
  const command = fc.oneof(
    fc.record({ k: fc.constant('say' as const), user: fc.constantFrom(...users), group: fc.option(fc.constantFrom(...groups)), text: fc.string({ maxLength: 8 }) }),
    fc.record({ k: fc.constant('send' as const), group: fc.constantFrom(...groups), text: fc.string({ maxLength: 8 }) }),
    fc.record({ k: fc.constant('kick' as const), group: fc.constantFrom(...groups), user: fc.constantFrom(...users) }),
    fc.record({ k: fc.constant('ban' as const), group: fc.constantFrom(...groups), user: fc.constantFrom(...users), duration: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ k: fc.constant('admin' as const), group: fc.constantFrom(...groups), user: fc.constantFrom(...users), enable: fc.boolean() }),
    fc.record({ k: fc.constant('recall' as const), id: fc.integer({ min: 1, max: 12 }), by: fc.constantFrom(...users) }),
    fc.record({ k: fc.constant('join' as const), group: fc.constantFrom(...groups), user: fc.constantFrom(...users) }),
    fc.record({ k: fc.constant('leave' as const), group: fc.constantFrom(...groups), user: fc.constantFrom(...users) }),
    fc.record({ k: fc.constant('wholeBan' as const), group: fc.constantFrom(...groups), enable: fc.boolean() }),
  );
  const apply = (w: World, c: Record<string, unknown>): void => {
    const g = c.group as number;
    const u = c.user as number;
    switch (c.k) {
      case 'say':
        w.say(u, c.group === null ? { userId: u } : { groupId: c.group as number }, c.text as string);
        break;
      case 'send':
        w.botSend({ groupId: g }, [segment.text(c.text as string)]);
        break;
      case 'kick':
        w.kick(g, u);
        break;
      case 'ban':
        w.ban(g, u, c.duration as number);
        break;
      case 'admin':
        w.setAdmin(g, u, c.enable as boolean);
        break;
      case 'recall':
        w.recall(c.id as number, c.by as number);
        break;
      case 'join':
        w.join(g, u);
        break;
      case 'leave':
        w.memberLeave(g, u);
        break;
      case 'wholeBan':
        w.wholeBan(g, c.enable as boolean);
        break;
    }
  };

  it.each(['create', 'reject'] as const)('unknown: %s — a refusal changes nothing; ids are never reused; the bot is in every group it has', (unknown) => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const w = world({ unknown });
        let lastId = 1;
        for (const c of commands) {
          const before = JSON.stringify(w.toJSON());
          try {
            apply(w, c as Record<string, unknown>);
          } catch (e) {
            if (!(e instanceof WorldError)) throw e;
            expect(JSON.stringify(w.toJSON())).toBe(before);
          }
          for (const g of w.groups()) {
            expect(g.members.has(BOT)).toBe(true);
            expect(w.groupInfo(g.group_id).member_count).toBe(g.members.size);
            expect([...g.members.values()].filter((m) => m.role === 'owner').length).toBeLessThanOrEqual(1);
          }
          // Ids are never reused: the counter only grows, and every stored id was issued before it.
          const next = w.toJSON().next_message_id;
          expect(next).toBeGreaterThanOrEqual(lastId);
          lastId = next;
          for (const m of w.store.messages()) expect(m.message_id).toBeLessThan(next);
        }
      }),
      { numRuns: 300 },
    );
  });
});
