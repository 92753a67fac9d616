import type { RawData, WebSocket } from 'ws';
import * as E from 'fp-ts/Either';
import type { Logger } from '../logging/logger';
import { ErrorCode, OneBotError, ProtocolError } from '../protocol/errors';
import { decodeFrame, encodeFrame, type Frame } from '../protocol/frame';
import { answerRequest, failedResponse, Retcode } from '../protocol/answer';
import type { Json } from '../protocol/codecs/common';
import type { ApiResponse } from '../protocol/codecs/frames';
import {
  ServerCloseCode,
  type BotInfo,
  type ConnectionRecord,
  type FrameErrorRecord,
  type HeartbeatInfo,
  type ReceivedEvent,
} from './reference-server-types';
import { clampReason } from './upgrade-checks';

/**
 * One accepted WebSocket: its handshake, its frames and its close. The server owns the registry
 * of bots and the pending API calls; a session reports to it through {@link SessionHost}.
 * @internal
 */

type EventObject = Record<string, unknown> & { post_type: string; self_id: number };

/** @internal */
export interface SessionHost {
  readonly logger: Logger;
  readonly handshakeTimeout: number;
  readonly maxPayload: number;
  /** Ping period, ms; `0` (or less) disables pinging, probes included. */
  readonly pingInterval: number;
  /** How long a ping may go unanswered before the socket is terminated, ms. */
  readonly pongTimeout: number;
  isConnected(selfId: number): boolean;
  /** A header-less connection's connect event named a `self_id` another session holds. */
  onDuplicate(selfId: number): void;
  register(s: Session): void;
  unregister(s: Session): void;
  deliveryTargets(from: Session, event: EventObject): Session[];
  /** True when the response answered a pending call. */
  onResponse(s: Session, response: ApiResponse): boolean;
  onInvalidResponse(s: Session, echo: unknown, error: ProtocolError): void;
  recordEvent(e: ReceivedEvent): void;
  recordError(e: FrameErrorRecord): void;
  onConnected(info: BotInfo): void;
  onClosed(s: Session, rec: ConnectionRecord): void;
}

/** @internal */
export interface SessionInit {
  readonly id: number;
  readonly claimedSelfId: number | undefined;
  readonly role: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly url: string;
  readonly headers: ConnectionRecord['headers'];
}

/** @internal */
export interface Session {
  /** The live record (the server hands out copies). */
  readonly record: ConnectionRecord;
  /** Set once the handshake succeeded. */
  readonly selfId: number | undefined;
  info(): BotInfo;
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  terminate(): void;
  /**
   * Pings now (or joins the ping already outstanding) and settles once the peer has answered, or
   * the session no longer holds its `self_id` (no pong in time, closed, closing). The caller then
   * looks at the registry to see which. Settles at once when pinging is disabled.
   */
  probe(): Promise<void>;
  /** Resolves once the socket is closed and the record final. */
  readonly closed: Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const isConnectEvent = (e: EventObject): boolean =>
  e.post_type === 'meta_event' && e.meta_event_type === 'lifecycle' && e.sub_type === 'connect';

const describeFrame = (f: Frame): string => {
  if (f.kind === 'request') return `API request ${f.request.action}`;
  if (f.kind === 'response') return 'API response';
  const e = f.event as EventObject;
  const detail = e[`${e.post_type}_type`];
  return `${e.post_type}${typeof detail === 'string' ? `/${detail}` : ''}${typeof e.sub_type === 'string' ? `/${e.sub_type}` : ''} event`;
};

/**
 * Close code `ws` sends when its receiver rejects a frame (see `createError` calls in ws's
 * receiver): it closes the socket itself, so the session must learn the code from the error.
 */
const receiverCloseCode = (wsCode: string | undefined): number | undefined => {
  switch (wsCode) {
    case undefined:
      return undefined;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    default:
      return wsCode.startsWith('WS_ERR_') ? 1002 : undefined;
  }
};

const receiverCloseReason = (closeCode: number, e: Error): string =>
  closeCode === 1009 ? `frame too large: ${e.message}` : `protocol error: ${e.message}`;

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/** @internal */
export const createSession = (host: SessionHost, ws: WebSocket, init: SessionInit): Session => {
  const { logger } = host;
  const record: Mutable<ConnectionRecord> = {
    id: init.id,
    selfId: init.claimedSelfId,
    role: init.role,
    remoteAddress: init.remoteAddress,
    url: init.url,
    headers: init.headers,
    openedAt: Date.now(),
    handshakeAt: undefined,
    closedAt: undefined,
    closeCode: undefined,
    closeReason: undefined,
    closedBy: undefined,
  };
  let selfId: number | undefined;
  let lastSeen = record.openedAt;
  let heartbeats = 0;
  let lastHeartbeat: HeartbeatInfo | undefined;
  let serverClose: { code: number; reason: string } | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });

  const info = (): BotInfo => ({
    selfId: selfId ?? 0,
    role: record.role,
    remoteAddress: init.remoteAddress,
    remotePort: init.remotePort,
    connectionId: record.id,
    connectedAt: record.handshakeAt ?? record.openedAt,
    lastSeen,
    heartbeats,
    lastHeartbeat,
  });

  const send = (data: string | Uint8Array): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data, { binary: typeof data !== 'string' }, (err) => {
      if (err) logger.debug('reference server: send failed', { connectionId: record.id, selfId, error: err.message });
    });
  };

  const close = (code: number, reason: string): void => {
    clearTimeout(handshakeTimer);
    if (serverClose !== undefined || record.closedAt !== undefined) return;
    serverClose = { code, reason: clampReason(reason) };
    // Stop routing to it and fail its calls now, not when the peer gets round to answering.
    host.unregister(session);
    settleProbes();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, serverClose.reason);
  };

  // Liveness: a half-open peer (gone without a FIN) never makes the socket fail, so the session
  // would hold its self_id for hours. One ping outstanding at a time; no pong within pongTimeout
  // and the socket is terminated (no close frame: the peer is presumed gone).
  const pinging = host.pingInterval > 0;
  let pongDeadline: NodeJS.Timeout | undefined;
  let probes: Array<() => void> = [];

  const settleProbes = (): void => {
    if (probes.length === 0) return;
    const waiting = probes;
    probes = [];
    for (const settle of waiting) settle();
  };

  const onPongTimeout = (): void => {
    pongDeadline = undefined;
    if (record.closedAt !== undefined) return;
    // Only an open socket's death is ours to record. A close already under way (the server's, or
    // the peer's close frame) keeps its own code and reason; the deadline just cuts its wait short.
    if (ws.readyState === ws.OPEN) serverClose ??= { code: 1006, reason: clampReason(`no pong within ${host.pongTimeout} ms`) };
    logger.warn(`reference server: ${selfId !== undefined ? `bot ${selfId}` : `connection ${record.id}`} did not answer a ping within ${host.pongTimeout} ms; terminating`, {
      connectionId: record.id,
    });
    host.unregister(session);
    settleProbes();
    ws.terminate();
  };

  const ping = (): void => {
    if (!pinging || pongDeadline !== undefined || ws.readyState !== ws.OPEN) return;
    // Armed before pinging, so a pong however early always finds it.
    pongDeadline = setTimeout(onPongTimeout, host.pongTimeout);
    ws.ping(undefined, undefined, (err) => {
      if (err) logger.debug('reference server: ping failed', { connectionId: record.id, selfId, error: err.message });
    });
  };

  const stopLiveness = (): void => {
    clearInterval(pingTimer);
    clearTimeout(pongDeadline);
    pongDeadline = undefined;
  };

  const probe = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!pinging || record.closedAt !== undefined || serverClose !== undefined || ws.readyState !== ws.OPEN) return resolve();
      probes.push(resolve);
      ping();
    });

  const recordError = (error: OneBotError, bytes: number): void => {
    const rec: FrameErrorRecord = { at: Date.now(), connectionId: record.id, selfId, code: error.code, message: error.message, error, bytes };
    logger.warn(`reference server: bad frame from ${selfId ?? `connection ${record.id}`}: ${error.message}`, { code: error.code, bytes });
    host.recordError(rec);
  };

  /** Answers a bad frame with a response-shaped error frame (never `post_type`, so never mistaken for an event). */
  const answerBadFrame = (error: ProtocolError, bytes: number): void => {
    recordError(error, bytes);
    const echo = error.data.echo as Json | undefined;
    const path = typeof error.data.path === 'string' ? { path: error.data.path } : {};
    send(JSON.stringify({ ...failedResponse(Retcode.BadRequest, error.message, echo), error: { code: error.code, ...path } }));
    if (error.code === ErrorCode.InvalidResponse && 'echo' in error.data) host.onInvalidResponse(session, error.data.echo, error);
  };

  const decode = (data: RawData, isBinary: boolean): { frame: E.Either<ProtocolError, Frame>; bytes: number } => {
    const buf = toBuffer(data);
    if (isBinary) {
      return { frame: E.left(new ProtocolError(ErrorCode.BinaryFrame, 'binary frame: OneBot v11 frames are JSON text')), bytes: buf.length };
    }
    if (buf.length > host.maxPayload) {
      const error = new ProtocolError(ErrorCode.FrameTooLarge, `frame too large: ${buf.length} bytes, maxPayload is ${host.maxPayload}`, {
        size: buf.length,
        maxPayload: host.maxPayload,
      });
      return { frame: E.left(error), bytes: buf.length };
    }
    return { frame: decodeFrame(buf.toString('utf8')), bytes: buf.length };
  };

  const handshake = (frame: E.Either<ProtocolError, Frame>, bytes: number): void => {
    clearTimeout(handshakeTimer);
    if (E.isLeft(frame)) {
      recordError(frame.left, bytes);
      return close(ServerCloseCode.HandshakeInvalid, `handshake failed: first frame must be a lifecycle connect event (${frame.left.code})`);
    }
    const f = frame.right;
    if (f.kind !== 'event' || !isConnectEvent(f.event as EventObject)) {
      return close(ServerCloseCode.HandshakeInvalid, `handshake failed: first frame must be a lifecycle connect event, got ${describeFrame(f)}`);
    }
    const event = f.event as EventObject;
    const id = event.self_id;
    if (init.claimedSelfId !== undefined && init.claimedSelfId !== id) {
      return close(ServerCloseCode.SelfIdMismatch, `self_id ${id} does not match X-Self-ID ${init.claimedSelfId}`);
    }
    record.selfId = id;
    if (host.isConnected(id)) {
      // Refused now (frames cannot wait for a verdict), but a dead holder is found within pongTimeout.
      host.onDuplicate(id);
      return close(ServerCloseCode.DuplicateSelfId, `duplicate self_id ${id}`);
    }
    selfId = id;
    record.handshakeAt = Date.now();
    lastSeen = record.handshakeAt;
    host.register(session);
    logger.info(`reference server: bot ${id} connected`, { connectionId: record.id, role: record.role, remoteAddress: init.remoteAddress });
    host.onConnected(info());
    host.recordEvent({ at: record.handshakeAt, selfId: id, connectionId: record.id, kind: 'event', event, deliveredTo: [] });
  };

  const onEvent = (kind: 'event' | 'extension', event: EventObject, bytes: number): void => {
    const me = selfId as number;
    if (event.self_id !== me) {
      const error = new ProtocolError(ErrorCode.InvalidEvent, `invalid event: self_id ${event.self_id} does not match this connection's self_id ${me}`, {
        path: 'self_id',
      });
      return answerBadFrame(error, bytes);
    }
    const at = Date.now();
    if (kind === 'event' && event.post_type === 'meta_event' && event.meta_event_type === 'heartbeat') {
      heartbeats += 1;
      lastHeartbeat = { at, interval: event.interval as number, status: event.status as Record<string, unknown> };
    }
    // Only decoded (standard) message events are routed, so every copy is a valid event.
    const targets = kind === 'event' ? host.deliveryTargets(session, event) : [];
    for (const t of targets) t.send(encodeFrame({ ...event, self_id: t.selfId as number } as Parameters<typeof encodeFrame>[0]));
    const deliveredTo = targets.map((t) => t.selfId as number);
    logger.debug(`reference server: ${event.post_type} event from ${me}`, { deliveredTo });
    host.recordEvent({ at, selfId: me, connectionId: record.id, kind, event, deliveredTo });
  };

  const onFrame = (data: RawData, isBinary: boolean): void => {
    const { frame, bytes } = decode(data, isBinary);
    if (serverClose !== undefined) return; // closing: late frames are neither answered nor recorded
    if (selfId === undefined) return handshake(frame, bytes);
    lastSeen = Date.now();
    if (E.isLeft(frame)) return answerBadFrame(frame.left, bytes);
    const f = frame.right;
    switch (f.kind) {
      case 'event':
      case 'extension':
        return onEvent(f.kind, f.event as EventObject, bytes);
      case 'response':
        if (!host.onResponse(session, f.response)) logger.debug('reference server: response matches no pending call', { selfId, echo: f.response.echo });
        return;
      case 'request':
        // The reference server offers no API of its own: answer at once rather than leave the bot waiting.
        void Promise.resolve(answerRequest(f.request, {})).then((r) => send(encodeFrame(r)));
        return;
    }
  };

  const handshakeTimer: NodeJS.Timeout = setTimeout(() => {
    const error = new OneBotError(ErrorCode.ServerHandshakeTimeout, `handshake timeout: no lifecycle connect event within ${host.handshakeTimeout} ms`);
    recordError(error, 0);
    close(ServerCloseCode.HandshakeTimeout, error.message);
  }, host.handshakeTimeout);
  const pingTimer: NodeJS.Timeout | undefined = pinging ? setInterval(ping, host.pingInterval) : undefined;

  ws.on('pong', () => {
    clearTimeout(pongDeadline);
    pongDeadline = undefined;
    settleProbes();
  });
  ws.on('message', (data, isBinary) => {
    try {
      onFrame(data, isBinary);
    } catch (e) {
      // A bug here must cost one frame, not the process.
      logger.error('reference server: frame handler failed', { connectionId: record.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  ws.on('error', (e: Error & { code?: string }) => {
    const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? ErrorCode.FrameTooLarge : ErrorCode.SocketError;
    recordError(new OneBotError(code, `socket error: ${e.message}`, { wsCode: e.code }), 0);
    // ws has already answered a frame it rejected with a close frame of its own (1009 for a frame
    // above the hard limit) and will cut the socket: that close is the server's, record it so.
    const closeCode = receiverCloseCode(e.code);
    if (closeCode !== undefined && serverClose === undefined && record.closedAt === undefined) {
      clearTimeout(handshakeTimer);
      serverClose = { code: closeCode, reason: clampReason(receiverCloseReason(closeCode, e)) };
      host.unregister(session);
      settleProbes();
    }
  });
  ws.on('close', (code: number, reason: Buffer) => {
    clearTimeout(handshakeTimer);
    stopLiveness();
    host.unregister(session);
    settleProbes();
    record.closedAt = Date.now();
    record.closedBy = serverClose !== undefined ? 'server' : 'client';
    record.closeCode = serverClose?.code ?? code;
    record.closeReason = serverClose?.reason ?? reason.toString('utf8');
    logger.info(`reference server: connection ${record.id}${selfId !== undefined ? ` (bot ${selfId})` : ''} closed`, {
      code: record.closeCode,
      reason: record.closeReason,
      by: record.closedBy,
    });
    host.onClosed(session, { ...record });
    resolveClosed();
  });

  const session: Session = {
    record,
    get selfId() {
      return selfId;
    },
    info,
    send,
    close,
    terminate: () => {
      clearTimeout(handshakeTimer);
      stopLiveness();
      if (record.closedAt === undefined) ws.terminate();
    },
    probe,
    closed,
  };
  return session;
};
