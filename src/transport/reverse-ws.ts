import { Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { classifyFailure, closeInfoOf, type CloseInfo } from './close-reason';
import { Liveness, canPing } from './liveness';
import type { SocketFactory, SocketLike } from './socket-factory';
import { createFrameWriter, type FrameWriter } from './write';

/**
 * The reverse WebSocket transport: one dial is one RxJS `webSocket` subject (its socket built by the
 * {@link SocketFactory}, so `isomorphic-ws` or an injected constructor). This is the only code of
 * the client that touches a socket.
 *
 * {@link dialReverseWs} returns an Observable of what happens on the connection: one `open` (with
 * the {@link Link} to write to), then every `data` the socket delivers. Every way the connection can
 * end is an *error* carrying a classified {@link OneBotError}, a clean close by the server included:
 * for a bot, any close is a loss to recover from, and `retry` is what recovers. Unsubscribing closes
 * the socket, so a new dial never starts before the old socket was told to close.
 */

/** One open connection, as the client writes to it. @since 0.2.0 @category transport */
export interface Link {
  /** 1, 2, 3... per process. */
  readonly id: number;
  /** Scheduler time when the socket opened. */
  readonly openedAt: number;
  /** Open and not declared dead: a frame written now reaches the socket. */
  readonly writable: boolean;
  /** The socket holds more than `highWaterMark` unsent bytes: hold frames back. */
  readonly congested: boolean;
  /** Writes one pre-encoded frame; `false` when the link is not writable (nothing was written). */
  write(text: string): boolean;
  /** Emits when a congested link has drained below `highWaterMark`, after {@link watchDrain}. */
  readonly drained$: Observable<void>;
  /** Polls a congested link until it drains, then resumes reading for `'congested'` and emits on `drained$` (once per call). */
  watchDrain(): void;
  /**
   * Numbered pings, where the socket can ping (Node's `ws`): liveness, and the delivery
   * confirmations the client builds on them. `undefined` in browsers.
   */
  readonly liveness: Liveness | undefined;
  /**
   * Stop reading from the socket (backpressure) for `reason`; reading restarts once every reason
   * was resumed. A no-op where the socket cannot pause (browsers).
   */
  pause(reason: string): void;
  resume(reason: string): void;
  /** Clean close (1000 by default); the end arrives as the dial's error like any other close. */
  close(code?: number, reason?: string): void;
}

/** What happens on a connection. @since 0.2.0 @category transport */
export type LinkEvent = { readonly type: 'open'; readonly link: Link } | { readonly type: 'data'; readonly data: unknown; readonly link: Link };

/** @since 0.2.0 @category transport */
export interface ReverseWsConfig {
  readonly factory: SocketFactory;
  readonly scheduler: SchedulerLike;
  /** The socket must open within this time, ms. */
  readonly handshakeTimeout: number;
  /** Ping period, ms; `0` disables periodic pings (acknowledgement pings still happen). */
  readonly pingInterval: number;
  readonly pongTimeout: number;
  readonly highWaterMark: number;
}

/** How often a congested socket is looked at again. */
const DRAIN_POLL = 10;
const OPEN = 1;
const CONNECTING = 0;
/** Failures after which the peer will not answer a close handshake: drop TCP at once. */
const DEAD_PEER: ReadonlySet<string> = new Set([ErrorCode.PongTimeout, ErrorCode.HandshakeTimeout]);

let linkIds = 0;

/**
 * Dials once. See the module comment for the contract.
 *
 * The subject is configured around its traps (docs/field-notes.md):
 * - the deserializer is the identity on `e.data`, so a malformed frame is a value the client
 *   decodes and reports, never an error of the subject (which would end the connection);
 * - the serializer is the identity: frames are pre-encoded JSON text;
 * - outgoing frames are written to the socket by the link, not with `subject.next`. The open
 *   observer runs before the subject switches from its pre-open buffer (a `ReplaySubject`) to the
 *   socket, so frames `next`ed there (the connect event, the outbox flush) would reach the socket
 *   only after the open observer returned: after any ping sent meanwhile, which would then confirm
 *   frames the peer had not been sent yet; and the buffer would hold them for the connection's
 *   life. Writing through the link keeps the order of frames and pings exact
 *   (docs/architecture.md, "Deviations").
 *
 * @since 0.2.0
 * @category transport
 */
export const dialReverseWs = (config: ReverseWsConfig): Observable<LinkEvent> =>
  new Observable<LinkEvent>((subscriber) => {
    const { factory, scheduler } = config;
    let socket: SocketLike | undefined;
    let link: OpenLink | undefined;
    let lastClose: CloseInfo | undefined;
    let failure: OneBotError | undefined;

    /** The end of this connection: the link stops taking frames *before* anyone hears of it. */
    const end = (error: unknown): void => {
      if (failure !== undefined) return;
      failure = classifyFailure(error, lastClose);
      link?.kill();
      subscriber.error(failure);
    };

    const handshake = scheduler.schedule(
      () => end(new OneBotError(ErrorCode.HandshakeTimeout, `connection not open after ${config.handshakeTimeout} ms`, { handshakeTimeout: config.handshakeTimeout })),
      config.handshakeTimeout,
    );

    const subject = webSocket<unknown>({
      url: factory.url,
      WebSocketCtor: factory.ctor((s) => {
        socket = s;
      }) as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'],
      binaryType: 'arraybuffer',
      deserializer: (e: MessageEvent) => e.data as unknown,
      serializer: (text: unknown) => text as string,
      openObserver: {
        next: () => {
          handshake.unsubscribe();
          if (socket === undefined || failure !== undefined) return;
          link = new OpenLink(socket, config, end, (data) => subscriber.next({ type: 'data', data, link: link! }));
          subscriber.next({ type: 'open', link });
        },
      },
      closeObserver: {
        next: (e: CloseEvent) => {
          lastClose = closeInfoOf(e);
        },
      },
    });

    const frames = subject.subscribe({
      next: (data) => {
        if (link !== undefined && failure === undefined) link.receive(data);
      },
      error: end,
      // A clean close is still the end of this connection: report it with its code and reason.
      complete: () => end(lastClose ?? { code: 1005, reason: '' }),
    });

    return () => {
      handshake.unsubscribe();
      link?.kill();
      const s = socket;
      // A dead peer never answers a close handshake: drop the TCP connection at once (ws only).
      if (s !== undefined && failure !== undefined && DEAD_PEER.has(failure.code)) (s as { terminate?: () => void }).terminate?.();
      frames.unsubscribe(); // closes a socket the subject still holds
      if (s !== undefined && (s.readyState === OPEN || s.readyState === CONNECTING)) s.close();
    };
  });

/** The {@link Link} of one open socket. */
class OpenLink implements Link {
  readonly id = ++linkIds;
  readonly openedAt: number;
  readonly liveness: Liveness | undefined;
  readonly drained$: Observable<void>;
  private readonly writer: FrameWriter;
  private readonly drained = new Subject<void>();
  private drainPoll: Subscription | undefined;
  /** A drain poll is scheduled (a scheduler action stays open after it ran, so this is our own flag). */
  private polling = false;
  private dead = false;
  private readonly pausedBy = new Set<string>();
  /**
   * Frames that arrived after `pause()`. Pausing stops the socket from reading, but `ws` still hands
   * over the frames of the data it already read (up to one socket read, 64 KiB, or one frame up to
   * `maxPayload`); they wait here, in order, until reading resumes, so a pause takes effect at once.
   */
  private held: unknown[] = [];
  private readonly canPause: boolean;

  constructor(
    private readonly socket: SocketLike,
    private readonly config: ReverseWsConfig,
    end: (error: OneBotError) => void,
    private readonly emit: (data: unknown) => void,
  ) {
    this.canPause = typeof (socket as { pause?: unknown }).pause === 'function';
    this.openedAt = config.scheduler.now();
    // One path for every frame: the writer, straight to the socket (see the module comment).
    this.writer = createFrameWriter(socket, (text) => socket.send(text), config.highWaterMark);
    this.liveness = canPing(socket) ? new Liveness(socket, config, config.scheduler, end) : undefined;
    this.drained$ = this.drained.asObservable();
  }

  get writable(): boolean {
    return !this.dead && this.writer.open;
  }

  get congested(): boolean {
    return !this.writer.ready;
  }

  write(text: string): boolean {
    if (this.dead) return false;
    return this.writer.write(text);
  }

  /** A frame from the socket: handed on, or held while paused. */
  receive(data: unknown): void {
    if (this.canPause && this.pausedBy.size > 0) this.held.push(data);
    else this.emit(data);
  }

  pause(reason: string): void {
    if (this.pausedBy.size === 0) (this.socket as { pause?: () => void }).pause?.();
    this.pausedBy.add(reason);
    // Paused for our own reasons, pongs go unread through no fault of the peer: liveness waits. A
    // congested socket is the peer not reading, which liveness is there to judge.
    if (this.canPause && reason !== 'congested') this.liveness?.hold();
  }

  resume(reason: string): void {
    if (!this.pausedBy.delete(reason)) return;
    if (![...this.pausedBy].some((r) => r !== 'congested')) this.liveness?.release();
    if (this.pausedBy.size > 0 || this.dead) return;
    // The held frames first, in order; one of them may pause again.
    while (this.held.length > 0 && this.pausedBy.size === 0 && !this.dead) this.emit(this.held.shift());
    if (this.pausedBy.size === 0 && !this.dead) (this.socket as { resume?: () => void }).resume?.();
  }

  close(code = 1000, reason = 'client disconnect'): void {
    this.socket.close(code, reason);
  }

  /** The link is over: no more writes, pings or drain polls. */
  kill(): void {
    this.dead = true;
    this.held = [];
    this.liveness?.stop();
    this.drainPoll?.unsubscribe();
    this.drained.complete();
  }

  watchDrain(): void {
    if (this.polling) return;
    this.polling = true;
    this.drainPoll = this.config.scheduler.schedule(function poll(this: { schedule(state: OpenLink, delay: number): void }, l?: OpenLink) {
      if (l!.dead) return;
      if (l!.congested) return this.schedule(l!, DRAIN_POLL);
      l!.polling = false;
      l!.resume('congested');
      l!.drained.next();
    }, DRAIN_POLL, this);
  }
}
