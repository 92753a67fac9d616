import type { SchedulerLike, Subscription } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { ApiResponse } from '../protocol/codecs/frames';
import type { ApiResponseRecord, EchoStyle, Usage } from './reference-server-types';

/**
 * The API calls the server made (`callApi`) and is waiting on, matched by `(self_id, echo)`.
 * Bounded in count (`pendingCallsLimit`) and in bytes of request frames (`pendingCallsBytes`), for
 * the whole server; a call past either bound is rejected at once. Timeouts run on the server's
 * scheduler.
 * @internal
 */

interface PendingCall {
  readonly selfId: number;
  readonly action: string;
  readonly echo: unknown;
  readonly size: number;
  readonly sentAt: number;
  readonly timer: Subscription;
  readonly resolve: (r: ApiResponse) => void;
  readonly reject: (e: Error) => void;
}

/** @internal */
export const echoFor = (style: EchoStyle, n: number): unknown => (style === 'number' ? n : style === 'object' ? { seq: n } : String(n));

const keyOf = (selfId: number, echo: unknown): string => `${selfId}|${JSON.stringify(echo)}`;

/** @internal */
export class PendingCalls {
  private readonly calls = new Map<string, PendingCall>();
  private bytes = 0;

  constructor(
    private readonly limits: { readonly pendingCallsLimit: number; readonly pendingCallsBytes: number },
    private readonly scheduler: SchedulerLike,
  ) {}

  get usage(): Usage {
    return { count: this.calls.size, bytes: this.bytes };
  }

  /**
   * Starts waiting for the answer to a request of `size` bytes; returns the error to reject with
   * instead when a bound would be passed.
   */
  add(call: { selfId: number; action: string; echo: unknown; size: number; timeout: number; resolve: (r: ApiResponse) => void; reject: (e: Error) => void }): OneBotError | undefined {
    const { pendingCallsLimit, pendingCallsBytes } = this.limits;
    if (this.calls.size >= pendingCallsLimit || this.bytes + call.size > pendingCallsBytes) {
      const what = this.calls.size >= pendingCallsLimit ? `pendingCallsLimit ${pendingCallsLimit}` : `pendingCallsBytes ${pendingCallsBytes}`;
      return new OneBotError(ErrorCode.OutboxOverflow, `callApi refused: ${this.calls.size} calls (${this.bytes} bytes) already wait for an answer (${what})`, {
        selfId: call.selfId,
        action: call.action,
        limit: this.calls.size >= pendingCallsLimit ? 'pendingCallsLimit' : 'pendingCallsBytes',
      });
    }
    const key = keyOf(call.selfId, call.echo);
    const timer = this.scheduler.schedule(() => {
      if (this.take(key) === undefined) return;
      call.reject(new OneBotError(ErrorCode.ApiTimeout, `bot ${call.selfId} did not answer ${call.action} within ${call.timeout} ms`, { selfId: call.selfId, action: call.action, timeout: call.timeout }));
    }, call.timeout);
    this.calls.set(key, { ...call, sentAt: this.scheduler.now(), timer });
    this.bytes += call.size;
    return undefined;
  }

  /** Settles the call this response answers; returns its record, or undefined when none waited. */
  answer(selfId: number, response: ApiResponse): ApiResponseRecord | undefined {
    const p = this.take(keyOf(selfId, response.echo));
    if (p === undefined) return undefined;
    p.resolve(response);
    return { selfId, action: p.action, echo: p.echo, response, durationMs: this.scheduler.now() - p.sentAt };
  }

  /** Rejects the call waiting on `(selfId, echo)`, if any. */
  fail(selfId: number, echo: unknown, error: Error): void {
    this.take(keyOf(selfId, echo))?.reject(error);
  }

  /** Rejects every call (of one bot, or all). */
  failAll(make: (p: { selfId: number; action: string }) => Error, selfId?: number): void {
    for (const [key, p] of [...this.calls]) {
      if (selfId !== undefined && p.selfId !== selfId) continue;
      this.take(key);
      p.reject(make(p));
    }
  }

  private take(key: string): PendingCall | undefined {
    const p = this.calls.get(key);
    if (p === undefined) return undefined;
    this.calls.delete(key);
    this.bytes -= p.size;
    p.timer.unsubscribe();
    return p;
  }
}
