import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { ErrorCode, OneBotError } from '../../src/protocol/errors';
import {
  answerRequest,
  asyncResponse,
  errorResponse,
  failedResponse,
  okResponse,
  routeRequest,
  splitAction,
} from '../../src/protocol/answer';
import type { ApiHandlers, Route } from '../../src/protocol/answer';
import type { ApiResponse } from '../../src/protocol/codecs/frames';
import type { Json } from '../../src/protocol/codecs/common';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Answers and awaits, for tests that do not care whether the answer was synchronous. */
const answer = async (request: Parameters<typeof answerRequest>[0], handlers: ApiHandlers, options?: Parameters<typeof answerRequest>[2]) =>
  await answerRequest(request, handlers, options);

const login = { user_id: 10001000, nickname: 'bot' };

describe('§2.4 API response', () => {
  it.each<[string, ApiResponse, ApiResponse]>([
    ['ok', okResponse({ message_id: 1 }, '17'), { status: 'ok', retcode: 0, data: { message_id: 1 }, message: '', wording: '', echo: '17' }],
    ['ok, no result', okResponse(undefined, 1), { status: 'ok', retcode: 0, data: null, message: '', wording: '', echo: 1 }],
    ['async', asyncResponse({ seq: 2 }), { status: 'async', retcode: 1, data: null, message: '', wording: '', echo: { seq: 2 } }],
    ['failed', failedResponse(1404, 'unknown action: x', null), { status: 'failed', retcode: 1404, data: null, message: 'unknown action: x', wording: 'unknown action: x', echo: null }],
    ['no echo', okResponse([1]), { status: 'ok', retcode: 0, data: [1], message: '', wording: '' }],
  ])('%s', (_, got, expected) => {
    expect(got).toStrictEqual(expected);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
  });

  it('omits the echo key only when the request had none', () => {
    expect('echo' in okResponse(null)).toBe(false);
    expect('echo' in okResponse(null, null)).toBe(true);
    expect('echo' in (answerRequest({ action: 'get_login_info', params: {} }, { get_login_info: () => login }) as ApiResponse)).toBe(false);
    expect('echo' in (answerRequest({ action: 'nope', params: {} }, {}) as ApiResponse)).toBe(false);
  });

  it('never carries post_type (§2.1)', () => {
    expect('post_type' in okResponse({ post_type: 'x' }, 1)).toBe(false);
  });

  it('copies an echo of every JSON type verbatim, on every path', () => {
    const handlers: ApiHandlers = {
      get_login_info: () => login,
      get_status: () => {
        throw new Error('down');
      },
    };
    fc.assert(
      fc.property(fc.jsonValue().map((v) => v as Json), fc.constantFrom('get_login_info', 'get_status', 'get_login_info_async', 'nope', 'send_like'), (echo, action) => {
        const response = answerRequest({ action, params: {}, echo }, handlers) as ApiResponse;
        expect(response.echo).toStrictEqual(echo);
        expect(response.echo).toBe(echo); // the very value, not a copy
        expect(typeof response.echo).toBe(typeof echo);
      }),
    );
  });

  it('keeps the echo through a handler that answers later', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue().map((v) => v as Json), async (echo) => {
        const response = await answerRequest({ action: 'get_login_info', params: {}, echo }, { get_login_info: async () => login });
        expect(response.echo).toStrictEqual(echo);
      }),
      { numRuns: 30 },
    );
  });
});

describe('§2.5 retcode', () => {
  it.each<[string, Parameters<typeof answerRequest>[0], ApiHandlers, number, string]>([
    ['unknown action', { action: 'get_weather', params: {}, echo: 1 }, {}, 1404, 'unknown action: get_weather'],
    ['unknown suffixed action', { action: 'get_weather_async', params: {}, echo: 1 }, {}, 1404, 'unknown action: get_weather_async'],
    ['a codec but no handler', { action: 'send_like', params: { user_id: 1 }, echo: 1 }, {}, 1404, 'unknown action: send_like'],
    ['prototype names are not handlers', { action: '__proto__', params: {}, echo: 1 }, {}, 1404, 'unknown action: __proto__'],
    ['constructor', { action: 'constructor', params: {}, echo: 1 }, {}, 1404, 'unknown action: constructor'],
    ['toString', { action: 'toString', params: {}, echo: 1 }, {}, 1404, 'unknown action: toString'],
    ['a non-function handler', { action: 'x', params: {}, echo: 1 }, { x: 5 as never }, 1404, 'unknown action: x'],
    [
      'a non-numeric id',
      { action: 'send_private_msg', params: { user_id: 'abc', message: 'hi' }, echo: 1 },
      { send_private_msg: () => ({ message_id: 1 }) },
      1400,
      'invalid params for send_private_msg: user_id: expected NumberLike, got string "abc"',
    ],
    [
      'several bad params',
      { action: 'set_group_ban', params: { group_id: [], duration: 'long' }, echo: 1 },
      { set_group_ban: () => null },
      1400,
      'invalid params for set_group_ban: group_id: expected NumberLike, got array; user_id: expected NumberLike, got undefined (missing); duration: expected NumberLike, got string "long"',
    ],
    [
      'bad params with a suffix are rejected at once, not in the background',
      { action: 'send_like_async', params: { user_id: true }, echo: 1 },
      { send_like: () => null },
      1400,
      'invalid params for send_like_async: user_id: expected NumberLike, got boolean true',
    ],
    [
      'raw params that are not an object (array)',
      { action: 'get_login_info', params: [1, 2], echo: 1 },
      { get_login_info: () => login },
      1400,
      'invalid params for get_login_info: params: expected object, got array',
    ],
    [
      'raw params that are not an object (string), action without codec',
      { action: 'my_ext', params: 'x', echo: 1 },
      { my_ext: () => 1 },
      1400,
      'invalid params for my_ext: params: expected object, got string "x"',
    ],
    [
      'raw action that is not a string',
      { action: 7 as unknown as string, params: {}, echo: 1 },
      {},
      1400,
      'invalid request: action: expected string, got number 7',
    ],
    [
      'a throwing handler',
      { action: 'get_login_info', params: {}, echo: 1 },
      {
        get_login_info: () => {
          throw new Error('not logged in');
        },
      },
      1500,
      'not logged in',
    ],
    [
      'a rejecting handler',
      { action: 'get_login_info', params: {}, echo: 1 },
      { get_login_info: () => Promise.reject(new TypeError('bad state')) },
      1500,
      'bad state',
    ],
    [
      'a handler throwing a non-error',
      { action: 'get_login_info', params: {}, echo: 1 },
      {
        get_login_info: () => {
          throw 'plain string';
        },
      },
      1500,
      'plain string',
    ],
    [
      'a handler choosing its retcode',
      { action: 'get_group_info', params: { group_id: 1 }, echo: 1 },
      {
        get_group_info: () => {
          throw new OneBotError(ErrorCode.HandlerFailed, 'group not found', { retcode: 100 });
        },
      },
      100,
      'group not found',
    ],
    [
      'a handler rejecting with its retcode',
      { action: 'get_group_info', params: { group_id: 1 }, echo: 1 },
      { get_group_info: async () => Promise.reject(new OneBotError(ErrorCode.HandlerFailed, 'gone', { retcode: -1 })) },
      -1,
      'gone',
    ],
    [
      'a handler cannot claim success through a retcode',
      { action: 'get_group_info', params: { group_id: 1 }, echo: 1 },
      {
        get_group_info: () => {
          throw new OneBotError(ErrorCode.HandlerFailed, 'nope', { retcode: 0 });
        },
      },
      1500,
      'nope',
    ],
    [
      'a handler reporting bad params itself',
      { action: 'my_ext', params: {}, echo: 1 },
      {
        my_ext: () => {
          throw new OneBotError(ErrorCode.InvalidParams, 'need x');
        },
      },
      1400,
      'need x',
    ],
    [
      'a thenable whose then throws',
      { action: 'my_ext', params: {}, echo: 1 },
      {
        my_ext: () => ({
          then() {
            throw new Error('bad thenable');
          },
        }),
      },
      1500,
      'bad thenable',
    ],
  ])('%s → %d', async (_, request, handlers, retcode, message) => {
    const response = await answer(request, handlers);
    expect(response).toStrictEqual({ status: 'failed', retcode, data: null, message, wording: message, echo: 1 });
  });

  it('answers a plain value synchronously and a thenable with a promise', async () => {
    const sync = answerRequest({ action: 'get_login_info', params: {}, echo: 'a' }, { get_login_info: () => login });
    expect(sync).toStrictEqual({ status: 'ok', retcode: 0, data: login, message: '', wording: '', echo: 'a' });
    const later = answerRequest({ action: 'get_login_info', params: {}, echo: 'a' }, { get_login_info: async () => login });
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toStrictEqual(sync);
    const thrown = answerRequest({ action: 'get_login_info', params: {} }, { get_login_info: () => { throw new Error('x'); } });
    expect(thrown).not.toBeInstanceOf(Promise);
  });

  it('answers null data for a handler returning nothing', async () => {
    expect(await answer({ action: 'delete_msg', params: { message_id: 1 } }, { delete_msg: () => undefined })).toStrictEqual(okResponse(null));
  });

  it('gives the handler decoded params (defaults filled) and the request', () => {
    const seen: unknown[] = [];
    answerRequest(
      { action: 'send_private_msg', params: { user_id: '10001000', message: 'hi', self_id: 1 }, echo: 3 },
      { send_private_msg: (params, request) => void seen.push(params, request) },
    );
    const params = { user_id: 10001000, message: 'hi', self_id: 1, auto_escape: false };
    expect(seen).toEqual([params, { action: 'send_private_msg', params, echo: 3 }]);
  });

  it('hands raw params to actions without codecs, absent params as {}', () => {
    const seen: unknown[] = [];
    answerRequest({ action: 'get_weather', params: { city: 'x', n: '1' } }, { get_weather: (p) => void seen.push(p) });
    answerRequest({ action: 'get_weather' } as never, { get_weather: (p) => void seen.push(p) });
    answerRequest({ action: 'get_weather', params: null } as never, { get_weather: (p) => void seen.push(p) });
    expect(seen).toEqual([{ city: 'x', n: '1' }, {}, {}]);
  });

  describe('validateResult', () => {
    it('is off by default', () => {
      const r = answerRequest({ action: 'get_login_info', params: {} }, { get_login_info: () => ({ user_id: 'x' }) });
      expect(r).toStrictEqual(okResponse({ user_id: 'x' }));
    });

    it('answers 1500 naming the field when on', async () => {
      const r = await answer({ action: 'get_login_info', params: {}, echo: 1 }, { get_login_info: async () => ({ user_id: 'x' }) }, { validateResult: true });
      const message = 'invalid result for get_login_info: user_id: expected number, got string "x"; nickname: expected string, got undefined (missing)';
      expect(r).toStrictEqual(failedResponse(1500, message, 1));
    });

    it('passes valid results and treats undefined as null', () => {
      expect(answerRequest({ action: 'get_login_info', params: {} }, { get_login_info: () => login }, { validateResult: true })).toStrictEqual(okResponse(login));
      expect(answerRequest({ action: 'clean_cache', params: {} }, { clean_cache: () => undefined }, { validateResult: true })).toStrictEqual(okResponse(null));
      expect(answerRequest({ action: 'my_ext', params: {} }, { my_ext: () => 'anything' }, { validateResult: true })).toStrictEqual(okResponse('anything'));
    });
  });

  describe('errorResponse', () => {
    it.each<[string, unknown, number, string]>([
      ['InvalidParams', new OneBotError(ErrorCode.InvalidParams, 'p'), 1400, 'p'],
      ['InvalidRequest', new OneBotError(ErrorCode.InvalidRequest, 'r'), 1400, 'r'],
      ['FrameTooLarge', new OneBotError(ErrorCode.FrameTooLarge, 'big'), 1400, 'big'],
      ['UnknownAction', new OneBotError(ErrorCode.UnknownAction, 'u'), 1404, 'u'],
      ['HandlerTimeout', new OneBotError(ErrorCode.HandlerTimeout, 't'), 1500, 't'],
      ['explicit retcode wins', new OneBotError(ErrorCode.UnknownAction, 'u', { retcode: 404 }), 404, 'u'],
      ['non-integer retcode ignored', new OneBotError(ErrorCode.HandlerFailed, 'h', { retcode: 1.5 }), 1500, 'h'],
      ['async retcode ignored', new OneBotError(ErrorCode.HandlerFailed, 'h', { retcode: 1 }), 1500, 'h'],
      ['plain Error', new RangeError('out of range'), 1500, 'out of range'],
      ['Error without message', new RangeError(), 1500, 'RangeError'],
      ['number', 42, 1500, '42'],
      ['null-prototype object', Object.create(null), 1500, 'handler failed'],
    ])('%s', (_, error, retcode, message) => {
      expect(errorResponse(error, 'e')).toStrictEqual(failedResponse(retcode, message, 'e'));
    });
  });
});

describe('§2.6 suffixes', () => {
  it.each<[string, string, Route['mode']]>([
    ['send_msg', 'send_msg', 'sync'],
    ['send_msg_async', 'send_msg', 'async'],
    ['send_msg_rate_limited', 'send_msg', 'rate_limited'],
    ['.handle_quick_operation', '.handle_quick_operation', 'sync'],
    ['.handle_quick_operation_async', '.handle_quick_operation', 'async'],
    ['_async', '_async', 'sync'],
    ['_rate_limited', '_rate_limited', 'sync'],
    ['x_rate_limited_async', 'x_rate_limited', 'async'],
  ])('splitAction(%s) → %s, %s', (action, baseAction, mode) => {
    expect(splitAction(action)).toEqual({ baseAction, mode });
  });

  it('routes a suffixed action to the base handler with decoded params', () => {
    const handler = () => null;
    const route = routeRequest({ action: 'send_like_rate_limited', params: { user_id: '5' } }, { send_like: handler });
    expect(route).toEqual(E.right({ action: 'send_like_rate_limited', baseAction: 'send_like', mode: 'rate_limited', params: { user_id: 5, times: 1 }, handler }));
  });

  it('routes the hidden quick operation with its suffix (aiocqhttp)', () => {
    const route = routeRequest(
      { action: '.handle_quick_operation_async', params: { context: { post_type: 'message' }, operation: { reply: 'hi' } }, echo: 1 },
      { '.handle_quick_operation': () => null },
    );
    expect(E.isRight(route) && [route.right.baseAction, route.right.mode]).toEqual(['.handle_quick_operation', 'async']);
    expect(E.isRight(route) && route.right.params).toEqual({
      context: { post_type: 'message' },
      operation: { reply: 'hi', auto_escape: false, at_sender: true, delete: false, kick: false, ban: false, ban_duration: 1800 },
    });
  });

  it('uses a handler registered under a full suffixed name as is, synchronously', () => {
    const route = routeRequest({ action: 'upload_async', params: {} }, { upload_async: () => 1 });
    expect(E.isRight(route) && [route.right.baseAction, route.right.mode]).toEqual(['upload_async', 'sync']);
  });

  it('set_restart is always async', () => {
    const route = routeRequest({ action: 'set_restart', params: {} }, { set_restart: () => null });
    expect(E.isRight(route) && route.right.mode).toBe('async');
  });

  it.each(['_async', '_rate_limited'])('%s answers async at once and runs the handler right after', async (suffix) => {
    const calls: unknown[] = [];
    const response = answerRequest(
      { action: `send_group_msg${suffix}`, params: { group_id: '1', message: 'hi' }, echo: '9' },
      { send_group_msg: (params) => void calls.push(params) },
    );
    expect(response).toStrictEqual({ status: 'async', retcode: 1, data: null, message: '', wording: '', echo: '9' });
    expect(calls).toEqual([]); // the reply goes out before the handler starts
    await flush();
    expect(calls).toEqual([{ group_id: 1, message: 'hi', auto_escape: false }]);
  });

  it('reports a background failure through onBackgroundError, never as an answer', async () => {
    const reported: Array<[OneBotError, Route]> = [];
    const cause = new Error('send failed');
    const response = answerRequest(
      { action: 'send_like_async', params: { user_id: 1 }, echo: 1 },
      { send_like: () => Promise.reject(cause) },
      { onBackgroundError: (e, route) => void reported.push([e, route]) },
    );
    expect(response).toStrictEqual(asyncResponse(1));
    await flush();
    expect(reported).toHaveLength(1);
    const [error, route] = reported[0]!;
    expect(error.code).toBe(ErrorCode.HandlerFailed);
    expect(error.message).toBe('send_like_async failed in the background: send failed');
    expect(error.cause).toBe(cause);
    expect(route.baseAction).toBe('send_like');
  });

  it('reports a synchronous throw and an invalid result in the background too', async () => {
    const messages: string[] = [];
    const onBackgroundError = (e: OneBotError) => void messages.push(e.message);
    answerRequest({ action: 'get_status_async', params: {} }, { get_status: () => { throw new Error('boom'); } }, { onBackgroundError });
    answerRequest({ action: 'get_status_async', params: {} }, { get_status: () => ({ good: 'yes' }) }, { onBackgroundError, validateResult: true });
    await flush();
    expect(messages).toEqual([
      'get_status_async failed in the background: boom',
      'invalid result for get_status: online: expected boolean | null, got undefined (missing); good: expected boolean, got string "yes"',
    ]);
  });

  it('swallows background failures without a reporter, and a throwing reporter', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      answerRequest({ action: 'send_like_async', params: { user_id: 1 } }, { send_like: () => Promise.reject(new Error('x')) });
      answerRequest(
        { action: 'send_like_async', params: { user_id: 1 } },
        { send_like: () => Promise.reject(new Error('x')) },
        { onBackgroundError: () => { throw new Error('reporter'); } },
      );
      await flush();
      await flush();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

// Type-level checks (tsc runs over test/): handlers of known actions get typed, decoded params.
export const typeChecks: ApiHandlers = {
  send_private_msg: (params) => {
    const id: number = params.user_id;
    const autoEscape: boolean = params.auto_escape;
    // @ts-expect-error user_id is decoded to a number
    const asString: string = params.user_id;
    return [id, autoEscape, asString];
  },
  my_extension: (params: Record<string, unknown>) => params,
};
