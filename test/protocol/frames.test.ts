import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors';
import { ApiRequest, ApiResponse } from '../../src/protocol/codecs/frames';
import { decodeFrame, decodeFrameValue, encodeFrame } from '../../src/protocol/frame';
import type { Frame } from '../../src/protocol/frame';

const groupMessage = {
  time: 1700000000,
  self_id: 10001000,
  post_type: 'message',
  message_type: 'group',
  sub_type: 'normal',
  message_id: 1234,
  group_id: 123456,
  user_id: 20002000,
  anonymous: null,
  message: [
    { type: 'at', data: { qq: '10001000' } },
    { type: 'text', data: { text: ' hi' } },
  ],
  raw_message: '[CQ:at,qq=10001000] hi',
  font: 0,
  sender: { user_id: 20002000, nickname: 'A', card: '', role: 'member' },
};
const heartbeat = {
  time: 1700000000,
  self_id: 10001000,
  post_type: 'meta_event',
  meta_event_type: 'heartbeat',
  status: { online: true, good: true },
  interval: 15000,
};

const ok = (text: string, opts?: { maxPayload?: number }): Frame => {
  const r = decodeFrame(text, opts);
  if (E.isLeft(r)) throw new Error(`expected a frame, got ${r.left.code}: ${r.left.message}`);
  return r.right;
};
const err = (text: string, opts?: { maxPayload?: number }): ProtocolError => {
  const r = decodeFrame(text, opts);
  if (E.isRight(r)) throw new Error(`expected an error, got ${r.right.kind}`);
  return r.left;
};
const json = (u: unknown) => JSON.stringify(u);

describe('§2.1 telling frames apart', () => {
  it.each<[string, Frame['kind'], unknown]>([
    ['a known event', 'event', groupMessage],
    ['a heartbeat', 'event', heartbeat],
    ['an event of an unknown post_type', 'extension', { time: 1, self_id: 2, post_type: 'message_reaction', x: 1 }],
    ['an event of an unknown notice_type', 'extension', { time: 1, self_id: 2, post_type: 'notice', notice_type: 'group_msg_emoji_like' }],
    ['a request', 'request', { action: 'send_like', params: { user_id: 1 }, echo: '1' }],
    ['a request without params', 'request', { action: 'get_status' }],
    ['a response with both', 'response', { status: 'ok', retcode: 0, data: null, echo: 3 }],
    ['a minimal response (data absent)', 'response', { status: 'ok', retcode: 0 }],
  ])('%s → %s', (_, kind, value) => {
    expect(ok(json(value)).kind).toBe(kind);
    const pre = decodeFrameValue(value);
    expect(E.isRight(pre) && pre.right.kind).toBe(kind);
  });

  it('post_type wins over action and status (a response must never carry post_type)', () => {
    const frame = err(json({ post_type: 'message', action: 'x', status: 'ok', retcode: 0 }));
    expect(frame.code).toBe(ErrorCode.InvalidEvent);
    expect(ok(json({ ...heartbeat, action: 'x', retcode: 0 })).kind).toBe('event');
  });

  it('action wins over status/retcode', () => {
    expect(ok(json({ action: 'get_status', status: 'ok', retcode: 0 })).kind).toBe('request');
  });

  it('hands out the decoded values', () => {
    expect(ok(json(groupMessage))).toEqual({ kind: 'event', event: groupMessage });
    const ext = { time: 1, self_id: 2, post_type: 'notice', notice_type: 'x_y', extra: [1, { a: null }] };
    expect(ok(json(ext))).toEqual({ kind: 'extension', event: ext });
  });

  describe('errors: one code per failing step, the message names the JSON path', () => {
    const badText = { ...groupMessage, message: [{ type: 'text', data: { text: 1 } }] };

    it.each<[string, string, string, string, Record<string, unknown>]>([
      ['not an object: array', '[1]', ErrorCode.NotObject, 'frame is not a JSON object, got array', {}],
      ['not an object: number', '1', ErrorCode.NotObject, 'frame is not a JSON object, got number 1', {}],
      ['not an object: string', '"hi"', ErrorCode.NotObject, 'frame is not a JSON object, got string "hi"', {}],
      ['not an object: null', 'null', ErrorCode.NotObject, 'frame is not a JSON object, got null', {}],
      [
        'neither kind',
        '{"foo":1}',
        ErrorCode.UnknownFrame,
        'frame is neither an event (post_type), an API request (action) nor an API response (status/retcode)',
        {},
      ],
      [
        'empty object',
        '{}',
        ErrorCode.UnknownFrame,
        'frame is neither an event (post_type), an API request (action) nor an API response (status/retcode)',
        {},
      ],
      [
        'a known event with a wrong field',
        json(badText),
        ErrorCode.InvalidEvent,
        'invalid group message event: message.0.data.text: expected string, got number 1',
        { errors: ['message.0.data.text: expected string, got number 1'], path: 'message.0.data.text' },
      ],
      [
        'a known event with several wrong fields',
        json({ ...heartbeat, interval: '15000', self_id: null }),
        ErrorCode.InvalidEvent,
        'invalid heartbeat meta event: self_id: expected number, got null',
        { errors: ['self_id: expected number, got null', 'interval: expected number, got string "15000"'], path: 'self_id' },
      ],
      [
        'an unknown event without envelope',
        json({ post_type: 'weird', self_id: 1 }),
        ErrorCode.InvalidEvent,
        'invalid event: time: expected number, got undefined (missing)',
        { errors: ['time: expected number, got undefined (missing)'], path: 'time' },
      ],
      [
        'a request whose action is not a string',
        json({ action: 1, echo: { seq: 4 } }),
        ErrorCode.InvalidRequest,
        'invalid API request: action: expected string, got number 1',
        { errors: ['action: expected string, got number 1'], path: 'action', echo: { seq: 4 } },
      ],
      [
        'a request whose params are an array',
        json({ action: 'send_like', params: [1], echo: '9' }),
        ErrorCode.InvalidRequest,
        'invalid API request: params: expected ApiParams, got array',
        { errors: ['params: expected ApiParams, got array'], path: 'params', echo: '9', action: 'send_like' },
      ],
      [
        'a response with an unknown status',
        json({ status: 'done', retcode: 0, echo: 1 }),
        ErrorCode.InvalidResponse,
        'invalid API response: status: expected "ok" | "async" | "failed", got string "done"',
        { errors: ['status: expected "ok" | "async" | "failed", got string "done"'], path: 'status', echo: 1 },
      ],
      [
        'a response with a string retcode',
        json({ status: 'ok', retcode: '0' }),
        ErrorCode.InvalidResponse,
        'invalid API response: retcode: expected number, got string "0"',
        { errors: ['retcode: expected number, got string "0"'], path: 'retcode' },
      ],
      [
        'a response with retcode but no status',
        json({ retcode: 0 }),
        ErrorCode.InvalidResponse,
        'invalid API response: status: expected "ok" | "async" | "failed", got undefined (missing)',
        { errors: ['status: expected "ok" | "async" | "failed", got undefined (missing)'], path: 'status' },
      ],
    ])('%s → %s', (_, text, code, message, data) => {
      const e = err(text);
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e.code).toBe(code);
      expect(e.message).toBe(message);
      expect(e.data).toEqual(data);
    });

    it.each(['', '{', '{"action":', 'undefined', "{'a':1}", '{"a":1}}', '\u0000'])('invalid JSON %j', (text) => {
      const e = err(text);
      expect(e.code).toBe(ErrorCode.InvalidJson);
      expect(e.message).toMatch(/^frame is not valid JSON: .+/);
      expect(e.cause).toBeInstanceOf(SyntaxError);
    });

    it('a non-string (binary) frame', () => {
      const e = err(new Uint8Array([123, 125]) as unknown as string);
      expect(e.code).toBe(ErrorCode.BinaryFrame);
      expect(e.message).toBe('frame is not text, got object');
    });
  });

  describe('maxPayload (UTF-8 bytes, checked before parsing)', () => {
    it.each<[string, string, number, boolean]>([
      ['ascii at the limit', '{"a":"xxxx"}', 12, true],
      ['ascii one over', '{"a":"xxxxx"}', 12, false],
      ['length already over', 'x'.repeat(100), 99, false],
      ['3-byte chars under by length, over by bytes', '{"a":"€€€"}', 16, false],
      ['3-byte chars exactly at the limit', '{"a":"€€€"}', 17, true],
      ['a surrogate pair is 4 bytes', '{"a":"😀"}', 11, false],
      ['a surrogate pair at the limit', '{"a":"😀"}', 12, true],
      ['2-byte chars', '{"a":"éé"}', 12, true],
      ['2-byte chars over', '{"a":"éé"}', 11, false],
    ])('%s', (_, text, maxPayload, accepted) => {
      expect(Buffer.byteLength(text, 'utf8') <= maxPayload).toBe(accepted); // the test's own premise
      const r = decodeFrame(text, { maxPayload });
      if (accepted) {
        expect(E.isLeft(r) && r.left.code).not.toBe(ErrorCode.FrameTooLarge);
      } else {
        expect(E.isLeft(r) && r.left.code).toBe(ErrorCode.FrameTooLarge);
      }
    });

    it('reports the limit and a lower bound of the size, without parsing', () => {
      const e = err('not json at all', { maxPayload: 4 });
      expect(e.code).toBe(ErrorCode.FrameTooLarge);
      expect(e.message).toBe('frame too large: at least 15 bytes, maxPayload is 4');
      expect(e.data).toEqual({ maxPayload: 4, size: 15, exact: false });
    });

    it('counts bytes beyond the string length when needed', () => {
      const e = err('"€€€€"', { maxPayload: 10 });
      expect(e.message).toBe('frame too large: at least 13 bytes, maxPayload is 10');
    });

    it('agrees with Buffer.byteLength for any string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), fc.nat(64), (s, slack) => {
          const bytes = Buffer.byteLength(s, 'utf8');
          const limit = Math.max(0, bytes - 32 + slack);
          const r = decodeFrame(s, { maxPayload: limit });
          expect(E.isLeft(r) && r.left.code === ErrorCode.FrameTooLarge).toBe(bytes > limit);
        }),
      );
    });
  });

  describe('hostile input never throws', () => {
    it('100k nested brackets (unterminated and balanced)', () => {
      expect(err('['.repeat(100_000)).code).toBe(ErrorCode.InvalidJson);
      expect(err('['.repeat(100_000) + ']'.repeat(100_000)).code).toBe(ErrorCode.NotObject);
      expect(err('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)).code).toBe(ErrorCode.UnknownFrame);
    });

    it('deeply nested values inside frames', () => {
      const deep = '['.repeat(50_000) + ']'.repeat(50_000);
      const ext = ok(`{"time":1,"self_id":2,"post_type":"x","deep":${deep}}`);
      expect(ext.kind).toBe('extension');
      const e = err(`{"action":"a","echo":${deep}}`);
      expect(e.code).toBe(ErrorCode.InvalidRequest);
      expect(e.message).toBe('invalid API request: echo: expected Json, got array');
    });

    it('__proto__ keys are data, never prototypes', () => {
      expect(err('{"__proto__":{"post_type":"message","action":"x"}}').code).toBe(ErrorCode.UnknownFrame);
      const f = ok('{"action":"send_like","params":{"__proto__":{"user_id":1}},"__proto__":{"x":1}}');
      expect(f.kind).toBe('request');
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(err('{"action":"constructor","params":"__proto__"}').code).toBe(ErrorCode.InvalidRequest);
    });

    it('huge strings', () => {
      const big = 'x'.repeat(5_000_000);
      const f = ok(json({ action: 'send_msg', params: { message: big }, echo: big }));
      expect(f.kind === 'request' && f.request.echo).toBe(big);
      const e = err(json({ status: 'ok', retcode: big }));
      expect(e.message).toBe(`invalid API response: retcode: expected number, got string "${'x'.repeat(37)}..."`);
    });

    it('any string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (s) => {
          expect(() => decodeFrame(s)).not.toThrow();
          expect(() => decodeFrame(s, { maxPayload: 8 })).not.toThrow();
        }),
      );
    });

    it('any JSON text', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const r = decodeFrame(JSON.stringify(v));
          expect(E.isLeft(r) && r.left.code === ErrorCode.InvalidJson).toBe(false);
        }),
      );
    });

    it('any JSON object built from frame keys', () => {
      const keys = fc.constantFrom('post_type', 'action', 'status', 'retcode', 'params', 'echo', 'time', 'self_id', 'message_type', 'notice_type', 'sub_type', 'data', '__proto__');
      fc.assert(
        fc.property(fc.dictionary(keys, fc.jsonValue()), (o) => {
          const r = decodeFrame(JSON.stringify(o));
          if (E.isLeft(r)) expect(r.left).toBeInstanceOf(ProtocolError);
        }),
      );
    });

    it('any pre-parsed value', () => {
      fc.assert(
        fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), (v) => {
          expect(() => decodeFrameValue(v)).not.toThrow();
        }),
      );
    });

    it('pre-parsed objects with throwing getters', () => {
      const hostile = Object.defineProperty({ action: 'x' }, 'params', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      });
      const r = decodeFrameValue(hostile);
      expect(E.isLeft(r) && r.left.code).toBe(ErrorCode.InvalidRequest);
      expect(E.isLeft(r) && r.left.message).toBe('invalid API request: boom');
    });
  });
});

describe('§2.3 API request', () => {
  it.each<[string, unknown, unknown]>([
    ['params absent → {}', { action: 'get_status' }, { action: 'get_status', params: {} }],
    ['params null → {}', { action: 'get_status', params: null }, { action: 'get_status', params: {} }],
    ['extra fields kept', { action: 'a', params: { x: 1 }, self_id: 5 }, { action: 'a', params: { x: 1 }, self_id: 5 }],
    ['echo null is kept', { action: 'a', echo: null }, { action: 'a', params: {}, echo: null }],
  ])('%s', (_, value, expected) => {
    expect(ApiRequest.decode(value)).toEqual(E.right(expected));
  });

  it('keeps an absent echo absent', () => {
    const f = ok('{"action":"get_status"}');
    expect(f.kind === 'request' && 'echo' in f.request).toBe(false);
  });

  it('an echo of every JSON type comes back deep-equal and of the same type', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (echo) => {
        const expected: unknown = JSON.parse(JSON.stringify(echo));
        const f = ok(JSON.stringify({ action: 'get_status', echo }));
        expect(f.kind).toBe('request');
        const got = f.kind === 'request' ? f.request.echo : undefined;
        expect(got).toStrictEqual(expected);
        expect(typeof got).toBe(typeof expected);
        expect(Array.isArray(got)).toBe(Array.isArray(expected));
      }),
    );
  });
});

describe('§2.4 API response codec', () => {
  it('reads an absent data as null and keeps extras (go-cqhttp msg)', () => {
    expect(ApiResponse.decode({ status: 'failed', retcode: 404, msg: 'API_NOT_FOUND', wording: 'w' })).toEqual(
      E.right({ status: 'failed', retcode: 404, data: null, msg: 'API_NOT_FOUND', wording: 'w' }),
    );
  });

  it('rejects a non-string message', () => {
    const e = err(json({ status: 'failed', retcode: 1, message: 5 }));
    expect(e.message).toBe('invalid API response: message: expected string, got number 5');
  });
});

describe('encodeFrame', () => {
  it.each<[string, Parameters<typeof encodeFrame>[0]]>([
    ['event', groupMessage as never],
    ['request', { action: 'send_like', params: { user_id: 1, times: 1 }, echo: { seq: 1 } }],
    ['response', { status: 'ok', retcode: 0, data: { message_id: 1 }, message: '', wording: '', echo: '1' }],
  ])('%s round-trips through decodeFrame', (_, value) => {
    const text = encodeFrame(value);
    expect(JSON.parse(text)).toEqual(value);
    const f = ok(text);
    expect(f.kind === 'event' ? f.event : f.kind === 'request' ? f.request : f.kind === 'response' ? f.response : undefined).toEqual(value);
  });
});
