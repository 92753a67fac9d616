import { NEVER, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * The liveness engine: numbered WebSocket pings with a deadline, shared by the client (on the
 * sockets it dials) and the reference server (on the sockets it accepts).
 *
 * - **Liveness.** A half-open TCP connection (peer vanished, NAT dropped the mapping) reports nothing
 *   until a write fails, which for a quiet bot may be never. We ping every `pingInterval` and declare
 *   the link dead when a ping goes unanswered for `pongTimeout`.
 * - **Proof of reading.** A WebSocket peer answers a ping with a pong carrying the ping's payload
 *   (RFC 6455 §5.5.3), after it has read every frame before that ping. So the pong to ping `n`
 *   proves the peer read everything written before ping `n`. {@link Liveness.pongs$} tells which
 *   ping was answered; the client's delivery bookkeeping builds its confirmations on it.
 *
 * Only pongs carrying the number of a ping we sent count: RFC 6455 allows unsolicited pongs, and
 * they prove nothing. Browsers expose no ping API: there, there is no liveness engine at all (servers
 * ping browsers themselves). Timers run on the injected scheduler, so every policy here is
 * marble-testable with a fake socket.
 */

/** The Node `ws` surface liveness uses; detected at run time (see {@link canPing}), never imported. @internal */
export interface PingableSocket {
  ping(data?: string): void;
  on(event: 'pong', listener: (data?: unknown) => void): unknown;
  off?(event: 'pong', listener: (data?: unknown) => void): unknown;
  removeListener?(event: 'pong', listener: (data?: unknown) => void): unknown;
}

/** Whether the socket can ping (Node's `ws`). @internal */
export const canPing = (socket: unknown): socket is PingableSocket =>
  typeof socket === 'object' &&
  socket !== null &&
  typeof (socket as Partial<PingableSocket>).ping === 'function' &&
  typeof (socket as Partial<PingableSocket>).on === 'function';

/** @internal */
export interface LivenessOptions {
  /** Ping period, ms; `0` disables periodic pings (pings asked for with `ping()` still have a deadline). */
  readonly pingInterval: number;
  /** Max wait for the pong after a ping, ms. */
  readonly pongTimeout: number;
}

/**
 * Pings on one socket: periodic ones, and those asked for with {@link ping}; each has the same
 * `pongTimeout` deadline, so a dead link with traffic is found within `pongTimeout` and an idle one
 * within `pingInterval + pongTimeout`.
 * @internal
 */
export class Liveness {
  /** The number of each answered ping, in order. An answer also answers every older ping. */
  readonly pongs$: Observable<number>;
  private readonly pongs = new Subject<number>();
  /** Numbers of the pings not answered yet, oldest first. */
  private readonly unanswered: number[] = [];
  private seq = 0;
  private deadline: Subscription | undefined;
  private readonly periodic: Subscription | undefined;
  private stopped = false;
  /** Reading is paused on our side ({@link hold}): no pong can be read, so no deadline runs. */
  private held = false;
  private readonly listener = (data?: unknown): void => this.pong(data);

  constructor(
    private readonly socket: PingableSocket,
    private readonly options: LivenessOptions,
    private readonly scheduler: SchedulerLike,
    private readonly dead: (error: OneBotError) => void,
  ) {
    this.pongs$ = this.pongs.asObservable();
    socket.on('pong', this.listener);
    if (options.pingInterval > 0) {
      this.periodic = scheduler.schedule(
        function tick(this: { schedule(state: Liveness, delay: number): void }, l?: Liveness) {
          // One unanswered ping at a time is enough: its deadline is the one that counts.
          if (l!.unanswered.length === 0 && !l!.held) l!.ping();
          this.schedule(l!, l!.options.pingInterval);
        },
        options.pingInterval,
        this,
      );
    }
  }

  /** Pings not answered yet. */
  get outstanding(): number {
    return this.unanswered.length;
  }

  /**
   * Sends a numbered ping now; returns its number. `numbered` is told the number before the ping
   * leaves, so whoever waits for its pong knows it even when the pong comes back synchronously.
   */
  ping(numbered?: (seq: number) => void): number {
    const seq = ++this.seq;
    numbered?.(seq);
    if (this.stopped) return seq;
    this.unanswered.push(seq);
    // Armed before pinging, so even a pong delivered synchronously finds it.
    if (!this.held) this.deadline ??= this.scheduler.schedule(() => this.expired(), this.options.pongTimeout);
    try {
      this.socket.ping(String(seq));
    } catch {
      // The socket is closing; its close event ends the connection.
    }
    return seq;
  }

  /**
   * We stopped reading the socket (our own backpressure, e.g. handlers busy): a pong cannot be read
   * until we read again, so its silence proves nothing. Deadlines stop until {@link release}, which
   * gives every unanswered ping a full `pongTimeout` from then.
   */
  hold(): void {
    if (this.held || this.stopped) return;
    this.held = true;
    this.deadline?.unsubscribe();
    this.deadline = undefined;
  }

  release(): void {
    if (!this.held || this.stopped) return;
    this.held = false;
    if (this.unanswered.length > 0) this.deadline ??= this.scheduler.schedule(() => this.expired(), this.options.pongTimeout);
  }

  /** Stops pinging and listening; `pongs$` completes. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.periodic?.unsubscribe();
    this.deadline?.unsubscribe();
    const s = this.socket;
    if (typeof s.off === 'function') s.off('pong', this.listener);
    else s.removeListener?.('pong', this.listener);
    this.pongs.complete();
  }

  private expired(): void {
    this.deadline = undefined;
    if (this.stopped) return;
    const { pingInterval, pongTimeout } = this.options;
    this.dead(new OneBotError(ErrorCode.PongTimeout, `no pong within ${pongTimeout} ms of a ping: the connection is dead`, { pingInterval, pongTimeout }));
  }

  private pong(data: unknown): void {
    if (this.stopped) return;
    // `ws` hands the payload as a Buffer; its text is the ping's number.
    const seq = Number(typeof data === 'string' ? data : String(data));
    const at = this.unanswered.indexOf(seq);
    if (at < 0) return; // not an answer to one of our pings
    // Pongs come in order: this one answers its ping and every older one.
    this.unanswered.splice(0, at + 1);
    this.deadline?.unsubscribe();
    this.deadline = this.unanswered.length > 0 && !this.held ? this.scheduler.schedule(() => this.expired(), this.options.pongTimeout) : undefined;
    this.pongs.next(seq);
  }
}

/**
 * An observable that never emits and errors with `PongTimeout` once a ping goes unanswered for
 * `pongTimeout`. Subscribe while the socket is open; unsubscribing stops pinging.
 *
 * @internal
 */
export const liveness = (socket: unknown, options: LivenessOptions, scheduler: SchedulerLike): Observable<never> => {
  if (!(options.pingInterval > 0) || !canPing(socket)) return NEVER;
  return new Observable<never>((subscriber) => {
    const engine = new Liveness(socket, options, scheduler, (e) => subscriber.error(e));
    return () => engine.stop();
  });
};
