import { Observable, Subscription, interval, type SchedulerLike } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { classifyFailure, closeInfoOf, type CloseInfo } from '../transport/close-reason';
import { Pinger, canPing } from '../transport/liveness';
import type { SocketFactory, SocketLike } from '../transport/socket-factory';
import { createFrameWriter, type FrameWriter } from '../transport/write';

/**
 * One connection attempt as an Observable: subscribing dials, the socket's life is the
 * subscription's life, and every way it can end is an *error* carrying a classified
 * {@link OneBotError} — including a clean close by the server, which for a bot is still a loss to
 * recover from. The client's `retry({ delay })` turns that into the reconnect loop; unsubscribing
 * closes the socket, so a new dial never starts before the old socket is told to close (single
 * flight).
 */

/** An open connection, as the client sees it. @internal */
export interface Session {
  /** 1, 2, 3... per client. */
  readonly id: number;
  readonly socket: SocketLike;
  readonly writer: FrameWriter;
  /** Scheduler time when the socket opened. */
  readonly openedAt: number;
  /** In-flight work of this connection (API handlers); torn down with it. */
  readonly work: Subscription;
  /**
   * With `confirmDelivery: 'ack'` on a socket that can ping: tracks written sends until a pong
   * confirms them. `undefined` where sends resolve once written.
   */
  readonly acks: Pinger | undefined;
}

/** @internal */
export interface SessionHooks {
  /** The socket opened: write the handshake, flush the outbox, announce. */
  opened(session: Session): void;
  /** A message arrived (`data` as the socket delivered it: text, or binary). */
  received(data: unknown, session: Session): void;
  /** The connection is over (only for sessions that opened). */
  ended(session: Session): void;
  /** A heartbeat frame to write now, or `undefined` to skip. */
  heartbeat(): string | undefined;
}

/** @internal */
export interface SessionConfig {
  readonly factory: SocketFactory;
  readonly scheduler: SchedulerLike;
  readonly handshakeTimeout: number;
  readonly heartbeatInterval: number;
  readonly pingInterval: number;
  readonly pongTimeout: number;
  readonly highWaterMark: number;
  /** `'ack'`: acknowledge sends by ping/pong where the socket can ping; `'write'`: never. */
  readonly confirmDelivery: 'ack' | 'write';
  readonly hooks: SessionHooks;
}

const DEAD_PEER: ReadonlySet<string> = new Set([ErrorCode.PongTimeout, ErrorCode.HandshakeTimeout]);

const OPEN = 1;
const CONNECTING = 0;

// Module-level so no closure is allocated per connection or per frame for them.
/** Our deserializer: the raw `data` (text or binary), decoded by the client, so a bad frame is a value, never an error of the subject. */
const dataOf = (e: MessageEvent): unknown => e.data;
/** Frames are pre-encoded JSON text: the serializer passes them through. */
const identity = (x: unknown): string => x as string;

let sessionIds = 0;

/**
 * Dials once. Emits nothing; errors with the reason the connection failed or ended.
 *
 * Each dial is an RxJS `webSocket` subject (the socket comes from the factory, so `isomorphic-ws`
 * or an injected `WebSocketCtor`). Its configuration avoids the subject's traps (FIELD-NOTES):
 * - the deserializer is the identity on `e.data` and decoding is ours, so a malformed frame becomes
 *   a value on `errors$` instead of an error of the subject (which would reconnect for nothing);
 * - the serializer is the identity (frames are pre-encoded text);
 * - frames are written straight to the socket the factory built, once it is open, never through
 *   `subject.next()`: before open the subject buffers frames and flushes them *after* its
 *   `openObserver` ran, and our `openObserver` must write the lifecycle `connect` event first
 *   (and the outbox right behind it). Writing to the socket ourselves is what owns that ordering,
 *   and it lets the write path cork a burst into one syscall and watch `bufferedAmount`.
 *
 * An error event or an unclean close errors the subject; a clean close completes it, which we turn
 * into an error carrying the close code (for a bot any close is a loss to recover from).
 * Unsubscribing closes a socket still connecting or open, so the client's `retry` never dials
 * before the old socket was told to close (single flight).
 * @internal
 */
export const connectOnce = (config: SessionConfig): Observable<never> =>
  new Observable<never>((subscriber) => {
    const { factory, scheduler, hooks } = config;
    let socket: SocketLike | undefined;
    let session: Session | undefined;
    let lastClose: CloseInfo | undefined;
    let failure: OneBotError | undefined;
    let over = false;
    const subs = new Subscription();

    const fail = (error: unknown): void => {
      if (over) return;
      failure ??= classifyFailure(error, lastClose);
      subscriber.error(failure);
    };

    const handshake = scheduler.schedule(
      () => fail(new OneBotError(ErrorCode.HandshakeTimeout, `connection not open after ${config.handshakeTimeout} ms`, { handshakeTimeout: config.handshakeTimeout })),
      config.handshakeTimeout,
    );

    const onOpen = (): void => {
      handshake.unsubscribe();
      const s = socket;
      if (s === undefined || over) return;
      const writer = createFrameWriter(s, (text) => s.send(text), config.highWaterMark);
      // One pinger per connection serves liveness and delivery acknowledgement alike.
      const ack = config.confirmDelivery === 'ack' && canPing(s);
      let pinger: Pinger | undefined;
      if (canPing(s) && (ack || config.pingInterval > 0)) {
        const p = new Pinger(s, config, scheduler, fail);
        pinger = p;
        subs.add(() => p.stop());
      }
      session = { id: ++sessionIds, socket: s, writer, openedAt: scheduler.now(), work: new Subscription(), acks: ack ? pinger : undefined };
      const current = session;
      if (config.heartbeatInterval > 0) {
        subs.add(
          interval(config.heartbeatInterval, scheduler).subscribe(() => {
            if (!writer.ready) return; // a congested socket skips a beat; heartbeats are never queued
            const text = hooks.heartbeat();
            if (text !== undefined) writer.write(text);
          }),
        );
      }
      hooks.opened(current);
    };

    const subject = webSocket<unknown>({
      url: factory.url,
      WebSocketCtor: factory.ctor((s) => {
        socket = s;
      }) as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'],
      binaryType: 'arraybuffer',
      deserializer: dataOf,
      serializer: identity,
      openObserver: { next: onOpen },
      closeObserver: {
        next: (e: CloseEvent) => {
          lastClose = closeInfoOf(e);
        },
      },
    });
    subs.add(
      subject.subscribe({
        next: (data) => {
          if (over || session === undefined) return;
          try {
            hooks.received(data, session);
          } catch (err) {
            fail(err);
          }
        },
        error: fail,
        // A clean close is still the end of this connection: report it with its code and reason.
        complete: () => fail(lastClose ?? { code: 1005, reason: '' }),
      }),
    );

    return () => {
      over = true;
      handshake.unsubscribe();
      if (session !== undefined) {
        session.work.unsubscribe();
        hooks.ended(session);
      }
      const s = socket;
      // A dead peer never answers a close handshake: drop the TCP connection at once (ws only).
      if (s !== undefined && failure !== undefined && DEAD_PEER.has(failure.code)) (s as { terminate?: () => void }).terminate?.();
      // Unsubscribing from the subject closes a socket still connecting or open.
      subs.unsubscribe();
      // A socket that failed before the subject kept it (its constructor threw) has nothing to close;
      // any other still connecting or open is closed here too (idempotent on a closing socket).
      if (s !== undefined && (s.readyState === OPEN || s.readyState === CONNECTING)) s.close();
    };
  });
