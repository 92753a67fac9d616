import { NEVER, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * Active dead-peer detection. A half-open TCP connection (peer vanished, NAT dropped the mapping)
 * reports nothing until a write fails, which for a quiet bot may be never. Node's `ws` can ping; we
 * ping every `pingInterval` and declare the link dead when no pong follows within `pongTimeout`.
 * Browsers expose no ping API, so there it is a no-op (servers ping browsers themselves).
 */

/** The Node `ws` surface used here; detected at run time, never imported. @internal */
interface PingableSocket {
  ping(): void;
  on(event: 'pong', listener: () => void): unknown;
  off?(event: 'pong', listener: () => void): unknown;
  removeListener?(event: 'pong', listener: () => void): unknown;
}

/** Whether the socket can ping (Node's `ws`). @since 0.1.0 @category transport */
export const canPing = (socket: unknown): socket is PingableSocket =>
  typeof socket === 'object' &&
  socket !== null &&
  typeof (socket as Partial<PingableSocket>).ping === 'function' &&
  typeof (socket as Partial<PingableSocket>).on === 'function';

/** @since 0.1.0 @category transport */
export interface LivenessOptions {
  /** Ping period, ms; `0` disables. */
  readonly pingInterval: number;
  /** Max wait for the pong after a ping, ms. */
  readonly pongTimeout: number;
}

/**
 * An observable that never emits and errors with `PongTimeout` once a ping goes unanswered for
 * `pongTimeout`. Subscribe while the socket is open; unsubscribing stops pinging. Timers run on
 * `scheduler`, so the policy is marble-testable with a fake socket.
 *
 * @example
 * import { liveness } from 'onebot-rx';
 * import { asyncScheduler } from 'rxjs';
 * const ws = { ping() {}, on() {} };
 * const sub = liveness(ws, { pingInterval: 15000, pongTimeout: 5000 }, asyncScheduler).subscribe();
 * sub.unsubscribe();
 *
 * @since 0.1.0
 * @category transport
 */
export const liveness = (socket: unknown, options: LivenessOptions, scheduler: SchedulerLike): Observable<never> => {
  const { pingInterval, pongTimeout } = options;
  if (!(pingInterval > 0) || !canPing(socket)) return NEVER;
  return new Observable<never>((subscriber) => {
    let deadline: Subscription | undefined;
    const onPong = (): void => {
      deadline?.unsubscribe();
      deadline = undefined;
    };
    const expire = (): void =>
      subscriber.error(
        new OneBotError(ErrorCode.PongTimeout, `no pong within ${pongTimeout} ms of a ping: the connection is dead`, { pingInterval, pongTimeout }),
      );
    const ping = function (this: unknown): void {
      // One outstanding ping at a time: the deadline of the first unanswered ping is what counts.
      if (deadline === undefined) {
        // Arm the deadline before pinging, so even a pong delivered synchronously clears it.
        deadline = scheduler.schedule(expire, pongTimeout);
        try {
          socket.ping();
        } catch {
          // Socket is closing; its close event will end the connection.
        }
      }
      (this as { schedule(state?: unknown, delay?: number): void }).schedule(undefined, pingInterval);
    };
    socket.on('pong', onPong);
    const pinger = scheduler.schedule(ping, pingInterval);
    return () => {
      pinger.unsubscribe();
      deadline?.unsubscribe();
      if (typeof socket.off === 'function') socket.off('pong', onPong);
      else socket.removeListener?.('pong', onPong);
    };
  });
};
