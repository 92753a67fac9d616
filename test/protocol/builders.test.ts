import * as fc from 'fast-check';
import * as t from 'io-ts';
import { decodeWith } from '../../src/protocol/codecs/common';
import {
  FriendRequestEvent,
  GroupBanNotice,
  GroupMessageEvent,
  GroupRequestEvent,
  HeartbeatEvent,
  LifecycleEvent,
  OneBotEvent,
  PokeNotice,
  PrivateMessageEvent,
} from '../../src/protocol/codecs/events';
import {
  createConnectEvent,
  createHeartbeatEvent,
  createLifecycleEvent,
  createMessageEvent,
  createMessageIdGenerator,
  createNoticeEvent,
  createRequestEvent,
  createTextMessage,
  nextMessageId,
} from '../../src/protocol/builders';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors';
import { segment } from '../../src/protocol/segment';

const now = () => 1700000000999;
const decodesTo = (codec: t.Type<any, any, unknown>, value: unknown) => {
  const r = decodeWith(codec, value);
  expect(r).toEqual({ _tag: 'Right', right: value });
  expect(decodeWith(OneBotEvent, value)).toEqual({ _tag: 'Right', right: value });
};

describe('§3.1 meta_event builders', () => {
  it('createConnectEvent', () => {
    const e = createConnectEvent(10001000, { now });
    expect(e).toStrictEqual({ time: 1700000000, self_id: 10001000, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });
    decodesTo(LifecycleEvent, e);
  });
  it('createLifecycleEvent', () => {
    expect(createLifecycleEvent(1, 'disable', { now }).sub_type).toBe('disable');
  });
  it('uses Date.now by default, in seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const { time } = createConnectEvent(1);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
  it('createHeartbeatEvent defaults status to online and good', () => {
    const e = createHeartbeatEvent(10001000, 15000, undefined, { now });
    expect(e).toStrictEqual({
      time: 1700000000,
      self_id: 10001000,
      post_type: 'meta_event',
      meta_event_type: 'heartbeat',
      status: { online: true, good: true },
      interval: 15000,
    });
    decodesTo(HeartbeatEvent, e);
  });
  it('createHeartbeatEvent sends the given status, extras included, without aliasing it', () => {
    const status = { online: false, good: false, app_good: true };
    const e = createHeartbeatEvent(1, 5000, status, { now });
    expect(e.status).toStrictEqual(status);
    expect(e.status).not.toBe(status);
    decodesTo(HeartbeatEvent, e);
  });
});

describe('§3.2 createTextMessage private', () => {
  it('has the original client’s shape', () => {
    const e = createTextMessage({ selfId: 10001000, messageType: 'private', text: 'a&[b],c', targetId: 20002000, now, nextMessageId: () => 42 });
    expect(e).toStrictEqual({
      time: 1700000000,
      self_id: 10001000,
      post_type: 'message',
      message_type: 'private',
      sub_type: 'friend',
      message_id: 42,
      user_id: 10001000,
      target_id: 20002000,
      message: [{ type: 'text', data: { text: 'a&[b],c' } }],
      raw_message: 'a&amp;&#91;b&#93;,c',
      message_format: 'array',
      font: 0,
      sender: { user_id: 10001000, nickname: '' },
    });
    decodesTo(PrivateMessageEvent, e);
  });
  it('userId overrides the sender; sender.user_id always equals user_id', () => {
    const e = createTextMessage({ selfId: 1, userId: 2, messageType: 'private', text: 'x', nickname: 'N', sender: { user_id: 99, sex: 'female' } });
    expect(e.user_id).toBe(2);
    expect(e.sender).toStrictEqual({ nickname: 'N', sex: 'female', user_id: 2 });
    expect(e.target_id).toBe(2);
  });
  it('string format carries the CQ string', () => {
    const e = createTextMessage({ selfId: 1, messageType: 'private', text: '[x]&', messageFormat: 'string', now });
    expect(e.message).toBe('&#91;x&#93;&amp;');
    expect(e.raw_message).toBe('&#91;x&#93;&amp;');
    expect(e.message_format).toBe('string');
    decodesTo(PrivateMessageEvent, e);
  });
});

describe('§3.3 createTextMessage group', () => {
  it('carries group_id, sub_type normal and anonymous null', () => {
    const e = createTextMessage({ selfId: 10001000, userId: 20002000, messageType: 'group', groupId: 123456, text: 'hi', now, nextMessageId: () => 7 });
    expect(e).toStrictEqual({
      time: 1700000000,
      self_id: 10001000,
      post_type: 'message',
      message_type: 'group',
      sub_type: 'normal',
      message_id: 7,
      user_id: 20002000,
      group_id: 123456,
      anonymous: null,
      message: [{ type: 'text', data: { text: 'hi' } }],
      raw_message: 'hi',
      message_format: 'array',
      font: 0,
      sender: { user_id: 20002000, nickname: '', card: '', role: 'member' },
    });
    decodesTo(GroupMessageEvent, e);
  });
  it('an anonymous identity makes sub_type anonymous', () => {
    const e = createTextMessage({ selfId: 1, messageType: 'group', groupId: 2, text: 'x', anonymous: { id: 3, name: 'A', flag: 'f' } });
    expect(e.sub_type).toBe('anonymous');
    decodesTo(GroupMessageEvent, e);
  });
  it('throws without groupId', () => {
    const input = { selfId: 1, messageType: 'group' as 'group' | 'private', text: 'x' };
    expect(() => createTextMessage(input)).toThrow(new ProtocolError(ErrorCode.InvalidOutgoing, 'a group message needs groupId'));
    try {
      createTextMessage(input);
    } catch (e) {
      expect((e as ProtocolError).code).toBe('ONEBOT_INVALID_OUTGOING');
    }
  });
  it('rejects a sub_type of the other message type', () => {
    expect(() => createTextMessage({ selfId: 1, messageType: 'group', groupId: 2, text: 'x', subType: 'friend' })).toThrow(
      'invalid group message sub_type: friend',
    );
    expect(() => createTextMessage({ selfId: 1, messageType: 'private', text: 'x', subType: 'normal' })).toThrow('invalid private message sub_type: normal');
  });
});

describe('§3.2/§3.3 createMessageEvent', () => {
  it('segments become raw_message CQ code', () => {
    const e = createMessageEvent({
      selfId: 1,
      userId: 2,
      messageType: 'group',
      groupId: 3,
      message: [segment.reply(9), segment.at('all'), segment.text(' a,b'), segment.share('http://a.b/?x=1&y=2', 'Wow, really')],
      now,
      nextMessageId: () => 5,
    });
    expect(e.raw_message).toBe('[CQ:reply,id=9][CQ:at,qq=all] a,b[CQ:share,url=http://a.b/?x=1&amp;y=2,title=Wow&#44; really]');
    decodesTo(GroupMessageEvent, e);
  });
  it('a CQ string is parsed into segments for the array format', () => {
    const e = createMessageEvent({ selfId: 1, messageType: 'private', message: '[CQ:face,id=178]look', now });
    expect(e.message).toStrictEqual([{ type: 'face', data: { id: '178' } }, { type: 'text', data: { text: 'look' } }]);
    expect(e.raw_message).toBe('[CQ:face,id=178]look');
  });
  it('normalises lenient segment values', () => {
    const e = createMessageEvent({ selfId: 1, messageType: 'private', message: { type: 'at', data: { qq: 5 } } });
    expect(e.message).toStrictEqual([{ type: 'at', data: { qq: '5' } }]);
  });
  it('keeps unknown segments', () => {
    const e = createMessageEvent({ selfId: 1, messageType: 'private', message: [{ type: 'mface', data: { emoji_id: 'x' } }] });
    expect(e.message).toStrictEqual([{ type: 'mface', data: { emoji_id: 'x' } }]);
    decodesTo(PrivateMessageEvent, e);
  });
  it('rejects malformed standard segments naming the path', () => {
    const run = () => createMessageEvent({ selfId: 1, messageType: 'private', message: [segment.text('ok'), { type: 'text', data: { text: 1 } }] });
    expect(run).toThrow(new ProtocolError(ErrorCode.InvalidOutgoing, 'invalid message: message.1.data.text: expected string, got number 1'));
    try {
      run();
    } catch (e) {
      expect((e as ProtocolError).data).toEqual({ errors: ['message.1.data.text: expected string, got number 1'] });
    }
  });
  it('an explicit messageId wins', () => {
    expect(createMessageEvent({ selfId: 1, messageType: 'private', message: 'x', messageId: 77, nextMessageId: () => 1 }).message_id).toBe(77);
  });
});

describe('§3.5/§3.6 notice and request builders', () => {
  it('createNoticeEvent', () => {
    const poke = createNoticeEvent(1, { notice_type: 'notify', sub_type: 'poke', group_id: 2, user_id: 3, target_id: 1 }, { now });
    expect(poke).toStrictEqual({ time: 1700000000, self_id: 1, post_type: 'notice', notice_type: 'notify', sub_type: 'poke', group_id: 2, user_id: 3, target_id: 1 });
    decodesTo(PokeNotice, poke);
    decodesTo(GroupBanNotice, createNoticeEvent(1, { notice_type: 'group_ban', sub_type: 'ban', group_id: 2, operator_id: 3, user_id: 4, duration: 60 }, { now }));
  });
  it('createRequestEvent', () => {
    decodesTo(FriendRequestEvent, createRequestEvent(1, { request_type: 'friend', user_id: 2, comment: 'hi', flag: 'f' }, { now }));
    decodesTo(GroupRequestEvent, createRequestEvent(1, { request_type: 'group', sub_type: 'invite', group_id: 3, user_id: 2, comment: '', flag: 'g' }, { now }));
  });
});

describe('message ids', () => {
  it('a seeded generator counts up and wraps to 1 after int32 max', () => {
    const next = createMessageIdGenerator(2147483646);
    expect([next(), next(), next(), next()]).toEqual([2147483646, 2147483647, 1, 2]);
  });
  it.each([
    [0, 2147483647],
    [-1, 2147483646],
    [2147483648, 1],
    [5.7, 5],
  ])('seed %p starts at %p', (seed, first) => {
    expect(createMessageIdGenerator(seed)()).toBe(first);
  });
  it('the default generator gives distinct positive int32 ids', () => {
    const ids = Array.from({ length: 1000 }, () => nextMessageId());
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 2147483647)).toBe(true);
  });
  it('property: any seed gives unique positive int32 ids over many calls', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }), fc.integer({ min: 1, max: 3000 }), (seed, n) => {
        const next = createMessageIdGenerator(seed);
        const ids = Array.from({ length: n }, next);
        expect(new Set(ids).size).toBe(n);
        expect(ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 2147483647)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('properties: builder output always decodes', () => {
  const int64 = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  it('createTextMessage, any input', () => {
    fc.assert(
      fc.property(
        fc.record({
          selfId: int64,
          userId: fc.option(int64, { nil: undefined }),
          targetId: fc.option(int64, { nil: undefined }),
          groupId: int64,
          text: fc.string({ unit: 'binary' }),
          messageType: fc.constantFrom('private' as const, 'group' as const),
          messageFormat: fc.option(fc.constantFrom('array' as const, 'string' as const), { nil: undefined }),
          nickname: fc.option(fc.string(), { nil: undefined }),
          ms: fc.integer({ min: 0, max: 4102444800000 }),
        }),
        ({ ms, ...input }) => {
          const e = createTextMessage({ ...input, now: () => ms });
          const codec: t.Type<any, any, unknown> = input.messageType === 'group' ? GroupMessageEvent : PrivateMessageEvent;
          expect(decodeWith(codec, e)).toEqual({ _tag: 'Right', right: e });
          expect(decodeWith(OneBotEvent, e)).toEqual({ _tag: 'Right', right: e });
          expect(e.sender.user_id).toBe(e.user_id);
          expect(e.user_id).toBe(input.userId ?? input.selfId);
          expect(e.time).toBe(Math.floor(ms / 1000));
          // raw_message never contains a raw bracket: it is CQ-escaped text.
          expect(/[[\]]/.test(e.raw_message)).toBe(false);
        },
      ),
    );
  });
  it('createHeartbeatEvent, any interval and status', () => {
    fc.assert(
      fc.property(int64, fc.nat(), fc.boolean(), fc.boolean(), (selfId, interval, online, good) => {
        const e = createHeartbeatEvent(selfId, interval, { online, good });
        expect(decodeWith(HeartbeatEvent, e)).toEqual({ _tag: 'Right', right: e });
      }),
    );
  });
});
