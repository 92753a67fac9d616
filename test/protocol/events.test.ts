import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import * as t from 'io-ts';
import { decodeWith } from '../../src/protocol/codecs/common';
import {
  Anonymous,
  ClientStatusNotice,
  EssenceNotice,
  EventEnvelope,
  eventCodecOf,
  ExtensionEvent,
  FriendAddNotice,
  FriendRecallNotice,
  FriendRequestEvent,
  GroupAdminNotice,
  GroupBanNotice,
  GroupCardNotice,
  GroupDecreaseNotice,
  GroupIncreaseNotice,
  GroupMessageEvent,
  GroupMessageSentEvent,
  GroupRecallNotice,
  GroupRequestEvent,
  GroupSender,
  GroupUploadNotice,
  HeartbeatEvent,
  HeartbeatStatus,
  HonorNotice,
  LifecycleEvent,
  LuckyKingNotice,
  MessageEvent,
  MessageSentEvent,
  MetaEvent,
  NoticeEvent,
  OfflineFileNotice,
  OneBotEvent,
  PokeNotice,
  PrivateMessageEvent,
  PrivateMessageSentEvent,
  PrivateSender,
  RequestEvent,
  TitleNotice,
} from '../../src/protocol/codecs/events';

type Codec = t.Type<any, any, unknown>;
const ok = (codec: Codec, u: unknown) => {
  const r = decodeWith(codec, u);
  if (r._tag === 'Left') throw new Error(`expected ${codec.name} to decode: ${r.left.join('; ')}`);
  return r.right;
};
const errors = (codec: Codec, u: unknown): string[] => {
  const r = decodeWith(codec, u);
  if (r._tag === 'Right') throw new Error(`expected ${codec.name} to reject ${JSON.stringify(u)}`);
  return r.left;
};

const env = { time: 1700000000, self_id: 10001000 };
const meta = { ...env, post_type: 'meta_event' };
const notice = { ...env, post_type: 'notice' };
const request = { ...env, post_type: 'request' };

// The examples of docs/protocol.md (§3.1 heartbeat, §3.3 group message), read from the page itself
// so that the documented shapes are the ones the codecs accept.
const docExamples = [...readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map(
  (m) => JSON.parse(m[1]!) as Record<string, unknown>,
);
const docExample = (pick: (e: Record<string, unknown>) => boolean): Record<string, unknown> => {
  const found = docExamples.find(pick);
  if (!found) throw new Error('example missing from docs/protocol.md');
  return found;
};
const heartbeatExample = docExample((e) => e.meta_event_type === 'heartbeat');
const groupExample = docExample((e) => e.post_type === 'message' && e.message_type === 'group');
const privateMessage = {
  ...env,
  post_type: 'message',
  message_type: 'private',
  sub_type: 'friend',
  message_id: 1,
  user_id: 20002000,
  message: 'hi',
  raw_message: 'hi',
  font: 0,
  sender: { user_id: 20002000, nickname: 'B', sex: 'unknown', age: 0 },
};

/** One valid sample per member codec; each row: codec, sample. */
const samples: Array<[Codec, Record<string, unknown>]> = [
  [LifecycleEvent, { ...meta, meta_event_type: 'lifecycle', sub_type: 'connect' }],
  [HeartbeatEvent, heartbeatExample],
  [PrivateMessageEvent, privateMessage],
  [GroupMessageEvent, groupExample],
  [PrivateMessageSentEvent, { ...privateMessage, post_type: 'message_sent', user_id: 10001000, target_id: 20002000, message_sent_type: 'self' }],
  [GroupMessageSentEvent, { ...groupExample, post_type: 'message_sent', user_id: 10001000 }],
  [GroupUploadNotice, { ...notice, notice_type: 'group_upload', group_id: 1, user_id: 2, file: { id: 'f', name: 'a.txt', size: 3, busid: 102 } }],
  [GroupAdminNotice, { ...notice, notice_type: 'group_admin', sub_type: 'set', group_id: 1, user_id: 2 }],
  [GroupDecreaseNotice, { ...notice, notice_type: 'group_decrease', sub_type: 'kick_me', group_id: 1, operator_id: 3, user_id: 10001000 }],
  [GroupIncreaseNotice, { ...notice, notice_type: 'group_increase', sub_type: 'invite', group_id: 1, operator_id: 3, user_id: 2 }],
  [GroupBanNotice, { ...notice, notice_type: 'group_ban', sub_type: 'ban', group_id: 1, operator_id: 3, user_id: 2, duration: 600 }],
  [FriendAddNotice, { ...notice, notice_type: 'friend_add', user_id: 2 }],
  [GroupRecallNotice, { ...notice, notice_type: 'group_recall', group_id: 1, user_id: 2, operator_id: 2, message_id: 99 }],
  [FriendRecallNotice, { ...notice, notice_type: 'friend_recall', user_id: 2, message_id: 99 }],
  [PokeNotice, { ...notice, notice_type: 'notify', sub_type: 'poke', group_id: 1, user_id: 2, target_id: 10001000 }],
  [LuckyKingNotice, { ...notice, notice_type: 'notify', sub_type: 'lucky_king', group_id: 1, user_id: 2, target_id: 3 }],
  [HonorNotice, { ...notice, notice_type: 'notify', sub_type: 'honor', group_id: 1, honor_type: 'talkative', user_id: 2 }],
  [TitleNotice, { ...notice, notice_type: 'notify', sub_type: 'title', group_id: 1, user_id: 2, title: 'Boss' }],
  [GroupCardNotice, { ...notice, notice_type: 'group_card', group_id: 1, user_id: 2, card_new: 'new', card_old: 'old' }],
  [OfflineFileNotice, { ...notice, notice_type: 'offline_file', user_id: 2, file: { name: 'a.txt', size: 3, url: 'http://x' } }],
  [ClientStatusNotice, { ...notice, notice_type: 'client_status', client: { app_id: 1, device_name: 'pc', device_kind: 'windows' }, online: true }],
  [EssenceNotice, { ...notice, notice_type: 'essence', sub_type: 'add', group_id: 1, sender_id: 2, operator_id: 3, message_id: 4 }],
  [FriendRequestEvent, { ...request, request_type: 'friend', user_id: 2, comment: 'hi', flag: 'f1' }],
  [GroupRequestEvent, { ...request, request_type: 'group', sub_type: 'add', group_id: 1, user_id: 2, comment: 'let me in', flag: 'f2' }],
];

describe('§2.2 envelope and extensions', () => {
  it('EventEnvelope needs time, self_id, post_type', () => {
    expect(errors(EventEnvelope, { time: '1', self_id: 1 })).toEqual([
      'time: expected number, got string "1"',
      'post_type: expected string, got undefined (missing)',
    ]);
  });
  it('ExtensionEvent keeps every field', () => {
    const e = { ...env, post_type: 'notice', notice_type: 'group_msg_emoji_like', likes: [{ emoji_id: '1', count: 2 }] };
    expect(ok(ExtensionEvent, e)).toStrictEqual(e);
    expect(errors(ExtensionEvent, { ...e, self_id: '10001000' })).toEqual(['self_id: expected number, got string "10001000"']);
    expect(errors(ExtensionEvent, [])).toEqual(['(root): expected ExtensionEvent, got array']);
  });
  it.each([
    [{ post_type: 'message_reaction' }],
    [{ post_type: 'notice', notice_type: 'group_msg_emoji_like' }],
    [{ post_type: 'notice', notice_type: 'notify', sub_type: 'input_status' }],
    [{ post_type: 'notice', notice_type: 'notify' }],
    [{ post_type: 'message' }],
    [{ post_type: 'meta_event', meta_event_type: 'toString' }],
    [{ post_type: 'constructor' }],
    [null],
    [[]],
    ['message'],
  ])('eventCodecOf(%j) is undefined', (u) => {
    expect(eventCodecOf(u)).toBeUndefined();
  });
  it.each(samples.map(([c, s]) => [c.name, c, s] as const))('eventCodecOf picks %s', (_, codec, sample) => {
    expect(eventCodecOf(sample)).toBe(codec);
  });
});

describe('§3 every event codec', () => {
  it.each(samples.map(([c, s]) => [c.name, c, s] as const))('%s decodes its sample through itself and OneBotEvent', (_, codec, sample) => {
    expect(ok(codec, sample)).toStrictEqual(sample);
    expect(ok(OneBotEvent, sample)).toStrictEqual(sample);
    expect(OneBotEvent.is(sample)).toBe(true);
  });

  it.each(samples.map(([c, s]) => [c.name, c, s] as const))('%s keeps unknown fields', (_, codec, sample) => {
    const extra = { ...sample, real_id: 5, nested: { a: [1] } };
    expect(ok(codec, extra)).toStrictEqual(extra);
    expect(ok(OneBotEvent, extra)).toStrictEqual(extra);
  });

  it.each(samples.map(([c, s]) => [c.name, c, s] as const))('%s requires numeric time', (_, codec, sample) => {
    expect(errors(OneBotEvent, { ...sample, time: '1700000000' })).toEqual(['time: expected number, got string "1700000000"']);
    expect(errors(codec, { ...sample, self_id: null })).toEqual(['self_id: expected number, got null']);
  });

  it('the union codecs accept their members', () => {
    const [lifecycle, heartbeat, priv, group, privSent, groupSent] = samples.map(([, s]) => s);
    expect(MetaEvent.is(lifecycle) && MetaEvent.is(heartbeat)).toBe(true);
    expect(MessageEvent.is(priv) && MessageEvent.is(group)).toBe(true);
    expect(MessageEvent.is(privSent)).toBe(false);
    expect(MessageSentEvent.is(privSent) && MessageSentEvent.is(groupSent)).toBe(true);
    for (const [codec, s] of samples.slice(6, 22)) expect([codec.name, NoticeEvent.is(s)]).toEqual([codec.name, true]);
    for (const [, s] of samples.slice(22)) expect(RequestEvent.is(s)).toBe(true);
    expect(NoticeEvent.is(samples[22]![1])).toBe(false);
  });
});

describe('§3.1 meta_event', () => {
  it.each(['enable', 'disable', 'connect'])('lifecycle %s', (sub_type) => {
    expect(ok(OneBotEvent, { ...meta, meta_event_type: 'lifecycle', sub_type })).toMatchObject({ sub_type });
  });
  it('heartbeat status keeps implementation extras', () => {
    const status = { online: true, good: false, app_good: true, stat: { packet_received: 1 } };
    expect(ok(OneBotEvent, { ...heartbeatExample, status })).toStrictEqual({ ...heartbeatExample, status });
    expect(ok(HeartbeatStatus, status)).toStrictEqual(status);
  });
  it.each([
    [{ ...meta, meta_event_type: 'lifecycle', sub_type: 'x' }, ['sub_type: expected "enable" | "disable" | "connect", got string "x"']],
    [{ ...meta, meta_event_type: 'lifecycle' }, ['sub_type: expected "enable" | "disable" | "connect", got undefined (missing)']],
    [{ ...heartbeatExample, status: { online: 'yes', good: true } }, ['status.online: expected boolean | null, got string "yes"']],
    [{ ...heartbeatExample, status: null }, ['status: expected HeartbeatStatus, got null']],
    [{ ...heartbeatExample, interval: '15000' }, ['interval: expected number, got string "15000"']],
    [{ ...meta, meta_event_type: 'pulse' }, ['meta_event_type: expected "lifecycle" | "heartbeat", got string "pulse"']],
    [{ ...meta }, ['meta_event_type: expected "lifecycle" | "heartbeat", got undefined (missing)']],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
});

describe('§3.2 private message', () => {
  it.each(['friend', 'group', 'other'])('sub_type %s', (sub_type) => {
    expect(ok(PrivateMessageEvent, { ...privateMessage, sub_type })).toMatchObject({ sub_type });
  });
  it('sender fields are best-effort', () => {
    expect(ok(OneBotEvent, { ...privateMessage, sender: {} })).toMatchObject({ sender: {} });
  });
  it('carries ext fields: target_id, temp_source, message_format', () => {
    const e = { ...privateMessage, sub_type: 'group', target_id: 10001000, temp_source: 0, message_format: 'string', sender: { user_id: 2, group_id: 5 } };
    expect(ok(OneBotEvent, e)).toStrictEqual(e);
  });
  it.each([
    [{ ...privateMessage, sub_type: 'x' }, ['sub_type: expected "friend" | "group" | "other", got string "x"']],
    [{ ...privateMessage, message: [{ type: 'text', data: { text: 1 } }] }, ['message.0.data.text: expected string, got number 1']],
    [{ ...privateMessage, message: 1 }, ['message: expected string | Segment[], got number 1']],
    [{ ...privateMessage, message_id: '1' }, ['message_id: expected number, got string "1"']],
    [{ ...privateMessage, sender: { sex: 'x' } }, ['sender.sex: expected "male" | "female" | "unknown", got string "x"']],
    [{ ...privateMessage, sender: { age: '20' } }, ['sender.age: expected number, got string "20"']],
    [{ ...privateMessage, sender: undefined }, ['sender: expected PrivateSender, got undefined (missing)']],
    [{ ...privateMessage, target_id: '1' }, ['target_id: expected number, got string "1"']],
    [
      { ...privateMessage, font: undefined, raw_message: 5 },
      ['raw_message: expected string, got number 5', 'font: expected number, got undefined (missing)'],
    ],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
});

describe('§3.3 group message', () => {
  it('decodes the spec example, normalising numeric segment values', () => {
    const e = { ...groupExample, message: [{ type: 'at', data: { qq: 10001000 } }, { type: 'mface', data: null }] };
    expect(ok(OneBotEvent, e)).toStrictEqual({ ...groupExample, message: [{ type: 'at', data: { qq: '10001000' } }, { type: 'mface', data: {} }] });
  });
  it('anonymous message', () => {
    const anonymous = { id: 1, name: 'Anon', flag: 'fl' };
    expect(ok(OneBotEvent, { ...groupExample, sub_type: 'anonymous', anonymous })).toMatchObject({ anonymous });
    expect(ok(Anonymous, anonymous)).toStrictEqual(anonymous);
  });
  it('a missing anonymous reads as null', () => {
    const { anonymous: _, ...rest } = groupExample;
    expect(ok(OneBotEvent, rest)).toStrictEqual(groupExample);
  });
  it('sender is best-effort and keeps extras', () => {
    const sender = { user_id: 2, role: 'owner', title: 't', level: '1', area: '', age: 3, sex: 'female', card: 'c', nickname: 'n', shut_up_timestamp: 0 };
    expect(ok(GroupSender, sender)).toStrictEqual(sender);
    expect(ok(PrivateSender, {})).toStrictEqual({});
  });
  it.each([
    [{ ...groupExample, sub_type: 'x' }, ['sub_type: expected "normal" | "anonymous" | "notice", got string "x"']],
    [{ ...groupExample, group_id: undefined }, ['group_id: expected number, got undefined (missing)']],
    [{ ...groupExample, anonymous: { id: '1', name: 'a', flag: 'f' } }, ['anonymous.id: expected number, got string "1"']],
    [{ ...groupExample, anonymous: 'x' }, ['anonymous: expected Anonymous, got string "x"']],
    [{ ...groupExample, sender: { role: 'king' } }, ['sender.role: expected "owner" | "admin" | "member", got string "king"']],
    [{ ...groupExample, message: [{ type: 'at', data: {} }, { type: 'reply', data: { id: [] } }] }, ['message.0.data.qq: expected string, got undefined (missing)', 'message.1.data.id: expected string, got array']],
    [{ ...groupExample, message_type: 'guild' }, ['message_type: expected "private" | "group", got string "guild"']],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
});

describe('§3.4 message_sent (ext)', () => {
  it('reuses message_type', () => {
    expect(errors(OneBotEvent, { ...groupExample, post_type: 'message_sent', message_type: 'x' })).toEqual([
      'message_type: expected "private" | "group", got string "x"',
    ]);
    expect(errors(OneBotEvent, { ...privateMessage, post_type: 'message_sent', sub_type: 'normal' })).toEqual([
      'sub_type: expected "friend" | "group" | "other", got string "normal"',
    ]);
  });
});

describe('§3.5 notice', () => {
  it('private poke has no group_id (ext)', () => {
    const e = { ...notice, notice_type: 'notify', sub_type: 'poke', sender_id: 2, user_id: 2, target_id: 10001000 };
    expect(ok(OneBotEvent, e)).toStrictEqual(e);
  });
  it('group_upload file.url (ext)', () => {
    const e = { ...samples[6]![1], file: { id: 'f', name: 'a', size: 1, busid: 1, url: 'http://x' } };
    expect(ok(OneBotEvent, e)).toStrictEqual(e);
  });
  it.each([
    [{ ...notice, notice_type: 'group_admin', sub_type: 'toggle', group_id: 1, user_id: 2 }, ['sub_type: expected "set" | "unset", got string "toggle"']],
    [{ ...notice, notice_type: 'group_decrease', sub_type: 'kicked', group_id: 1, operator_id: 1, user_id: 2 }, ['sub_type: expected "leave" | "kick" | "kick_me", got string "kicked"']],
    [{ ...notice, notice_type: 'group_increase', sub_type: 'approve', group_id: 1, user_id: 2 }, ['operator_id: expected number, got undefined (missing)']],
    [{ ...notice, notice_type: 'group_ban', sub_type: 'lift_ban', group_id: 1, operator_id: 1, user_id: 2 }, ['duration: expected number, got undefined (missing)']],
    [{ ...notice, notice_type: 'group_upload', group_id: 1, user_id: 2, file: { id: 'f', name: 'a', size: '1', busid: 1 } }, ['file.size: expected number, got string "1"']],
    [{ ...notice, notice_type: 'friend_recall', user_id: 2 }, ['message_id: expected number, got undefined (missing)']],
    [{ ...notice, notice_type: 'notify', sub_type: 'honor', group_id: 1, honor_type: 'legend', user_id: 2 }, ['honor_type: expected "talkative" | "performer" | "emotion", got string "legend"']],
    [{ ...notice, notice_type: 'notify', sub_type: 'poke', user_id: 2 }, ['target_id: expected number, got undefined (missing)']],
    [{ ...notice, notice_type: 'notify', sub_type: 'poke', group_id: '1', user_id: 2, target_id: 3 }, ['group_id: expected number, got string "1"']],
    [{ ...notice, notice_type: 'notify', sub_type: 'nudge' }, ['sub_type: expected "poke" | "lucky_king" | "honor" | "title", got string "nudge"']],
    [{ ...notice, notice_type: 'client_status', client: {}, online: 'yes' }, ['online: expected boolean, got string "yes"']],
    [{ ...notice, notice_type: 'essence', sub_type: 'remove', group_id: 1, sender_id: 1, operator_id: 1, message_id: 1 }, ['sub_type: expected "add" | "delete", got string "remove"']],
    [
      { ...notice, notice_type: 'bogus' },
      [
        'notice_type: expected "group_upload" | "group_admin" | "group_decrease" | "group_increase" | "group_ban" | "friend_add" | "group_recall" | "friend_recall" | "group_card" | "offline_file" | "client_status" | "essence" | "notify", got string "bogus"',
      ],
    ],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
});

describe('§3.6 request', () => {
  it.each(['add', 'invite'])('group request %s', (sub_type) => {
    expect(ok(OneBotEvent, { ...samples[23]![1], sub_type })).toMatchObject({ sub_type });
  });
  it.each([
    [{ ...request, request_type: 'friend', user_id: 2, comment: 'hi' }, ['flag: expected string, got undefined (missing)']],
    [{ ...request, request_type: 'group', sub_type: 'join', group_id: 1, user_id: 2, comment: '', flag: 'f' }, ['sub_type: expected "add" | "invite", got string "join"']],
    [{ ...request, request_type: 'guild' }, ['request_type: expected "friend" | "group", got string "guild"']],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
});

describe('per-post_type families dispatch too', () => {
  it.each([
    [MessageEvent, { ...privateMessage, post_type: 'notice' }, ['post_type: expected "message", got string "notice"']],
    [MessageEvent, { ...privateMessage, sub_type: 'x' }, ['sub_type: expected "friend" | "group" | "other", got string "x"']],
    [MessageSentEvent, { ...privateMessage }, ['post_type: expected "message_sent", got string "message"']],
    [MetaEvent, { ...meta, meta_event_type: 'x' }, ['meta_event_type: expected "lifecycle" | "heartbeat", got string "x"']],
    [NoticeEvent, { ...notice, notice_type: 'notify', sub_type: 'x' }, ['sub_type: expected "poke" | "lucky_king" | "honor" | "title", got string "x"']],
    [NoticeEvent, { ...notice, notice_type: 'friend_add' }, ['user_id: expected number, got undefined (missing)']],
    [RequestEvent, { ...request, request_type: 'friend', user_id: 1, comment: 0, flag: 'f' }, ['comment: expected string, got number 0']],
    [RequestEvent, 'x', ['(root): expected RequestEvent, got string "x"']],
  ] as Array<[Codec, unknown, string[]]>)('%#: %j', (codec, input, expected) => {
    expect(errors(codec, input)).toEqual(expected);
  });
  it('decode members', () => {
    for (const [codec, sample] of samples) {
      const family = [MetaEvent, MessageEvent, MessageSentEvent, NoticeEvent, RequestEvent].filter((f) => f.is(sample));
      expect([codec.name, family.length]).toEqual([codec.name, 1]);
      expect(ok(family[0]!, sample)).toStrictEqual(sample);
    }
  });
});

describe('OneBotEvent dispatch', () => {
  it.each([
    [5, ['(root): expected OneBotEvent, got number 5']],
    [null, ['(root): expected OneBotEvent, got null']],
    [[], ['(root): expected OneBotEvent, got array']],
    [{ ...env, post_type: 'x' }, ['post_type: expected "meta_event" | "message" | "message_sent" | "notice" | "request", got string "x"']],
    [{ ...env }, ['post_type: expected "meta_event" | "message" | "message_sent" | "notice" | "request", got undefined (missing)']],
  ])('rejects %j', (input, expected) => {
    expect(errors(OneBotEvent, input)).toEqual(expected);
  });
  it('reports only the chosen member’s errors', () => {
    // A union would also complain about every other member; the dispatcher names just this one field.
    expect(errors(OneBotEvent, { ...groupExample, font: 'x' })).toEqual(['font: expected number, got string "x"']);
  });
  it('encode is the identity for a decoded event', () => {
    const decoded = ok(OneBotEvent, groupExample);
    expect(OneBotEvent.encode(decoded)).toStrictEqual(groupExample);
  });
  it('property: any extra fields are kept on every sample', () => {
    const reserved = new Set(samples.flatMap(([, s]) => Object.keys(s)));
    const extras = fc.dictionary(
      fc.string().filter((k) => !reserved.has(k) && k !== '__proto__'),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(fc.constantFrom(...samples), extras, ([, sample], more) => {
        const e = { ...sample, ...more };
        expect(ok(OneBotEvent, e)).toStrictEqual(e);
      }),
    );
  });
  it('property: a wrong-typed time is always reported at `time`', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.oneof(fc.string(), fc.boolean(), fc.constant(null)), ([, sample], time) => {
        const lines = errors(OneBotEvent, { ...sample, time });
        expect(lines).toHaveLength(1);
        expect(lines[0]!.startsWith('time: expected number, got ')).toBe(true);
      }),
    );
  });
});

describe('§3.1 heartbeat status online may be null (unknown, as in get_status §5.2)', () => {
  it('decodes online: null and still rejects other non-booleans', () => {
    const ok = HeartbeatEvent.decode({ time: 1, self_id: 2, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: null, good: false }, interval: 1000 });
    expect(ok._tag).toBe('Right');
    const bad = HeartbeatEvent.decode({ time: 1, self_id: 2, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: 0, good: false }, interval: 1000 });
    expect(bad._tag).toBe('Left');
  });
});
