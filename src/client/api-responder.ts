import * as E from 'fp-ts/Either';
import { Subscription, isObservable, type SchedulerLike } from 'rxjs';
import type { Segment } from '../protocol/codecs/segments';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import type { ActionName, ActionParams } from '../protocol/codecs/api';
import { asyncResponse, errorResponse, okResponse, routeRequest, type ApiHandlers, type Route } from '../protocol/answer';
import { messageToCQ, normalizeMessage } from '../protocol/cq';
import { segment } from '../protocol/segment';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { LIBRARY_VERSION } from '../transport/socket-factory';
import type { ClientStatus } from './options';

/**
 * Answers the API calls a server makes (PROTOCOL.md §2.3–2.6). Routing, params decoding and response
 * shapes come from the pure core (`routeRequest`); this adds what needs time: handlers returning
 * Promises or Observables, a timeout on the client's scheduler, `_async` work in the background and
 * `_rate_limited` work spaced out. Plain-value handlers are answered synchronously, with no Rx
 * machinery on that path.
 */

/**
 * A message the server asked the bot to send (`send_msg`, `send_private_msg`, `send_group_msg`, or
 * the `reply` of `.handle_quick_operation`), emitted on `client.sent$` by the built-in handlers.
 *
 * @since 0.1.0
 * @category client
 */
export interface SentMessage {
  /** The action as called (suffix included). */
  readonly action: string;
  readonly messageType: 'private' | 'group';
  readonly userId: number | undefined;
  readonly groupId: number | undefined;
  /** The message as segments (a CQ string is parsed unless `auto_escape`). */
  readonly message: Segment[];
  /** CQ-code form of `message`. */
  readonly rawMessage: string;
  /** The id answered to the server. */
  readonly messageId: number;
  readonly request: ApiRequest;
}

/** A handler as registered with `client.handle`: value, PromiseLike or Observable. @since 0.1.0 @category client */
export type ClientApiHandler<A extends string> = (params: ActionParams<A>, request: ApiRequest) => unknown;

/** @internal */
export interface ApiResponderConfig {
  readonly selfId: number;
  readonly nickname: string;
  readonly status: () => ClientStatus;
  readonly nextMessageId: () => number;
  readonly scheduler: SchedulerLike;
  readonly apiTimeout: number;
  readonly rateLimitInterval: number;
  readonly onSent: (message: SentMessage) => void;
  /**
   * Writes an answer on the connection `to` (the token given to {@link ApiResponder.answer}); a
   * token, not a closure per request, so a synchronous answer allocates nothing beyond the response.
   */
  readonly reply: (response: ApiResponse, to: unknown) => void;
  /** A handler failed or timed out (it is also answered with a failure). */
  readonly onError: (error: OneBotError) => void;
}

type AnyHandler = (params: never, request: ApiRequest) => unknown;

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function';

type Builtin = (this: ApiResponderConfig, params: Record<string, unknown>, request: ApiRequest) => unknown;

/** Reports one message on `sent$` and returns the id answered to the server. */
function emitSent(
  config: ApiResponderConfig,
  request: ApiRequest,
  messageType: 'private' | 'group',
  userId: number | undefined,
  groupId: number | undefined,
  message: Segment[],
): number {
  const messageId = config.nextMessageId();
  config.onSent({ action: request.action, messageType, userId, groupId, message, rawMessage: messageToCQ(message), messageId, request });
  return messageId;
}

/** `send_msg` and friends: report the message on `sent$`, answer a fresh message id. */
function sendMessage(config: ApiResponderConfig, fixed: 'private' | 'group' | undefined, params: Record<string, unknown>, request: ApiRequest): { message_id: number } {
  const userId = params.user_id as number | undefined;
  const groupId = params.group_id as number | undefined;
  // send_msg: honour message_type; without it go-cqhttp's rule (user_id present → private).
  const messageType = fixed ?? (params.message_type as 'private' | 'group' | undefined) ?? (userId !== undefined ? 'private' : 'group');
  if (messageType === 'private' ? userId === undefined : groupId === undefined) {
    throw new OneBotError(ErrorCode.InvalidParams, `invalid params for ${request.action}: ${messageType === 'private' ? 'user_id' : 'group_id'} is required`, {
      retcode: 1400,
    });
  }
  const message = normalizeMessage(params.message as Parameters<typeof normalizeMessage>[0], params.auto_escape === true);
  return { message_id: emitSent(config, request, messageType, userId, messageType === 'group' ? groupId : undefined, message) };
}

/**
 * `.handle_quick_operation` (PROTOCOL.md §3.7, §5.3; aiocqhttp sends it for every handler that
 * returns a dict): a `reply` to a message event is sent like `send_msg` — to the sender of a private
 * message, to the group of a group message, prefixed with an @ of the sender when `at_sender` (the
 * spec's default: true) unless the sender was anonymous. The other operations (`delete`, `kick`,
 * `ban`, `approve`...) have no effect to carry out on the bot side and are accepted.
 */
function quickOperation(config: ApiResponderConfig, params: ActionParams<'.handle_quick_operation'>, request: ApiRequest): null {
  const { context, operation } = params;
  if (context.post_type !== 'message' || operation.reply === undefined) return null;
  const isGroupMessage = context.message_type === 'group';
  const userId = typeof context.user_id === 'number' ? context.user_id : undefined;
  const groupId = typeof context.group_id === 'number' ? context.group_id : undefined;
  if (isGroupMessage ? groupId === undefined : userId === undefined) {
    throw new OneBotError(ErrorCode.InvalidParams, `invalid params for ${request.action}: context.${isGroupMessage ? 'group_id' : 'user_id'} is required to reply`, {
      retcode: 1400,
    });
  }
  let message = normalizeMessage(operation.reply, operation.auto_escape);
  const anonymous = context.anonymous !== undefined && context.anonymous !== null;
  if (isGroupMessage && operation.at_sender && !anonymous && userId !== undefined) {
    message = [segment.at(userId), segment.text(' '), ...message];
  }
  emitSent(config, request, isGroupMessage ? 'group' : 'private', userId, isGroupMessage ? groupId : undefined, message);
  return null;
}

/**
 * The built-in handlers, one frozen table shared by every client: each reads its client's settings
 * from `this` (the responder's config), so no client rebuilds the table or holds closures for it.
 */
const BUILTINS: { readonly [A in ActionName]?: Builtin } = Object.freeze({
  get_login_info(this: ApiResponderConfig) {
    return { user_id: this.selfId, nickname: this.nickname };
  },
  get_status(this: ApiResponderConfig) {
    return this.status();
  },
  get_version_info() {
    return { app_name: 'onebot-rx', app_version: LIBRARY_VERSION, protocol_version: 'v11' };
  },
  can_send_image() {
    return { yes: true };
  },
  can_send_record() {
    return { yes: true };
  },
  send_msg(this: ApiResponderConfig, params: Record<string, unknown>, request: ApiRequest) {
    return sendMessage(this, undefined, params, request);
  },
  send_private_msg(this: ApiResponderConfig, params: Record<string, unknown>, request: ApiRequest) {
    return sendMessage(this, 'private', params, request);
  },
  send_group_msg(this: ApiResponderConfig, params: Record<string, unknown>, request: ApiRequest) {
    return sendMessage(this, 'group', params, request);
  },
  '.handle_quick_operation'(this: ApiResponderConfig, params: Record<string, unknown>, request: ApiRequest) {
    return quickOperation(this, params as unknown as ActionParams<'.handle_quick_operation'>, request);
  },
});

const BUILTIN_FUNCTIONS: ReadonlySet<unknown> = new Set(Object.values(BUILTINS));

/** A `_rate_limited` call waiting for its turn. */
interface QueuedJob {
  readonly route: Route;
  readonly request: ApiRequest;
}

/**
 * Answers API calls for one client. Handler outcomes (value, PromiseLike or Observable) are settled
 * by hand — first value, `apiTimeout` on the scheduler, cancellable — rather than through RxJS
 * operators: the same semantics without `from`/`timeout`/`concatMap` in every browser bundle.
 * @internal
 */
export class ApiResponder {
  /** Handlers by base action: the shared built-ins plus this client's own, copied on first need. */
  private declare table: Record<string, AnyHandler | undefined> | undefined;
  /** Background (`_async`, `_rate_limited`) work, cancelled by `dispose`. */
  private declare background: Subscription | undefined;
  /** `_rate_limited` calls waiting; `undefined` while none runs. */
  private declare queue: QueuedJob[] | undefined;
  private declare disposed: boolean;
  private declare readonly config: ApiResponderConfig;

  constructor(config: ApiResponderConfig) {
    this.config = config;
    this.table = undefined;
    this.background = undefined;
    this.queue = undefined;
    this.disposed = false;
  }

  private handlers(): Record<string, AnyHandler | undefined> {
    return (this.table ??= Object.assign(Object.create(null) as Record<string, AnyHandler | undefined>, BUILTINS as Record<string, AnyHandler>));
  }

  /** Registers `handler` for `action` (base name); the returned function restores the previous one. */
  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void {
    const handlers = this.handlers();
    const previous = handlers[action];
    const mine = handler as AnyHandler;
    handlers[action] = mine;
    return () => {
      if (handlers[action] === mine) handlers[action] = previous;
    };
  }

  /** Calls a routed handler: a built-in with its client's config as `this`, any other plainly. */
  private invoke(route: Route, request: ApiRequest): unknown {
    const h = route.handler as AnyHandler;
    return BUILTIN_FUNCTIONS.has(h) ? (h as unknown as Builtin).call(this.config, route.params, request) : h(route.params as never, request);
  }

  /**
   * Answers `request` on the connection `to` through `config.reply` — synchronously when possible.
   * Returns the subscription of work still running (to cancel it when the connection ends), if any.
   */
  answer(request: ApiRequest, to: unknown): Subscription | undefined {
    const reply = this.config.reply;
    const routed = routeRequest(request, this.handlers() as ApiHandlers);
    if (E.isLeft(routed)) {
      reply(routed.left, to);
      return undefined;
    }
    const route = routed.right;
    const echo = request.echo;
    if (route.mode !== 'sync') {
      // §2.6: accepted now, outcome unknown; the work runs detached from this connection.
      reply(asyncResponse(echo), to);
      if (this.disposed) return undefined;
      if (route.mode === 'async') this.runDetached(route, request, false);
      else if (this.queue !== undefined) this.queue.push({ route, request });
      else {
        this.queue = [];
        this.runDetached(route, request, true);
      }
      return undefined;
    }
    let result: unknown;
    try {
      result = this.invoke(route, request);
    } catch (e) {
      reply(this.failed(route.action, e, echo), to);
      return undefined;
    }
    if (!isObservable(result) && !isPromiseLike(result)) {
      reply(okResponse(result, echo), to);
      return undefined;
    }
    return this.settle(route.action, result, (ok, value) => reply(ok ? okResponse(value, echo) : this.failed(route.action, value, echo), to));
  }

  /** Runs a background handler; failures are reported (nobody waits for an answer). */
  private runDetached(route: Route, request: ApiRequest, rateLimited: boolean): void {
    const done = (ok: boolean, value: unknown): void => {
      if (!ok) this.config.onError(this.failure(route.action, value));
      if (rateLimited) this.nextJob();
    };
    let result: unknown;
    try {
      result = this.invoke(route, request);
    } catch (e) {
      done(false, e);
      return;
    }
    const work = this.settle(route.action, result, done);
    if (!work.closed) (this.background ??= new Subscription()).add(work);
  }

  /** After a `_rate_limited` call settled: the next one `rateLimitInterval` later. */
  private nextJob(): void {
    if (this.disposed) return;
    const { rateLimitInterval, scheduler } = this.config;
    const wait = scheduler.schedule(() => {
      this.background?.remove(wait);
      const job = this.queue?.shift();
      if (job === undefined) this.queue = undefined;
      else if (!this.disposed) this.runDetached(job.route, job.request, true);
    }, rateLimitInterval);
    (this.background ??= new Subscription()).add(wait);
  }

  /**
   * Waits for a handler's outcome: the first value of an Observable (`null` if it completes empty),
   * a PromiseLike's value, or a plain value; an error or `apiTimeout` without a value fails. Calls
   * `done` once, unless the returned subscription is unsubscribed first.
   */
  private settle(action: string, result: unknown, done: (ok: boolean, value: unknown) => void): Subscription {
    const work = new Subscription();
    const finish = (ok: boolean, value: unknown): void => {
      if (work.closed) return;
      work.unsubscribe(); // stops the timeout and the source (a first value is all we take)
      done(ok, ok && value === undefined ? null : value);
    };
    const ms = this.config.apiTimeout;
    if (ms > 0 && (isObservable(result) || isPromiseLike(result))) {
      work.add(
        this.config.scheduler.schedule(
          () => finish(false, new OneBotError(ErrorCode.HandlerTimeout, `handler for ${action} did not answer within ${ms} ms`, { action, apiTimeout: ms })),
          ms,
        ),
      );
    }
    if (isObservable(result)) {
      work.add(result.subscribe({ next: (v) => finish(true, v), error: (e: unknown) => finish(false, e), complete: () => finish(true, null) }));
    } else if (isPromiseLike(result)) {
      try {
        result.then(
          (v) => finish(true, v),
          (e: unknown) => finish(false, e),
        );
      } catch (e) {
        finish(false, e);
      }
    } else {
      finish(true, result);
    }
    return work;
  }

  /** Stops background and rate-limited work. */
  dispose(): void {
    this.disposed = true;
    this.queue = undefined;
    this.background?.unsubscribe();
  }

  private failure(action: string, e: unknown): OneBotError {
    if (e instanceof OneBotError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new OneBotError(ErrorCode.HandlerFailed, `handler for ${action} failed: ${message}`, { action }, { cause: e });
  }

  private failed(action: string, e: unknown, echo: ApiRequest['echo']): ApiResponse {
    const error = this.failure(action, e);
    this.config.onError(error);
    // The server sees the handler's own message (or ours for a timeout), never a stack.
    return errorResponse(e, echo);
  }
}
