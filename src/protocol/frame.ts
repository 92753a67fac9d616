import type * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { ErrorCode, ProtocolError } from './errors';
import { Json, describe, formatErrors, jsonPath } from './codecs/common';
import { ExtensionEvent, OneBotEvent, eventCodecOf } from './codecs/events';
import { ApiRequest, ApiResponse } from './codecs/frames';

/**
 * One decoded inbound text frame (docs/protocol.md §2.1). Known events are `event`; events whose
 * `post_type` or detail type we have no codec for are `extension` (envelope checked, rest kept).
 *
 * @since 0.1.0
 * @category frames
 */
export type Frame =
  | { readonly kind: 'event'; readonly event: OneBotEvent }
  | { readonly kind: 'extension'; readonly event: ExtensionEvent }
  | { readonly kind: 'request'; readonly request: ApiRequest }
  | { readonly kind: 'response'; readonly response: ApiResponse };

/**
 * @since 0.1.0
 * @category frames
 */
export interface DecodeFrameOptions {
  /**
   * Largest accepted frame in UTF-8 bytes; larger frames fail with `FrameTooLarge` before parsing.
   * @defaultValue no limit
   */
  readonly maxPayload?: number;
}

/**
 * `data` of a decoding error. `errors`/`path` are set for the `Invalid*` codes; `echo`/`action`
 * are copied from a malformed request when readable, so the caller can still answer it (1400).
 *
 * @since 0.1.0
 * @category frames
 */
export interface FrameErrorData extends Record<string, unknown> {
  readonly errors?: readonly string[];
  readonly path?: string;
  readonly echo?: Json;
  readonly action?: string;
  readonly maxPayload?: number;
  /** UTF-8 size of a too-large frame; a lower bound when `exact` is false. */
  readonly size?: number;
  readonly exact?: boolean;
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const fail = (code: ErrorCode, message: string, data: FrameErrorData = {}, cause?: unknown): E.Either<ProtocolError<FrameErrorData>, never> =>
  E.left(new ProtocolError<FrameErrorData>(code, message, data, cause === undefined ? undefined : { cause }));

/**
 * UTF-8 byte length of `s`, counting only until `limit` is passed (then returns a value > limit).
 * A lone surrogate counts 3 bytes, as `TextEncoder` replaces it with U+FFFD.
 */
const utf8Length = (s: string, limit: number): number => {
  let bytes = 0;
  for (let i = 0; i < s.length && bytes <= limit; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
};

/** Human name of a known event kind for error messages: `group message`, `poke notice`... */
const eventLabel = (o: Record<string, unknown>): string => {
  switch (o.post_type) {
    case 'message':
    case 'message_sent':
      return `${String(o.message_type)} ${o.post_type}`;
    case 'notice':
      return o.notice_type === 'notify' ? `${String(o.sub_type)} notice` : `${String(o.notice_type)} notice`;
    case 'request':
      return `${String(o.request_type)} request`;
    case 'meta_event':
      return `${String(o.meta_event_type)} meta`;
    default:
      return String(o.post_type);
  }
};

/** One codec pass; turns a failure into the `Invalid*` error naming the first failing JSON path. */
const run = <A>(
  codec: t.Decoder<unknown, A>,
  o: Record<string, unknown>,
  code: ErrorCode,
  what: string,
  extra: () => FrameErrorData = () => ({}),
): E.Either<ProtocolError<FrameErrorData>, A> => {
  let result: t.Validation<A>;
  try {
    result = codec.decode(o);
  } catch (cause) {
    // Codecs are total for JSON input; this only guards against exotic pre-parsed values
    // (throwing getters, proxies) so that decoding never throws.
    return fail(code, `invalid ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, extra(), cause);
  }
  if (E.isRight(result)) return result;
  const errors = formatErrors(result.left);
  const first = result.left[0];
  const path = (first && jsonPath(first.context)) || '(root)';
  return fail(code, `invalid ${what}: ${errors[0] ?? 'invalid value'}`, { errors, path, ...extra() });
};

const requestExtras = (o: Record<string, unknown>) => (): FrameErrorData => {
  const data: { echo?: Json; action?: string } = {};
  if (has(o, 'echo') && Json.is(o.echo)) data.echo = o.echo;
  if (typeof o.action === 'string') data.action = o.action;
  return data;
};

/**
 * Decodes an already parsed JSON value as a frame (docs/protocol.md §2.1): `post_type` → event,
 * `action` → API request, `retcode`/`status` → API response, anything else → `UnknownFrame`.
 * Never throws.
 *
 * @example
 * import { decodeFrameValue } from 'onebot-rx/protocol';
 * const r = decodeFrameValue({ action: 'get_status', echo: 1 });
 * r._tag === 'Right' && r.right.kind === 'request'; // true
 *
 * @since 0.1.0
 * @category frames
 */
export const decodeFrameValue = (
  json: unknown,
  _opts?: DecodeFrameOptions,
): E.Either<ProtocolError<FrameErrorData>, Frame> => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(ErrorCode.NotObject, `frame is not a JSON object, got ${describe(json)}`);
  }
  const o = json as Record<string, unknown>;
  try {
    if (has(o, 'post_type')) {
      const codec = eventCodecOf(o);
      if (codec === undefined) {
        return E.map((event: ExtensionEvent): Frame => ({ kind: 'extension', event }))(
          run(ExtensionEvent, o, ErrorCode.InvalidEvent, 'event'),
        );
      }
      return E.map((event: OneBotEvent): Frame => ({ kind: 'event', event }))(
        run(codec, o, ErrorCode.InvalidEvent, `${eventLabel(o)} event`),
      );
    }
    if (has(o, 'action')) {
      return E.map((request: ApiRequest): Frame => ({ kind: 'request', request }))(
        run(ApiRequest, o, ErrorCode.InvalidRequest, 'API request', requestExtras(o)),
      );
    }
    if (has(o, 'retcode') || has(o, 'status')) {
      return E.map((response: ApiResponse): Frame => ({ kind: 'response', response }))(
        run(ApiResponse, o, ErrorCode.InvalidResponse, 'API response', () =>
          has(o, 'echo') && Json.is(o.echo) ? { echo: o.echo } : {},
        ),
      );
    }
  } catch (cause) {
    // Only reachable with hostile pre-parsed values (a proxy whose `has` trap throws).
    return fail(ErrorCode.UnknownFrame, 'frame could not be inspected', {}, cause);
  }
  return fail(
    ErrorCode.UnknownFrame,
    'frame is neither an event (post_type), an API request (action) nor an API response (status/retcode)',
  );
};

/**
 * Decodes one text frame: size check (before parsing), one `JSON.parse`, one codec pass.
 * Never throws; every failure is a {@link ProtocolError} whose `code` says which step failed and
 * whose message names the first failing JSON path.
 *
 * @example
 * import { decodeFrame } from 'onebot-rx/protocol';
 * const r = decodeFrame('{"action":"send_like","params":{"user_id":1},"echo":"7"}');
 * r._tag === 'Right' && r.right.kind === 'request' && r.right.request.echo === '7'; // true
 * const bad = decodeFrame('{');
 * bad._tag === 'Left' && bad.left.code === 'ONEBOT_INVALID_JSON'; // true
 *
 * @since 0.1.0
 * @category frames
 */
export const decodeFrame = (text: string, opts?: DecodeFrameOptions): E.Either<ProtocolError<FrameErrorData>, Frame> => {
  if (typeof text !== 'string') {
    return fail(ErrorCode.BinaryFrame, `frame is not text, got ${describe(text)}`);
  }
  const max = opts?.maxPayload;
  if (max !== undefined && max >= 0) {
    // UTF-8 takes 1..3 bytes per UTF-16 unit: the length is a lower bound, 3×length an upper one,
    // so bytes are only counted in between.
    if (text.length > max) {
      return fail(ErrorCode.FrameTooLarge, `frame too large: at least ${text.length} bytes, maxPayload is ${max}`, {
        maxPayload: max,
        size: text.length,
        exact: false,
      });
    }
    if (text.length * 3 > max) {
      const bytes = utf8Length(text, max);
      if (bytes > max) {
        return fail(ErrorCode.FrameTooLarge, `frame too large: at least ${bytes} bytes, maxPayload is ${max}`, {
          maxPayload: max,
          size: bytes,
          exact: false,
        });
      }
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return fail(
      ErrorCode.InvalidJson,
      `frame is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      {},
      cause,
    );
  }
  return decodeFrameValue(json, opts);
};

/**
 * Serialises an outbound frame to JSON text. No validation: values built by our own builders and
 * answer helpers are valid by construction, and this runs for every outbound frame.
 *
 * @example
 * import { encodeFrame } from 'onebot-rx/protocol';
 * encodeFrame({ status: 'ok', retcode: 0, data: null, echo: 1 }); // '{"status":"ok","retcode":0,"data":null,"echo":1}'
 *
 * @since 0.1.0
 * @category frames
 */
export const encodeFrame = (value: OneBotEvent | ExtensionEvent | ApiRequest | ApiResponse): string => JSON.stringify(value);
