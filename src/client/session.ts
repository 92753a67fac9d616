import { Observable, Subscription, interval, type SchedulerLike } from 'rxjs';
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
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

// Module-level so no closure is allocated per frame or per connection for them.
const dataOf = (e: MessageEvent): unknown => e.data;
const identity = <T>(x: T): T => x;

const DEAD_PEER: ReadonlySet<string> = new Set([ErrorCode.PongTimeout, ErrorCode.HandshakeTimeout]);

let sessionIds = 0;

/**
 * Dials once. Emits nothing; errors with the reason the connection failed or ended.
 * @internal
 */
export const connectOnce = (config: SessionConfig): Observable<never> =>
  new Observable<never>((subscriber) => {
    const { factory, scheduler, hooks } = config;
    let socket: SocketLike | undefined;
    let session: Session | undefined;
    let lastClose: CloseInfo | undefined;
    let failure: OneBotError | undefined;
    const subs = new Subscription();

    const fail = (error: unknown): void => {
      failure ??= classifyFailure(error, lastClose);
      subscriber.error(failure);
    };

    const onOpen = (): void => {
      handshake.unsubscribe();
      const s = socket;
      if (s === undefined) return;
      // Frames go straight to the socket, never through the subject's pre-open buffer (FIELD-NOTES:
      // that buffer would put old frames ahead of the connect event).
      const writer = createFrameWriter(s, (text) => s.send(text), config.highWaterMark);
      session = { id: ++sessionIds, socket: s, writer, openedAt: scheduler.now(), work: new Subscription() };
      const current = session;
      const beats =
        config.heartbeatInterval > 0
          ? interval(config.heartbeatInterval, scheduler).subscribe(() => {
              if (!writer.ready) return; // a congested socket skips a beat; heartbeats are never queued
              const text = hooks.heartbeat();
              if (text !== undefined) writer.write(text);
            })
          : Subscription.EMPTY;
      subs.add(beats);
      subs.add(liveness(s, config, scheduler).subscribe({ error: fail }));
      hooks.opened(current);
    };

    const wsConfig: WebSocketSubjectConfig<unknown> = {
      url: factory.url,
      WebSocketCtor: factory.ctor((s) => {
        socket = s;
      }) as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'],
      binaryType: 'arraybuffer',
      // Never JSON.parse inside the subject: a bad frame would error the stream (and reconnect).
      deserializer: dataOf,
      serializer: identity as (x: unknown) => string,
      openObserver: { next: onOpen },
      closeObserver: {
        next: (e: CloseEvent) => {
          lastClose = closeInfoOf(e);
        },
      },
    };

    const handshake = scheduler.schedule(
      () => fail(new OneBotError(ErrorCode.HandshakeTimeout, `connection not open after ${config.handshakeTimeout} ms`, { handshakeTimeout: config.handshakeTimeout })),
      config.handshakeTimeout,
    );

    const subject = webSocket<unknown>(wsConfig);
    subs.add(
      subject.subscribe({
        next: (data) => {
          if (session !== undefined) hooks.received(data, session);
        },
        error: fail,
        // A clean close is still the end of this connection: report it with its code and reason.
        complete: () => fail(lastClose ?? { code: 1005, reason: '' }),
      }),
    );

    return () => {
      handshake.unsubscribe();
      if (session !== undefined) {
        session.work.unsubscribe();
        hooks.ended(session);
      }
      // A dead peer never answers a close handshake: drop the TCP connection at once (ws only).
      if (failure !== undefined && DEAD_PEER.has(failure.code)) (socket as { terminate?: () => void } | undefined)?.terminate?.();
      subs.unsubscribe(); // closes the socket if still connecting/open
    };
  });
