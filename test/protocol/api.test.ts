import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { ApiActions, QuickOperation, actionCodecsOf } from '../../src/protocol/codecs/api';
import type { ActionCallParams, ActionName, ActionParams, ActionResult } from '../../src/protocol/codecs/api';
import { decodeWith } from '../../src/protocol/codecs/common';

const actions = Object.keys(ApiActions) as ActionName[];

const decodeParams = (action: ActionName, params: unknown) => decodeWith(ApiActions[action].params as never, params);
const right = (action: ActionName, params: unknown): Record<string, unknown> => {
  const r = decodeParams(action, params);
  if (E.isLeft(r)) throw new Error(`${action}: ${r.left.join('; ')}`);
  return r.right as Record<string, unknown>;
};

/**
 * Minimal valid params per action, every id written as a numeric string (servers send those, e.g.
 * Koishi above 32 bits). `N` marks the numeric params and what they must decode to.
 */
const N = (n: number) => ({ n });
type Sample = Record<string, unknown>;
const paramSamples: Record<ActionName, Sample> = {
  send_private_msg: { user_id: N(10001000), message: 'hi' },
  send_group_msg: { group_id: N(123456), message: [{ type: 'text', data: { text: 'hi' } }] },
  send_msg: { message_type: 'group', group_id: N(123456), message: { type: 'face', data: { id: '1' } } },
  delete_msg: { message_id: N(-5) },
  get_msg: { message_id: N(1234) },
  get_forward_msg: { id: 'abc' },
  send_like: { user_id: N(1), times: N(10) },
  set_group_kick: { group_id: N(1), user_id: N(2) },
  set_group_ban: { group_id: N(1), user_id: N(2), duration: N(0) },
  set_group_anonymous_ban: { group_id: N(1), anonymous_flag: 'f', duration: N(60) },
  set_group_whole_ban: { group_id: N(1) },
  set_group_admin: { group_id: N(1), user_id: N(2) },
  set_group_anonymous: { group_id: N(1) },
  set_group_card: { group_id: N(1), user_id: N(2) },
  set_group_name: { group_id: N(4294967296), group_name: 'g' },
  set_group_leave: { group_id: N(1) },
  set_group_special_title: { group_id: N(1), user_id: N(2), duration: N(-1) },
  set_friend_add_request: { flag: 'f' },
  set_group_add_request: { flag: 'f', sub_type: 'invite' },
  get_login_info: {},
  get_stranger_info: { user_id: N(2) },
  get_friend_list: {},
  get_group_info: { group_id: N(1) },
  get_group_list: {},
  get_group_member_info: { group_id: N(1), user_id: N(2) },
  get_group_member_list: { group_id: N(1) },
  get_group_honor_info: { group_id: N(1), type: 'all' },
  get_cookies: {},
  get_csrf_token: {},
  get_credentials: { domain: 'qun.qq.com' },
  get_record: { file: 'a.silk', out_format: 'mp3' },
  get_image: { file: 'a.jpg' },
  can_send_image: {},
  can_send_record: {},
  get_status: {},
  get_version_info: {},
  set_restart: { delay: N(2000) },
  clean_cache: {},
  '.handle_quick_operation': {
    context: { post_type: 'message', message_type: 'group', group_id: 1, user_id: 2 },
    operation: { reply: 'hi', ban_duration: N(60) },
  },
  get_guild_service_profile: {},
  send_group_forward_msg: { group_id: N(1), messages: [{ type: 'node', data: { id: '1' } }] },
  send_private_forward_msg: { user_id: N(2), messages: [{ type: 'node', data: { id: '1' } }] },
  set_essence_msg: { message_id: N(7) },
  delete_essence_msg: { message_id: N(7) },
  mark_msg_as_read: { message_id: N(7) },
};

/** Replaces the `N(x)` markers with `render(x)`, recursively (quick-operation params are nested). */
const render = (sample: unknown, as: (n: number) => unknown): unknown => {
  if (Array.isArray(sample)) return sample.map((x) => render(x, as));
  if (typeof sample === 'object' && sample !== null) {
    const keys = Object.keys(sample);
    if (keys.length === 1 && keys[0] === 'n') return as((sample as { n: number }).n);
    return Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, render(v, as)]));
  }
  return sample;
};

const nums = (sample: unknown): number => JSON.stringify(sample).split('{"n":').length - 1;

describe('§5 actions', () => {
  it('has params and result codecs for every public, hidden and probed ext action', () => {
    expect(actions.sort()).toEqual(Object.keys(paramSamples).sort());
    for (const required of [
      'send_private_msg', 'send_group_msg', 'send_msg', 'delete_msg', 'get_msg', 'get_forward_msg', 'send_like',
      'set_group_kick', 'set_group_ban', 'set_group_anonymous_ban', 'set_group_whole_ban', 'set_group_admin',
      'set_group_anonymous', 'set_group_card', 'set_group_name', 'set_group_leave', 'set_group_special_title',
      'set_friend_add_request', 'set_group_add_request', 'get_login_info', 'get_stranger_info', 'get_friend_list',
      'get_group_info', 'get_group_list', 'get_group_member_info', 'get_group_member_list', 'get_group_honor_info',
      'get_cookies', 'get_csrf_token', 'get_credentials', 'get_record', 'get_image', 'can_send_image',
      'can_send_record', 'get_status', 'get_version_info', 'set_restart', 'clean_cache', '.handle_quick_operation',
      'get_guild_service_profile',
    ]) {
      expect(actionCodecsOf(required)).toBeDefined();
    }
  });

  it('looks codecs up by own key only', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'send_msg_async']) {
      expect(actionCodecsOf(name)).toBeUndefined();
    }
  });

  describe.each(actions)('%s', (action) => {
    const sample = paramSamples[action];

    it('decodes its params with every number sent as a numeric string', () => {
      expect(right(action, render(sample, String))).toEqual(right(action, render(sample, (n) => n)));
    });

    it('decodes numbers from numeric strings for any id', () => {
      fc.assert(
        fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (id) => {
          const asString = right(action, render(sample, () => String(id)));
          const asNumber = right(action, render(sample, () => id));
          // toEqual tells 1 from "1", so this fails if any numeric string survives decoding.
          expect(asString).toEqual(asNumber);
        }),
        { numRuns: nums(sample) === 0 ? 1 : 50 },
      );
    });

    it('keeps unknown params (aiocqhttp sends self_id)', () => {
      expect(right(action, { ...(render(sample, (n) => n) as object), self_id: 10001000 }).self_id).toBe(10001000);
    });

    it('rejects a non-numeric string where a number is expected', () => {
      if (nums(sample) === 0) return;
      expect(E.isLeft(decodeParams(action, render(sample, () => 'abc')))).toBe(true);
    });
  });

  describe('defaults from the tables are filled on decode', () => {
    it.each<[ActionName, Sample, Sample]>([
      ['send_private_msg', { user_id: 1, message: 'x' }, { auto_escape: false }],
      ['send_group_msg', { group_id: 1, message: 'x' }, { auto_escape: false }],
      ['send_msg', { group_id: 1, message: 'x' }, { auto_escape: false, message_type: 'group' }],
      ['send_like', { user_id: 1 }, { times: 1 }],
      ['set_group_kick', { group_id: 1, user_id: 2 }, { reject_add_request: false }],
      ['set_group_ban', { group_id: 1, user_id: 2 }, { duration: 1800 }],
      ['set_group_anonymous_ban', { group_id: 1, flag: 'f' }, { duration: 1800, anonymous_flag: 'f' }],
      ['set_group_whole_ban', { group_id: 1 }, { enable: true }],
      ['set_group_admin', { group_id: 1, user_id: 2 }, { enable: true }],
      ['set_group_anonymous', { group_id: 1 }, { enable: true }],
      ['set_group_card', { group_id: 1, user_id: 2 }, { card: '' }],
      ['set_group_leave', { group_id: 1 }, { is_dismiss: false }],
      ['set_group_special_title', { group_id: 1, user_id: 2 }, { special_title: '', duration: -1 }],
      ['set_friend_add_request', { flag: 'f' }, { approve: true, remark: '' }],
      ['set_group_add_request', { flag: 'f', type: 'add' }, { approve: true, reason: '', sub_type: 'add' }],
      ['get_stranger_info', { user_id: 1 }, { no_cache: false }],
      ['get_group_info', { group_id: 1 }, { no_cache: false }],
      ['get_group_member_info', { group_id: 1, user_id: 2 }, { no_cache: false }],
      ['get_cookies', {}, { domain: '' }],
      ['get_credentials', {}, { domain: '' }],
      ['set_restart', {}, { delay: 0 }],
    ])('%s %j → %j', (action, params, defaults) => {
      expect(right(action, params)).toEqual({ ...params, ...defaults });
    });

    it('reads null as absent, so the default applies', () => {
      expect(right('send_like', { user_id: 1, times: null })).toEqual({ user_id: 1, times: 1 });
      expect(right('set_group_ban', { group_id: 1, user_id: 2, duration: null }).duration).toBe(1800);
    });

    it('keeps a given value over the default, including falsy ones', () => {
      expect(right('set_group_ban', { group_id: 1, user_id: 2, duration: 0 }).duration).toBe(0);
      expect(right('set_group_whole_ban', { group_id: 1, enable: false }).enable).toBe(false);
      expect(right('set_group_card', { group_id: 1, user_id: 2, card: 'c' }).card).toBe('c');
    });

    it('fills the §3.7 quick-operation defaults and leaves approve/reply absent', () => {
      const decoded = right('.handle_quick_operation', { context: { post_type: 'request' }, operation: {} });
      expect(decoded.operation).toEqual({
        auto_escape: false,
        at_sender: true,
        delete: false,
        kick: false,
        ban: false,
        ban_duration: 1800,
      });
      expect(E.isRight(QuickOperation.decode({ approve: 'yes', remark: 'r' }))).toBe(true);
    });
  });

  describe('lenient booleans', () => {
    it.each<[unknown, boolean]>([
      [true, true], ['true', true], [1, true], ['1', true], ['yes', true],
      [false, false], ['false', false], [0, false], ['0', false], ['no', false],
    ])('%j → %s', (given, expected) => {
      expect(right('set_group_whole_ban', { group_id: 1, enable: given }).enable).toBe(expected);
    });

    it('rejects anything else, naming the param', () => {
      expect(decodeParams('set_group_whole_ban', { group_id: 1, enable: 'maybe' })).toEqual(
        E.left(['enable: expected BooleanLike, got string "maybe"']),
      );
    });
  });

  describe('send_msg routing (§5.1)', () => {
    it.each<[Sample, string]>([
      [{ message_type: 'group', user_id: 2, group_id: 1, message: 'x' }, 'group'], // NoneBot sends both ids
      [{ message_type: 'private', user_id: 2, group_id: 1, message: 'x' }, 'private'],
      [{ user_id: 2, group_id: 1, message: 'x' }, 'private'], // go-cqhttp: private whenever user_id is set
      [{ group_id: '1', message: 'x' }, 'group'],
      [{ user_id: '2', message: 'x' }, 'private'],
    ])('%j → %s', (params, type) => {
      expect(right('send_msg', params).message_type).toBe(type);
    });

    it.each<[Sample, string]>([
      [{ message: 'x' }, 'message_type: expected "private" | "group", or a user_id or group_id to infer it from, got undefined (missing)'],
      [{ message_type: 'private', group_id: 1, message: 'x' }, 'user_id: expected NumberLike, got undefined (missing)'],
      [{ message_type: 'group', user_id: 1, message: 'x' }, 'group_id: expected NumberLike, got undefined (missing)'],
      [{ message_type: 'discuss', group_id: 1, message: 'x' }, 'message_type: expected "private" | "group", got string "discuss"'],
      [{ group_id: 1 }, 'message: expected string | Segment | Segment[], got undefined (missing)'],
    ])('%j fails: %s', (params, error) => {
      expect(decodeParams('send_msg', params)).toEqual(E.left([error]));
    });
  });

  describe('set_group_anonymous_ban target (§5.1)', () => {
    it.each<[Sample, string]>([
      [{ anonymous: { id: 1, name: 'n', flag: 'from-object' }, anonymous_flag: 'a', flag: 'b' }, 'from-object'],
      [{ anonymous_flag: 'a', flag: 'b' }, 'a'],
      [{ flag: 'b' }, 'b'],
      [{ anonymous: null, flag: 'b' }, 'b'],
    ])('%j → anonymous_flag %s', (target, flag) => {
      expect(right('set_group_anonymous_ban', { group_id: 1, ...target }).anonymous_flag).toBe(flag);
    });

    it('fails without any target', () => {
      expect(decodeParams('set_group_anonymous_ban', { group_id: 1 })).toEqual(
        E.left(['anonymous: expected an anonymous object, or an anonymous_flag or flag string, got undefined (missing)']),
      );
    });

    it('fails for an anonymous object without flag', () => {
      expect(decodeParams('set_group_anonymous_ban', { group_id: 1, anonymous: { id: 1 } })).toEqual(
        E.left(['anonymous.flag: expected string, got undefined (missing)']),
      );
    });
  });

  describe('set_group_add_request kind (§5.1)', () => {
    it.each<[Sample, string]>([
      [{ sub_type: 'add' }, 'add'],
      [{ type: 'invite' }, 'invite'],
      [{ sub_type: 'add', type: 'invite' }, 'add'],
    ])('%j → sub_type %s', (kind, expected) => {
      expect(right('set_group_add_request', { flag: 'f', ...kind }).sub_type).toBe(expected);
    });

    it('fails without sub_type or type', () => {
      expect(decodeParams('set_group_add_request', { flag: 'f' })).toEqual(
        E.left(['sub_type: expected "add" | "invite", got undefined (missing)']),
      );
    });
  });

  it('get_forward_msg takes id or message_id and always yields a string id', () => {
    expect(right('get_forward_msg', { message_id: 55 }).id).toBe('55');
    expect(right('get_forward_msg', { id: 'x', message_id: 55 }).id).toBe('x');
    expect(decodeParams('get_forward_msg', {})).toEqual(E.left(['id: expected string, got undefined (missing)']));
  });

  it('names the failing param and value', () => {
    expect(decodeParams('send_private_msg', { user_id: 'abc', message: 'x' })).toEqual(
      E.left(['user_id: expected NumberLike, got string "abc"']),
    );
    expect(decodeParams('get_group_honor_info', { group_id: 1, type: 'best' })).toEqual(
      E.left(['type: expected "talkative" | "performer" | "legend" | "strong_newbie" | "emotion" | "all", got string "best"']),
    );
    expect(decodeParams('.handle_quick_operation', { context: {}, operation: { ban: 'sure' } })).toEqual(
      E.left(['context.post_type: expected string, got undefined (missing)', 'operation.ban: expected BooleanLike, got string "sure"']),
    );
  });

  describe('results', () => {
    const member = { group_id: 1, user_id: 2, nickname: 'n', card: '', role: 'member' };
    const node = { type: 'node', data: { user_id: '1', nickname: 'n', content: 'hi' } };
    const resultSamples: Record<ActionName, unknown> = {
      send_private_msg: { message_id: 1 },
      send_group_msg: { message_id: 1 },
      send_msg: { message_id: 1 },
      delete_msg: null,
      get_msg: { time: 1, message_type: 'group', message_id: 1, real_id: 1, sender: { user_id: 2 }, message: 'hi' },
      get_forward_msg: { message: [node], messages: [node] },
      send_like: null,
      set_group_kick: null,
      set_group_ban: null,
      set_group_anonymous_ban: null,
      set_group_whole_ban: null,
      set_group_admin: null,
      set_group_anonymous: null,
      set_group_card: null,
      set_group_name: null,
      set_group_leave: null,
      set_group_special_title: null,
      set_friend_add_request: null,
      set_group_add_request: null,
      get_login_info: { user_id: 1, nickname: 'bot' },
      get_stranger_info: { user_id: 1, nickname: 'n', sex: 'unknown', age: 0 },
      get_friend_list: [{ user_id: 1, nickname: 'n', remark: '' }],
      get_group_info: { group_id: 1, group_name: 'g', member_count: 2, max_member_count: 200 },
      get_group_list: [],
      get_group_member_info: { ...member, sex: 'male', join_time: 1, unfriendly: false },
      get_group_member_list: [member],
      get_group_honor_info: { group_id: 1, current_talkative: { user_id: 1, nickname: 'n', avatar: 'a', day_count: 3 } },
      get_cookies: { cookies: 'a=b' },
      get_csrf_token: { token: 123 },
      get_credentials: { cookies: 'a=b', csrf_token: 123 },
      get_record: { file: '/tmp/a.mp3' },
      get_image: { file: '/tmp/a.jpg' },
      can_send_image: { yes: true },
      can_send_record: { yes: false },
      get_status: { online: null, good: true, stat: {} },
      get_version_info: { app_name: 'onebot-rx', app_version: '0.1.0', protocol_version: 'v11' },
      set_restart: null,
      clean_cache: null,
      '.handle_quick_operation': null,
      get_guild_service_profile: { nickname: 'n', tiny_id: '144115218677563309' },
      send_group_forward_msg: { message_id: 1, forward_id: 'f' },
      send_private_forward_msg: { message_id: 1 },
      set_essence_msg: null,
      delete_essence_msg: null,
      mark_msg_as_read: null,
    };

    it.each(actions)('%s result decodes', (action) => {
      expect(decodeWith(ApiActions[action].result as never, resultSamples[action])).toEqual(E.right(resultSamples[action]));
    });

    it.each<[ActionName, unknown, string]>([
      ['send_msg', { message_id: '1' }, 'message_id: expected number, got string "1"'],
      ['get_status', { online: true }, 'good: expected boolean, got undefined (missing)'],
      ['delete_msg', {}, '(root): expected null, got object'],
      ['get_group_member_info', { ...member, role: 'king' }, 'role: expected "owner" | "admin" | "member", got string "king"'],
      ['get_forward_msg', { messages: [node] }, 'message: expected Array<Segment>, got undefined (missing)'],
    ])('%s rejects %j', (action, value, error) => {
      expect(decodeWith(ApiActions[action].result as never, value)).toEqual(E.left([error]));
    });
  });
});

// Type-level checks (tsc runs over test/): wrong types here fail `npm run typecheck`.
export const typeChecks = (): void => {
  const call: ActionCallParams<'send_private_msg'> = { user_id: 1, message: 'hi' };
  const decoded: ActionParams<'send_private_msg'> = { user_id: 1, message: 'hi', auto_escape: false };
  const sendMsg: ActionParams<'send_msg'>['message_type'] = 'group';
  const login: ActionResult<'get_login_info'> = { user_id: 1, nickname: 'n' };
  // @ts-expect-error auto_escape is filled on decode, so handlers always get it
  const missing: ActionParams<'send_private_msg'> = { user_id: 1, message: 'hi' };
  // @ts-expect-error user_id has no default
  const noId: ActionCallParams<'send_private_msg'> = { message: 'hi' };
  void [call, decoded, sendMsg, login, missing, noId];
};
