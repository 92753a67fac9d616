import { NEVER, Observable, Subscription, interval, type SchedulerLike } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { classifyFailure, closeInfoOf, type CloseInfo } from '../transport/close-reason';
import { liveness } from '../transport/liveness';
import type { SocketFactory, SocketLike } from '../transport/socket-factory';
import { createFrameWriter, type FrameWriter } from '../transport/write';

/**
 * One connection attempt as an Observable: subscribing dials, the socket's life is the
 * subscription's life, and every way it can end is an *error* carrying a classified
 * {@link OneBotError} — including a clean close by the server, which for a bot is still a loss to
 * recover from. The client's `retry` turns that into the reconnect loop; unsubscribing closes the
 * socket, so a new dial never starts before the old socket is told to close (single flight).
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
  readonly hooks: SessionHooks;
}

const DEAD_PEER: ReadonlySet<string> = new Set([ErrorCode.PongTimeout, ErrorCode.HandshakeTimeout]);

const OPEN = 1;
const NOOP = (): void => undefined;

let sessionIds = 0;

/** The browser-shaped event handler slots of a socket (Node's `ws` has them too). */
interface EventSlots {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

/**
 * Dials once. Emits nothing; errors with the reason the connection failed or ended.
 *
 * The socket is driven directly through its `onopen`/`onmessage`/`onerror`/`onclose` slots (the
 * browser `WebSocket` surface, which `ws` and test fakes share) rather than through RxJS's
 * `webSocket` subject: no subject, replay buffer or serializer per connection, one function call
 * per inbound frame, and a smaller browser bundle. Semantics are the subject's: an error event or an
 * unclean close errors, a clean close is reported with its code, and unsubscribing closes a socket
 * still connecting or open.
 * @internal
 */
export const connectOnce = (config: SessionConfig): Observable<never> =>
  new Observable<never>((subscriber) => {
    const { factory, scheduler, hooks } = config;
    let socket: (SocketLike & EventSlots) | undefined;
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
      // Frames go straight to the socket, never through a pre-open buffer (FIELD-NOTES: such a
      // buffer would put old frames ahead of the connect event).
      const writer = createFrameWriter(s, (text) => s.send(text), config.highWaterMark);
      session = { id: ++sessionIds, socket: s, writer, openedAt: scheduler.now(), work: new Subscription() };
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
      const alive = liveness(s, config, scheduler);
      if (alive !== NEVER) subs.add(alive.subscribe({ error: fail }));
      hooks.opened(current);
    };

    try {
      const Ctor = factory.ctor(NOOP);
      socket = new Ctor(factory.url) as SocketLike & EventSlots;
      socket.binaryType = 'arraybuffer';
    } catch (e) {
      fail(e);
      return () => handshake.unsubscribe();
    }
    socket.onopen = onOpen;
    socket.onmessage = (e) => {
      if (over || session === undefined) return;
      try {
        hooks.received(e.data, session);
      } catch (err) {
        fail(err);
      }
    };
    socket.onerror = fail;
    socket.onclose = (e) => {
      lastClose = closeInfoOf(e);
      // A clean close is still the end of this connection: report it with its code and reason.
      fail(e.wasClean ? lastClose ?? { code: 1005, reason: '' } : e);
    };

    return () => {
      over = true;
      handshake.unsubscribe();
      if (session !== undefined) {
        session.work.unsubscribe();
        hooks.ended(session);
      }
      subs.unsubscribe();
      const s = socket;
      if (s === undefined) return;
      // A dead peer never answers a close handshake: drop the TCP connection at once (ws only).
      if (failure !== undefined && DEAD_PEER.has(failure.code)) (s as { terminate?: () => void }).terminate?.();
      // Still connecting or open: close it (as RxJS's webSocket subject did on unsubscribe).
      if (s.readyState === OPEN || s.readyState === 0) s.close();
    };
  });
