import * as E from 'fp-ts/Either';
import { EMPTY, Observable, Subject, concat, concatMap, defer, from, ignoreElements, isObservable, map, merge, mergeMap, of, take, tap, throwError, timeout, timer, catchError, defaultIfEmpty, finalize, type SchedulerLike } from 'rxjs';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import { asyncResponse, encodeResponse, errorResponse, failedResponse, okResponse, Retcode, routeRequest, type ApiHandlers, type Route } from '../protocol/answer';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { logsAt, type Logger } from '../logging/logger';

/**
 * The API-answering engine, shared by the client and the reference server: API calls of one
 * connection in, encoded answers out. Routing, params decoding and response shapes come from the
 * pure core (`routeRequest`, `encodeResponse`); this adds what needs time and bounds:
 *
 * - handlers may return a value, a Promise or an Observable (`defer(() => from(...))`), of which the
 *   first value answers (`take(1)`), within `apiTimeout` (`timeout`);
 * - at most `concurrentHandlers` run at once (`mergeMap(…, limit)`); calls received and not yet
 *   answered are bounded in count and size, and past the bound the caller is told to stop reading
 *   (`pause`), and a call that still arrives is answered with a failure (1429);
 * - `_async` calls are answered `async` at once and run in the background, within the same limits;
 * - `_rate_limited` calls are answered `async` at once and run one at a time, `rateLimitInterval`
 *   apart (`concatMap`), from a bounded queue that is dropped, and reported, when the connection ends;
 * - a handler that throws, rejects, times out, or returns what cannot be encoded or is larger than
 *   `maxPayload` is answered with a failure that says why, and reported. Nothing a handler does can
 *   end the connection or the process.
 */

/** One API call as it arrived: the request and the size of its frame. @since 0.2.0 @category api */
export interface IncomingCall {
  readonly request: ApiRequest;
  /** Characters of the frame's JSON text. */
  readonly size: number;
}

/** @since 0.2.0 @category api */
export interface AnsweringConfig {
  /** Looked up per call, so handlers registered later apply. */
  readonly handlers: () => ApiHandlers;
  readonly scheduler: SchedulerLike;
  readonly apiTimeout: number;
  readonly concurrentHandlers: number;
  readonly pendingCallsLimit: number;
  readonly pendingCallsBytes: number;
  readonly rateLimitInterval: number;
  readonly rateLimitedLimit: number;
  readonly rateLimitedBytes: number;
  readonly maxPayload: number;
  /** Told of every failure: handlers, encoding, refusals, dropped background work. */
  readonly report: (error: OneBotError) => void;
  readonly logger?: Logger;
  /** Backpressure: stop and restart reading the connection's socket. */
  readonly pause?: () => void;
  readonly resume?: () => void;
}

/** The answering settings of a client's options, picked (one object per connection, not a copy of every option). @internal */
export const answeringOf = (
  o: Pick<AnsweringConfig, 'scheduler' | 'apiTimeout' | 'concurrentHandlers' | 'pendingCallsLimit' | 'pendingCallsBytes' | 'rateLimitInterval' | 'rateLimitedLimit' | 'rateLimitedBytes' | 'maxPayload'>,
  wiring: Pick<AnsweringConfig, 'handlers' | 'report' | 'logger'>,
): Omit<AnsweringConfig, 'pause' | 'resume'> => ({
  ...wiring,
  scheduler: o.scheduler,
  apiTimeout: o.apiTimeout,
  concurrentHandlers: o.concurrentHandlers,
  pendingCallsLimit: o.pendingCallsLimit,
  pendingCallsBytes: o.pendingCallsBytes,
  rateLimitInterval: o.rateLimitInterval,
  rateLimitedLimit: o.rateLimitedLimit,
  rateLimitedBytes: o.rateLimitedBytes,
  maxPayload: o.maxPayload,
});

/** A count-and-size budget. */
class Budget {
  count = 0;
  size = 0;
  constructor(
    readonly limit: number,
    readonly bytes: number,
  ) {}
  fits(size: number): boolean {
    return this.count < this.limit && this.size + size <= this.bytes;
  }
  add(size: number): void {
    this.count++;
    this.size += size;
  }
  remove(size: number): void {
    this.count--;
    this.size -= size;
  }
}

/** A routed call, with its request as handlers see it (params decoded, defaults filled). */
interface Job {
  readonly route: Route;
  readonly request: ApiRequest;
  readonly size: number;
}

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function';

/**
 * Answers the calls of one connection. Subscribe once per connection; unsubscribing (the
 * connection ended) cancels running handlers and drops, with one report, the rate-limited calls
 * still waiting.
 *
 * @since 0.2.0
 * @category api
 */
export const answerCalls = (calls$: Observable<IncomingCall>, config: AnsweringConfig): Observable<string> =>
  defer(() => {
    const pending = new Budget(config.pendingCallsLimit, config.pendingCallsBytes);
    const waitingTurn = new Budget(config.rateLimitedLimit, config.rateLimitedBytes);
    let paused = false;

    const failure = (action: string, e: unknown): OneBotError =>
      e instanceof OneBotError ? e : new OneBotError(ErrorCode.HandlerFailed, `handler for ${action} failed: ${e instanceof Error ? e.message : String(e)}`, { action }, { cause: e });

    /** Calls the handler (it may throw). */
    const call = (job: Job): unknown => (job.route.handler as (p: unknown, r: ApiRequest) => unknown)(job.route.params, job.request);

    /** A Promise or an Observable result as the first value of an Observable, within `apiTimeout`. */
    const settle = (job: Job, result: PromiseLike<unknown> | Observable<unknown>): Observable<unknown> => {
      const ms = config.apiTimeout;
      const outcome = from(result).pipe(take(1), defaultIfEmpty(null));
      return ms > 0
        ? outcome.pipe(
            timeout({
              first: ms,
              scheduler: config.scheduler,
              with: () => throwError(() => new OneBotError(ErrorCode.HandlerTimeout, `handler for ${job.route.action} did not answer within ${ms} ms`, { action: job.route.action, apiTimeout: ms })),
            }),
          )
        : outcome;
    };

    /** The handler's outcome as the first value of an Observable: a value, a Promise or an Observable. */
    const run = (job: Job): Observable<unknown> =>
      defer(() => {
        const result = call(job);
        return isObservable(result) || isPromiseLike(result) ? settle(job, result) : of(result);
      });

    /** The encoded answer to a call, from its handler's value or failure. */
    const succeeded = (job: Job, value: unknown): string => encoded(okResponse(value, job.request.echo));
    const failed = (job: Job, e: unknown): string => {
      config.report(failure(job.route.action, e));
      return encoded(errorResponse(e, job.request.echo));
    };
    const encoded = (response: ApiResponse): string => {
      const out = encodeResponse(response, config.maxPayload);
      if (out.error !== undefined) config.report(out.error);
      return out.text;
    };

    /**
     * A call's answer, from its handler's outcome. Called by `mergeMap` when a handler slot is free,
     * so the handler runs then (and counts against `concurrentHandlers` while it runs). A plain value
     * (most handlers return one) is answered at once; a Promise or an Observable goes through
     * {@link settle}. Either way the call's budget is released once its answer is out.
     */
    const answer = (job: Job): Observable<string> => {
      let result: unknown;
      try {
        result = call(job);
      } catch (e) {
        return ready(job, failed(job, e));
      }
      if (!isObservable(result) && !isPromiseLike(result)) return ready(job, succeeded(job, result));
      return settle(job, result).pipe(
        map((value) => succeeded(job, value)),
        catchError((e: unknown) => of(failed(job, e))),
        finalize(() => release(job.size)),
      );
    };

    /** An answer that is ready: emitted, then the call's budget released (so calls that resume reading brings in come after it). */
    const ready = (job: Job, text: string): Observable<string> =>
      new Observable((subscriber) => {
        subscriber.next(text);
        release(job.size);
        subscriber.complete();
      });

    /** A background call: nobody waits for its outcome, so a failure is only reported. */
    const background = (job: Job): Observable<never> =>
      run(job).pipe(
        catchError((e: unknown) => {
          config.report(failure(job.route.action, e));
          return EMPTY;
        }),
        ignoreElements(),
      );

    const release = (size: number): void => {
      pending.remove(size);
      if (paused && pending.count <= pending.limit / 2) {
        paused = false;
        config.resume?.();
      }
    };

    const refuse = (call: IncomingCall, what: string): string => {
      config.report(new OneBotError(ErrorCode.HandlerFailed, `API call ${call.request.action} refused: ${what}`, { action: call.request.action, retcode: Retcode.Busy }));
      return encodeResponse(failedResponse(Retcode.Busy, `too many API calls pending: ${what}`, call.request.echo), config.maxPayload).text;
    };

    const immediate = new Subject<string>();
    /** Calls for a handler slot: answered, or (`_async`) run in the background. */
    const handled = new Subject<Job>();
    const rateLimited = new Subject<Job>();

    const dispatch = (call: IncomingCall): void => {
      const routed = routeRequest(call.request, config.handlers());
      if (logsAt(config.logger, 'debug')) config.logger!.debug(`API call ${String(call.request.action)}`, { echo: call.request.echo, ok: E.isRight(routed) });
      if (E.isLeft(routed)) return immediate.next(encodeResponse(routed.left, config.maxPayload).text);
      const route = routed.right;
      const echo = call.request.echo;
      const request: ApiRequest = echo === undefined ? { action: call.request.action, params: route.params } : { action: call.request.action, params: route.params, echo };
      const job: Job = { route, request, size: call.size };
      if (route.mode === 'rate_limited') {
        if (!waitingTurn.fits(call.size)) return immediate.next(refuse(call, `${waitingTurn.count} rate-limited calls waiting (rateLimitedLimit ${waitingTurn.limit}, rateLimitedBytes ${waitingTurn.bytes})`));
        waitingTurn.add(call.size);
        immediate.next(encodeResponse(asyncResponse(echo), config.maxPayload).text);
        return rateLimited.next(job);
      }
      if (!pending.fits(call.size)) return immediate.next(refuse(call, `${pending.count} calls not answered yet (pendingCallsLimit ${pending.limit}, pendingCallsBytes ${pending.bytes})`));
      pending.add(call.size);
      if (!paused && !pending.fits(0)) {
        paused = true;
        config.pause?.();
      }
      // §2.6: an `_async` call is accepted now, outcome unknown; its work still counts against the bounds.
      if (route.mode === 'async') immediate.next(encodeResponse(asyncResponse(echo), config.maxPayload).text);
      handled.next(job);
    };

    const rateLimitedWork$ = rateLimited.pipe(
      concatMap((job) =>
        concat(
          background(job).pipe(finalize(() => waitingTurn.remove(job.size))),
          timer(config.rateLimitInterval, config.scheduler).pipe(ignoreElements()),
        ),
      ),
    );

    const answers$ = merge(
      immediate,
      // `mergeMap` calls its project when a slot is free: that is when a handler runs.
      handled.pipe(mergeMap((job) => (job.route.mode === 'async' ? background(job).pipe(finalize(() => release(job.size))) : answer(job)), config.concurrentHandlers)),
      rateLimitedWork$,
    );

    return merge(answers$, calls$.pipe(tap(dispatch), ignoreElements())).pipe(
      finalize(() => {
        if (waitingTurn.count > 0) {
          config.report(
            new OneBotError(ErrorCode.HandlerFailed, `connection ended with ${waitingTurn.count} rate-limited API call(s) still waiting: dropped`, { dropped: waitingTurn.count }),
          );
        }
      }),
    );
  });
