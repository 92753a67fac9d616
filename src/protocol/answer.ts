import * as E from 'fp-ts/Either';
import { ErrorCode, OneBotError, ProtocolError, isOneBotError } from './errors';
import { describe, formatErrors } from './codecs/common';
import type { Json } from './codecs/common';
import type { ApiRequest, ApiResponse } from './codecs/frames';
import { actionCodecsOf } from './codecs/api';
import type { ActionName, ActionParams } from './codecs/api';

/**
 * Answering API requests (docs/protocol.md §2.3–2.6), purely: routing, params decoding, running the
 * handler and shaping the response. No timers and no sockets; the client decides about timeouts,
 * concurrency and rate limiting with {@link routeRequest}.
 */

/** Spec retcodes (§2.5) plus ours for a failing handler. @since 0.1.0 @category api */
export const Retcode = {
  Ok: 0,
  Async: 1,
  BadRequest: 1400,
  NotFound: 1404,
  /** Too many calls waiting already (a bound of the answering side): try again later. */
  Busy: 1429,
  HandlerFailed: 1500,
} as const;

/**
 * One response, written as an object literal (no `{ ...response, echo }` spread: this runs once per
 * API answer, and a spread followed by more keys is slow on V8). Key order is the wire order.
 */
const response = (status: ApiResponse['status'], retcode: number, data: unknown, message: string, echo: Json | undefined): ApiResponse =>
  echo === undefined
    ? { status, retcode, data, message, wording: message }
    : { status, retcode, data, message, wording: message, echo };

/**
 * A successful response: `status: ok`, `retcode: 0`, `data` (`undefined` becomes `null`).
 * `echo` is copied as is; pass `undefined` when the request had none and the key is left out.
 *
 * @example
 * import { okResponse } from 'onebot-rx/protocol';
 * okResponse({ message_id: 1 }, '17');
 * // { status: 'ok', retcode: 0, data: { message_id: 1 }, message: '', wording: '', echo: '17' }
 *
 * @since 0.1.0
 * @category api
 */
export const okResponse = (data: unknown, echo?: Json): ApiResponse =>
  response('ok', Retcode.Ok, data === undefined ? null : data, '', echo);

/**
 * The `async` reply (§2.6): accepted for background execution, `retcode: 1`, `data: null`.
 *
 * @since 0.1.0
 * @category api
 */
export const asyncResponse = (echo?: Json): ApiResponse => response('async', Retcode.Async, null, '', echo);

/**
 * A failure: `status: failed`, the given `retcode`, `data: null`, the text in both `message`
 * (NapCat/go-cqhttp) and `wording` (go-cqhttp).
 *
 * @example
 * import { failedResponse } from 'onebot-rx/protocol';
 * failedResponse(1404, 'unknown action: foo', 3).status === 'failed'; // true
 *
 * @since 0.1.0
 * @category api
 */
export const failedResponse = (retcode: number, message: string, echo?: Json): ApiResponse =>
  response('failed', retcode, null, message, echo);

/** A retcode a handler may choose: an integer that does not claim success (0) or async (1). */
const isFailureRetcode = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u !== 0 && u !== 1;

const retcodeOfCode: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidParams]: Retcode.BadRequest,
  [ErrorCode.InvalidRequest]: Retcode.BadRequest,
  [ErrorCode.InvalidJson]: Retcode.BadRequest,
  [ErrorCode.NotObject]: Retcode.BadRequest,
  [ErrorCode.FrameTooLarge]: Retcode.BadRequest,
  [ErrorCode.UnknownAction]: Retcode.NotFound,
};

const messageOf = (error: unknown): string => {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'handler failed';
  }
};

/**
 * A failure response for any thrown value. A {@link OneBotError} whose `data.retcode` is a failure
 * retcode answers with it; otherwise the error code decides (bad request / params → 1400, unknown
 * action → 1404), and everything else is 1500 with the error's message.
 *
 * @example
 * import { errorResponse, OneBotError, ErrorCode } from 'onebot-rx/protocol';
 * errorResponse(new OneBotError(ErrorCode.HandlerFailed, 'no such group', { retcode: 100 }), 1).retcode === 100;
 *
 * @since 0.1.0
 * @category api
 */
export const errorResponse = (error: unknown, echo?: Json): ApiResponse => {
  if (isOneBotError(error)) {
    const retcode = isFailureRetcode(error.data.retcode) ? error.data.retcode : (retcodeOfCode[error.code] ?? Retcode.HandlerFailed);
    return failedResponse(retcode, messageOf(error), echo);
  }
  return failedResponse(Retcode.HandlerFailed, messageOf(error), echo);
};

/**
 * Handles one action: gets the decoded params (defaults filled) and the request; returns the
 * response `data` (`undefined` → `null`), or a PromiseLike of it. Throwing or rejecting answers a
 * failure (see {@link errorResponse}).
 *
 * @since 0.1.0
 * @category api
 */
export type ApiHandler<A extends string = string> = (params: ActionParams<A>, request: ApiRequest) => unknown;

/**
 * Handlers by base action name (no suffix; hidden actions keep their leading `.`). Actions with no
 * handler are answered 1404.
 *
 * @since 0.1.0
 * @category api
 */
export type ApiHandlers = { readonly [A in ActionName]?: ApiHandler<A> } & {
  readonly [action: string]: ((params: never, request: ApiRequest) => unknown) | undefined;
};

/** How a request runs (§2.6). @since 0.1.0 @category api */
export type ApiMode = 'sync' | 'async' | 'rate_limited';

/**
 * A routed request: the handler to run and its decoded params.
 *
 * @since 0.1.0
 * @category api
 */
export interface Route {
  /** The action as sent, suffix included. */
  readonly action: string;
  /** The action without `_async` / `_rate_limited`: the key of the handler. */
  readonly baseAction: string;
  readonly mode: ApiMode;
  /** Decoded by the action's params codec; the raw params object for actions without one. */
  readonly params: Record<string, unknown>;
  readonly handler: (params: never, request: ApiRequest) => unknown;
}

/**
 * What {@link routeRequest} and {@link answerRequest} accept: a decoded {@link ApiRequest}, or a raw
 * `{ action, params, echo }` whose params have not been checked yet.
 *
 * @since 0.1.0
 * @category api
 */
export type RoutableRequest = ApiRequest | { readonly action: string; readonly params?: unknown; readonly echo?: Json };

/** Actions the spec says are answered `async` whatever the suffix (the service restarts). */
const ALWAYS_ASYNC: ReadonlySet<string> = new Set(['set_restart']);

const SUFFIXES: ReadonlyArray<readonly [string, ApiMode]> = [
  ['_async', 'async'],
  ['_rate_limited', 'rate_limited'],
];

const handlerOf = (handlers: ApiHandlers, action: string): Route['handler'] | undefined => {
  if (!Object.prototype.hasOwnProperty.call(handlers, action)) return undefined;
  const h = handlers[action];
  return typeof h === 'function' ? h : undefined;
};

/**
 * Splits an action into its base name and mode: `send_msg_async` → `send_msg`, `async`;
 * `.handle_quick_operation_async` → `.handle_quick_operation`, `async`.
 *
 * @since 0.1.0
 * @category api
 */
export const splitAction = (action: string): { baseAction: string; mode: ApiMode } => {
  for (const [suffix, mode] of SUFFIXES) {
    if (action.length > suffix.length && action.endsWith(suffix)) {
      return { baseAction: action.slice(0, -suffix.length), mode };
    }
  }
  return { baseAction: action, mode: 'sync' };
};

/**
 * Finds the handler for a request and decodes its params; pure and synchronous. Left is the
 * failure response to send: 1404 when no handler exists, 1400 when the params are malformed.
 * A handler registered under the full suffixed name (an extension whose name happens to end in
 * `_async`) is used as is, synchronously.
 *
 * @example
 * import { routeRequest } from 'onebot-rx/protocol';
 * const r = routeRequest({ action: 'send_like_async', params: { user_id: '1' } }, { send_like: () => null });
 * // Right({ action: 'send_like_async', baseAction: 'send_like', mode: 'async', params: { user_id: 1, times: 1 }, handler })
 *
 * @since 0.1.0
 * @category api
 */
export const routeRequest = (request: RoutableRequest, handlers: ApiHandlers): E.Either<ApiResponse, Route> => {
  const { action, echo } = request;
  if (typeof action !== 'string') {
    return E.left(failedResponse(Retcode.BadRequest, `invalid request: action: expected string, got ${describe(action)}`, echo));
  }
  let baseAction = action;
  let mode: ApiMode = 'sync';
  // Only names ending in `c` (`_async`) or `d` (`_rate_limited`) can carry a suffix.
  const last = action.charCodeAt(action.length - 1);
  if (last === 99 || last === 100) ({ baseAction, mode } = splitAction(action));
  let handler = handlerOf(handlers, baseAction);
  if (handler === undefined && baseAction !== action) {
    handler = handlerOf(handlers, action);
    if (handler !== undefined) {
      baseAction = action;
      mode = 'sync';
    }
  }
  if (handler === undefined) return E.left(failedResponse(Retcode.NotFound, `unknown action: ${action}`, echo));
  if (ALWAYS_ASYNC.has(baseAction)) mode = 'async';

  const raw = request.params === undefined || request.params === null ? {} : request.params;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return E.left(
      failedResponse(Retcode.BadRequest, `invalid params for ${action}: params: expected object, got ${describe(raw)}`, echo),
    );
  }
  const codecs = actionCodecsOf(baseAction);
  if (codecs === undefined) return E.right({ action, baseAction, mode, params: raw as Record<string, unknown>, handler });
  const decoded = codecs.params.decode(raw);
  if (E.isLeft(decoded)) {
    return E.left(failedResponse(Retcode.BadRequest, `invalid params for ${action}: ${formatErrors(decoded.left).join('; ')}`, echo));
  }
  return E.right({ action, baseAction, mode, params: decoded.right as Record<string, unknown>, handler });
};

/**
 * @since 0.1.0
 * @category api
 */
export interface AnswerOptions {
  /**
   * Check a handler's result against the action's result codec and answer 1500 when it does not
   * match. Off by default: results come from our own code and this runs for every call.
   * @defaultValue false
   */
  readonly validateResult?: boolean;
  /**
   * Told when a background (`_async` / `_rate_limited`) handler fails; that failure has no reply.
   * The error is a `HandlerFailed` {@link OneBotError} whose `cause` is what the handler threw.
   * @defaultValue ignore
   */
  readonly onBackgroundError?: (error: OneBotError, route: Route) => void;
}

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  (typeof u === 'object' || typeof u === 'function') && u !== null && typeof (u as { then?: unknown }).then === 'function';

/** The response for a handler's value, or the error explaining why the value is unacceptable. */
const resultResponse = (route: Route, value: unknown, echo: Json | undefined, options: AnswerOptions): ApiResponse => {
  const data = value === undefined ? null : value;
  if (options.validateResult === true) {
    const codecs = actionCodecsOf(route.baseAction);
    if (codecs !== undefined) {
      const checked = codecs.result.decode(data);
      if (E.isLeft(checked)) {
        return failedResponse(
          Retcode.HandlerFailed,
          `invalid result for ${route.baseAction}: ${formatErrors(checked.left).join('; ')}`,
          echo,
        );
      }
    }
  }
  return okResponse(data, echo);
};

const runInBackground = (route: Route, request: ApiRequest, options: AnswerOptions): void => {
  const report = (cause: unknown, message: string) => {
    if (options.onBackgroundError === undefined) return;
    try {
      options.onBackgroundError(
        new OneBotError(ErrorCode.HandlerFailed, message, { action: route.action }, { cause }),
        route,
      );
    } catch {
      // A failing reporter must not turn into an unhandled rejection.
    }
  };
  // A microtask, not a timer: the `async` reply is returned before the handler starts.
  Promise.resolve()
    .then(() => (route.handler as ApiHandler)(route.params, request))
    .then(
      (value) => {
        const response = resultResponse(route, value, undefined, options);
        if (response.status === 'failed') report(value, response.message ?? '');
      },
      (cause: unknown) => report(cause, `${route.action} failed in the background: ${messageOf(cause)}`),
    );
};

/**
 * Answers one API request with the handlers: routes it ({@link routeRequest}), runs the handler and
 * shapes the response, copying `echo`. Synchronous when the handler returns a plain value; a
 * Promise when it returns a thenable. `_async` / `_rate_limited` requests (and `set_restart`) are
 * answered `async` at once and the handler runs right after in the background (no queueing here:
 * a client that rate-limits uses {@link routeRequest} and schedules itself). Never throws and
 * never rejects.
 *
 * @example
 * import { answerRequest } from 'onebot-rx/protocol';
 * answerRequest({ action: 'get_login_info', params: {}, echo: 1 }, {
 *   get_login_info: () => ({ user_id: 10001000, nickname: 'bot' }),
 * });
 * // { status: 'ok', retcode: 0, data: { user_id: 10001000, nickname: 'bot' }, message: '', wording: '', echo: 1 }
 *
 * @since 0.1.0
 * @category api
 */
export const answerRequest = (
  request: RoutableRequest,
  handlers: ApiHandlers,
  options: AnswerOptions = {},
): ApiResponse | Promise<ApiResponse> => {
  const routed = routeRequest(request, handlers);
  if (E.isLeft(routed)) return routed.left;
  const route = routed.right;
  const echo = request.echo;
  // Handlers receive a decoded request: params as decoded (defaults filled).
  const decodedRequest: ApiRequest = echo === undefined ? { ...request, params: route.params } : { ...request, params: route.params, echo };

  if (route.mode !== 'sync') {
    runInBackground(route, decodedRequest, options);
    return asyncResponse(echo);
  }
  let value: unknown;
  let thenable: boolean;
  try {
    value = (route.handler as ApiHandler)(route.params, decodedRequest);
    thenable = isThenable(value); // inside the try: a `then` getter may throw too
  } catch (error) {
    return errorResponse(error, echo);
  }
  if (!thenable) return resultResponse(route, value, echo, options);
  return Promise.resolve(value)
    .then(
      (resolved) => resultResponse(route, resolved, echo, options),
      (error: unknown) => errorResponse(error, echo),
    )
    .catch((error: unknown) => errorResponse(error, echo));
};

/** An encoded answer, and why it had to be replaced, if it was. @since 0.2.0 @category api */
export interface EncodedResponse {
  readonly text: string;
  /** Set when the response could not go out as it was: it was replaced by a failed answer saying why. */
  readonly error?: ProtocolError;
}

/**
 * Encodes a response for the wire, never throwing: a response `JSON.stringify` cannot encode (a
 * BigInt, a cycle, data nested too deep) or one larger than `maxPayload` is replaced by a failed
 * answer (1500) with the same `echo` that says why, and the reason is returned as `error` so the
 * caller reports it.
 *
 * @example
 * import { encodeResponse, okResponse } from 'onebot-rx/protocol';
 * encodeResponse(okResponse({ big: 1n }, 7), 1024).error?.code === 'ONEBOT_INVALID_OUTGOING';
 * JSON.parse(encodeResponse(okResponse('x'.repeat(100), 7), 50).text).retcode === 1500;
 *
 * @since 0.2.0
 * @category api
 */
export const encodeResponse = (response: ApiResponse, maxPayload: number): EncodedResponse => {
  let text: string;
  try {
    text = JSON.stringify(response);
  } catch (e) {
    const error = new ProtocolError(ErrorCode.InvalidOutgoing, `answer cannot be encoded as JSON: ${messageOf(e)}`, { echo: response.echo });
    return { text: replacement(error, response.echo, maxPayload), error };
  }
  if (text.length > maxPayload) {
    const error = new ProtocolError(ErrorCode.FrameTooLarge, `answer too large: ${text.length} bytes, maxPayload is ${maxPayload}`, { echo: response.echo, size: text.length, maxPayload });
    return { text: replacement(error, response.echo, maxPayload), error };
  }
  return { text };
};

/** The failed answer standing in for one that cannot go out; without the echo if even that cannot go out. */
const replacement = (error: ProtocolError, echo: Json | undefined, maxPayload: number): string => {
  try {
    const text = JSON.stringify(failedResponse(Retcode.HandlerFailed, error.message, echo));
    if (text.length <= maxPayload) return text;
  } catch {
    // the echo itself cannot be encoded
  }
  return JSON.stringify(failedResponse(Retcode.HandlerFailed, error.message));
};
