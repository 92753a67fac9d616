import { NEVER, Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * Ping/pong, for two jobs that share one mechanism (one kind of ping, numbered):
 *
 * - **Liveness.** A half-open TCP connection (peer vanished, NAT dropped the mapping) reports nothing
 *   until a write fails, which for a quiet bot may be never. Node's `ws` can ping; we ping every
 *   `pingInterval` and declare the link dead when no pong follows within `pongTimeout`.
 * - **Delivery acknowledgement.** `ws` reads frames in order and answers a ping with a pong carrying
 *   the ping's payload (RFC 6455 §5.5.3) once it has read everything before it. So the pong to ping
 *   number `n`, sent after frame N, proves the peer's WebSocket layer read frame N. Sends are tracked
 *   until such a pong; a write with nothing outstanding pings at once, later writes wait for that
 *   pong and are covered by the next ping (one ack ping per round trip, plus one per 128 frames of
 *   a long batch, so a burst costs a few pings, not one per frame). Every ping, ack or periodic, has the same
 *   `pongTimeout` deadline, so a dead link with traffic is detected within `pongTimeout`, an idle one
 *   within `pingInterval + pongTimeout`.
 *
 * A pong counts only when its payload is the number of a ping we sent (unsolicited pongs, which
 * RFC 6455 allows, prove nothing about our frames). Browsers expose no ping API: there is no
 * liveness check (servers ping browsers themselves) and no acknowledgement.
 */

/** The Node `ws` surface liveness uses; detected at run time (see {@link canPing}), never imported. @since 0.1.0 @category transport */
export interface PingableSocket {
  ping(data?: string): void;
  on(event: 'pong', listener: (data?: unknown) => void): unknown;
  off?(event: 'pong', listener: (data?: unknown) => void): unknown;
  removeListener?(event: 'pong', listener: (data?: unknown) => void): unknown;
}

/** Whether the socket can ping (Node's `ws`). @since 0.1.0 @category transport */
export const canPing = (socket: unknown): socket is PingableSocket =>
  typeof socket === 'object' &&
  socket !== null &&
  typeof (socket as Partial<PingableSocket>).ping === 'function' &&
  typeof (socket as Partial<PingableSocket>).on === 'function';

/** @since 0.1.0 @category transport */
export interface LivenessOptions {
  /** Ping period, ms; `0` disables periodic pings. */
  readonly pingInterval: number;
  /** Max wait for the pong after a ping, ms. */
  readonly pongTimeout: number;
}

/** A ping at least every this many tracked writes while another ping is in flight. */
const ACK_BATCH = 128;

// Scheduled tasks take the pinger as their state: no closure per schedule.
function periodicTask(this: SchedulerAction<Pinger>, p?: Pinger): void {
  p!.periodic();
  this.schedule(p, p!.pingInterval);
}
function expireTask(this: SchedulerAction<Pinger>, p?: Pinger): void {
  p!.expired();
}

/**
 * The pinger of one open connection: periodic liveness pings, numbered pings acknowledging tracked
 * sends, a `pongTimeout` deadline on the oldest unanswered ping. Timers run on `scheduler`.
 * @internal
 */
export class Pinger {
  declare readonly pingInterval: number;
  private declare readonly pongTimeout: number;
  private declare readonly socket: PingableSocket;
  private declare readonly scheduler: SchedulerLike;
  private declare readonly dead: (error: OneBotError) => void;
  /** Number of the last ping sent. */
  private declare seq: number;
  /** Unanswered pings, oldest first, as flat pairs: ping number, `items` index it covers up to. */
  private declare outstanding: number[];
  private declare deadline: Subscription | undefined;
  private declare timer: Subscription | undefined;
  /** Unconfirmed sends, oldest first, as flat triples from `head`: resolve, reject, value. */
  private declare items: unknown[];
  private declare head: number;
  private declare stopped: boolean;
  /** The `pong` listener, bound once. */
  declare readonly onPong: (data?: unknown) => void;

  constructor(socket: PingableSocket, options: LivenessOptions, scheduler: SchedulerLike, dead: (error: OneBotError) => void) {
    this.pingInterval = options.pingInterval;
    this.pongTimeout = options.pongTimeout;
    this.socket = socket;
    this.scheduler = scheduler;
    this.dead = dead;
    this.seq = 0;
    this.outstanding = [];
    this.deadline = undefined;
    this.timer = undefined;
    this.items = [];
    this.head = 0;
    this.stopped = false;
    this.onPong = (data) => this.pong(data);
    socket.on('pong', this.onPong);
    if (this.pingInterval > 0) this.timer = scheduler.schedule(periodicTask, this.pingInterval, this);
  }

  /** Sends written but not yet confirmed by a pong. */
  get unconfirmed(): number {
    return (this.items.length - this.head) / 3;
  }

  /**
   * Tracks a send just written to the socket: `resolve(value)` once a pong proves the peer read it,
   * `reject` if the connection ends first ({@link rejectAll}).
   */
  track(resolve: (value: never) => void, reject: (error: unknown) => void, value: unknown): void {
    const items = this.items;
    items.push(resolve, reject, value);
    // Nothing in flight: ping now. Otherwise the pong of the ping in flight triggers the next one,
    // except in a long batch (an outbox flushed after a reconnect, a burst), which gets a ping every
    // ACK_BATCH frames so the peer's progress confirms it piecewise: the sends a later loss leaves
    // unknown are then at most the last ACK_BATCH, not the whole batch.
    const o = this.outstanding;
    if (o.length === 0 || items.length - o[o.length - 1]! >= ACK_BATCH * 3) this.ping();
  }

  /** Pings now if some tracked send is not covered by a ping yet (before a close, say). */
  flush(): void {
    const o = this.outstanding;
    const covered = o.length > 0 ? o[o.length - 1]! : this.head;
    if (this.items.length > covered) this.ping();
  }

  /** Rejects every unconfirmed send with `error`; returns how many. */
  rejectAll(error: unknown): number {
    const items = this.items;
    const n = this.unconfirmed;
    const from = this.head;
    this.items = [];
    this.head = 0;
    this.outstanding.length = 0;
    for (let i = from; i < items.length; i += 3) (items[i + 1] as (e: unknown) => void)(error);
    return n;
  }

  /** Stops pinging and listening (unconfirmed sends stay until {@link rejectAll}). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.unsubscribe();
    this.deadline?.unsubscribe();
    this.timer = undefined;
    this.deadline = undefined;
    const s = this.socket;
    if (typeof s.off === 'function') s.off('pong', this.onPong);
    else s.removeListener?.('pong', this.onPong);
  }

  /** @internal */
  periodic(): void {
    // One outstanding ping at a time is enough: the deadline of the first unanswered one counts.
    if (this.outstanding.length === 0) this.ping();
  }

  /** @internal */
  expired(): void {
    this.deadline = undefined;
    if (this.stopped) return;
    const { pingInterval, pongTimeout } = this;
    this.dead(new OneBotError(ErrorCode.PongTimeout, `no pong within ${pongTimeout} ms of a ping: the connection is dead`, { pingInterval, pongTimeout }));
  }

  private ping(): void {
    if (this.stopped) return;
    const seq = ++this.seq;
    this.outstanding.push(seq, this.items.length);
    // Arm the deadline before pinging, so even a pong delivered synchronously clears it.
    this.deadline ??= this.scheduler.schedule(expireTask, this.pongTimeout, this);
    try {
      this.socket.ping(String(seq));
    } catch {
      // Socket is closing; its close event will end the connection.
    }
  }

  private pong(data: unknown): void {
    const o = this.outstanding;
    if (o.length === 0 || this.stopped) return;
    // `ws` hands the payload as a Buffer; its text is the ping number.
    const text = typeof data === 'string' ? data : String(data);
    let i = 0;
    while (i < o.length && String(o[i]) !== text) i += 2;
    if (i >= o.length) return; // not an answer to one of our pings
    // Pongs come in order: this one answers its ping and every older one.
    const covered = o[i + 1]!;
    o.splice(0, i + 2);
    this.deadline?.unsubscribe();
    this.deadline = o.length > 0 ? this.scheduler.schedule(expireTask, this.pongTimeout, this) : undefined;
    this.confirm(covered);
    // Sends written while that ping was in flight: cover them with the next one.
    if (o.length === 0 && this.items.length > this.head) this.ping();
  }

  /** Resolves the tracked sends before `end` (an `items` index), oldest first. */
  private confirm(end: number): void {
    const items = this.items;
    const start = this.head;
    if (end <= start) return;
    this.head = end;
    for (let i = start; i < end; i += 3) {
      const resolve = items[i] as (v: unknown) => void;
      const value = items[i + 2];
      items[i] = items[i + 1] = items[i + 2] = undefined;
      resolve(value);
    }
    // Drop the confirmed prefix once it is all there is, or once it dominates a long queue.
    const h = this.head;
    if (h === this.items.length || (h > 3072 && h * 2 > this.items.length)) {
      const o = this.outstanding;
      for (let k = 1; k < o.length; k += 2) o[k] = o[k]! - h;
      this.items = h === this.items.length ? [] : this.items.slice(h);
      this.head = 0;
    }
  }
}

/**
 * An observable that never emits and errors with `PongTimeout` once a ping goes unanswered for
 * `pongTimeout`. Subscribe while the socket is open; unsubscribing stops pinging. Timers run on
 * `scheduler`, so the policy is marble-testable with a fake socket. (The client uses the same
 * pinger, which also acknowledges sends.)
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
  if (!(options.pingInterval > 0) || !canPing(socket)) return NEVER;
  return new Observable<never>((subscriber) => {
    const pinger = new Pinger(socket, options, scheduler, (e) => subscriber.error(e));
    return () => pinger.stop();
  });
};
