import * as E from 'fp-ts/Either';
import { EMPTY, Subject, Subscription, catchError, concat, concatMap, defaultIfEmpty, from, ignoreElements, isObservable, take, throwError, timeout, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { Segment } from '../protocol/codecs/segments';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import type { ActionName, ActionParams } from '../protocol/codecs/api';
import { asyncResponse, errorResponse, okResponse, routeRequest, type ApiHandler, type ApiHandlers } from '../protocol/answer';
import { messageToCQ, normalizeMessage } from '../protocol/cq';
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
 * A message the server asked the bot to send (`send_msg`, `send_private_msg`, `send_group_msg`),
 * emitted on `client.sent$` by the built-in handlers.
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
  /** A handler failed or timed out (it is also answered with a failure). */
  readonly onError: (error: OneBotError) => void;
}

type AnyHandler = (params: never, request: ApiRequest) => unknown;

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function';

/** @internal */
export class ApiResponder {
  private readonly handlers: Record<string, AnyHandler | undefined> = Object.create(null) as Record<string, AnyHandler | undefined>;
  private readonly defaults: Record<string, AnyHandler>;
  private readonly rateLimited = new Subject<Observable<unknown>>();
  private readonly background = new Subscription();

  constructor(private readonly config: ApiResponderConfig) {
    this.defaults = this.builtins();
    Object.assign(this.handlers, this.defaults);
    this.background.add(
      this.rateLimited
        .pipe(concatMap((job) => concat(job, timer(config.rateLimitInterval, config.scheduler).pipe(ignoreElements()))))
        .subscribe(),
    );
  }

  /** Registers `handler` for `action` (base name); the returned function restores the previous one. */
  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void {
    const previous = this.handlers[action];
    const mine = handler as AnyHandler;
    this.handlers[action] = mine;
    return () => {
      if (this.handlers[action] === mine) this.handlers[action] = previous;
    };
  }

  /**
   * Answers `request` through `reply` — synchronously when possible. Returns the subscription of
   * work still running (to cancel it when the connection ends), if any.
   */
  answer(request: ApiRequest, reply: (response: ApiResponse) => void): Subscription | undefined {
    const routed = routeRequest(request, this.handlers as ApiHandlers);
    if (E.isLeft(routed)) {
      reply(routed.left);
      return undefined;
    }
    const route = routed.right;
    const echo = request.echo;
    if (route.mode !== 'sync') {
      // §2.6: accepted now, outcome unknown; the work runs detached from this connection.
      reply(asyncResponse(echo));
      const job = this.run(route.action, () => route.handler(route.params as never, request)).pipe(
        catchError((e: unknown) => {
          this.config.onError(this.failure(route.action, e));
          return EMPTY;
        }),
      );
      if (route.mode === 'rate_limited') this.rateLimited.next(job);
      else this.background.add(job.subscribe());
      return undefined;
    }
    let result: unknown;
    try {
      result = route.handler(route.params as never, request);
    } catch (e) {
      reply(this.failed(route.action, e, echo));
      return undefined;
    }
    if (!isObservable(result) && !isPromiseLike(result)) {
      reply(okResponse(result, echo));
      return undefined;
    }
    return this.run(route.action, () => result).subscribe({
      next: (data) => reply(okResponse(data, echo)),
      error: (e: unknown) => reply(this.failed(route.action, e, echo)),
    });
  }

  /** Stops background and rate-limited work. */
  dispose(): void {
    this.background.unsubscribe();
    this.rateLimited.complete();
  }

  /** The handler's outcome as one value, bounded by `apiTimeout` on the scheduler. */
  private run(action: string, call: () => unknown): Observable<unknown> {
    let source: Observable<unknown>;
    try {
      const r = call();
      source = isObservable(r) || isPromiseLike(r) ? from(r as Observable<unknown> | PromiseLike<unknown>) : from([r]);
    } catch (e) {
      return throwError(() => e);
    }
    const ms = this.config.apiTimeout;
    const bounded = source.pipe(take(1), defaultIfEmpty(null));
    return ms > 0
      ? bounded.pipe(
          timeout({
            first: ms,
            scheduler: this.config.scheduler,
            with: () => throwError(() => new OneBotError(ErrorCode.HandlerTimeout, `handler for ${action} did not answer within ${ms} ms`, { action, apiTimeout: ms })),
          }),
        )
      : bounded;
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

  private builtins(): Record<string, AnyHandler> {
    const { selfId, nickname, status, nextMessageId, onSent } = this.config;
    const sender =
      (fixed: 'private' | 'group' | undefined) =>
      (params: Record<string, unknown>, request: ApiRequest): { message_id: number } => {
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
        const messageId = nextMessageId();
        onSent({
          action: request.action,
          messageType,
          userId,
          groupId: messageType === 'group' ? groupId : undefined,
          message,
          rawMessage: messageToCQ(message),
          messageId,
          request,
        });
        return { message_id: messageId };
      };
    const handlers: { [A in ActionName]?: ApiHandler<A> } = {
      get_login_info: () => ({ user_id: selfId, nickname }),
      get_status: () => status(),
      get_version_info: () => ({ app_name: 'onebot-rx', app_version: LIBRARY_VERSION, protocol_version: 'v11' }),
      can_send_image: () => ({ yes: true }),
      can_send_record: () => ({ yes: true }),
      send_msg: sender(undefined) as ApiHandler<'send_msg'>,
      send_private_msg: sender('private') as ApiHandler<'send_private_msg'>,
      send_group_msg: sender('group') as ApiHandler<'send_group_msg'>,
    };
    return handlers as Record<string, AnyHandler>;
  }
}
