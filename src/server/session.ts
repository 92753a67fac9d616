import type { WebSocket } from 'ws';
import * as E from 'fp-ts/Either';
import { Subject, type Subscription } from 'rxjs';
import { ErrorCode, OneBotError, ProtocolError } from '../protocol/errors';
import { Liveness } from '../transport/liveness';
import type { IncomingCall } from '../client/api';
import { answerBotCalls } from './bot-calls';
import { ServerCloseCode, type BotInfo, type ConnectionRecord, type FrameErrorRecord, type HeartbeatInfo } from './reference-server-types';
import type { Inspected } from './frame-inspector';
import type { Routed } from './routing';
import type { Session, SessionHost, SessionInit } from './session-types';
import { Inbound } from './inbound';
import { Prober } from './prober';
import { errorFrame } from './error-frame';
import { Outbound } from './outbound';
import { judgeHandshake, type EventObject } from './handshake';
import { clampReason } from './upgrade-checks';
import { receiverClose } from './receiver-close';

/**
 * One accepted WebSocket: its handshake, its frames and its close. The server owns the registry of
 * bots, the routing and the pending calls; a session reports to it through {@link SessionHost}.
 * Liveness is the shared engine (`Liveness`), the bot's own API calls are answered by the shared
 * engine (`answerCalls`, with an empty handler table: 1404, bounded and encode-safe), and frames
 * go in through {@link Inbound} and out through {@link Outbound}.
 * @internal
 */

export type { Session, SessionHost, SessionInit } from './session-types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** @internal */
export const createSession = (host: SessionHost, ws: WebSocket, init: SessionInit): Session => {
  const { logger, options: o, counters } = host;
  const scheduler = o.scheduler;
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
  /** Set when the server ends the connection: the record's code and reason. */
  let serverClose: { code: number; reason: string } | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const who = (): string => (selfId !== undefined ? `bot ${selfId}` : `connection ${record.id}`);

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

  /** The server ends the connection: stop routing to it and settle its waits now, not when the socket closes. */
  const ending = (code: number, reason: string): boolean => {
    if (serverClose !== undefined || record.closedAt !== undefined) return false;
    serverClose = { code, reason: clampReason(reason) };
    handshakeTimer.unsubscribe();
    host.unregister(session);
    prober.settleAll();
    return true;
  };

  const close = (code: number, reason: string): void => {
    if (!ending(code, reason)) return;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, serverClose!.reason);
  };

  /** Slow consumer: cut off, but never inside the write that overflowed (that is someone else's routing). */
  const cutOff = (why: string): void => {
    if (!ending(1006, `slow consumer: ${why}`)) return;
    counters.slowConsumers += 1;
    logger.warn(`reference server: ${who()} is a slow consumer (${why}); cutting it off`, { connectionId: record.id });
    setImmediate(() => ws.terminate());
  };

  const outbound = new Outbound(ws, o, cutOff, logger);
  const send = (data: string | Uint8Array): boolean => outbound.send(data);

  // Liveness: the shared engine pings every pingInterval; a ping unanswered for pongTimeout means
  // the peer is gone (half-open links report nothing else), and the socket is terminated.
  const liveness = o.pingInterval > 0 ? new Liveness(ws, { pingInterval: o.pingInterval, pongTimeout: o.pongTimeout }, scheduler, () => onPongTimeout()) : undefined;
  const prober = new Prober(liveness);
  const onPongTimeout = (): void => {
    if (record.closedAt !== undefined) return;
    // Only an open socket's death is ours to record; a close already under way keeps its code.
    if (ws.readyState === ws.OPEN && serverClose === undefined) counters.pongTimeouts += 1;
    if (ws.readyState === ws.OPEN) ending(1006, `no pong within ${o.pongTimeout} ms`);
    logger.warn(`reference server: ${who()} did not answer a ping within ${o.pongTimeout} ms; terminating`, { connectionId: record.id });
    host.unregister(session);
    prober.settleAll();
    ws.terminate();
  };
  const probe = (): Promise<void> =>
    prober.probe(record.closedAt === undefined && serverClose === undefined && ws.readyState === ws.OPEN);

  const recordError = (error: OneBotError, bytes: number): void => {
    const rec: FrameErrorRecord = { at: Date.now(), connectionId: record.id, selfId, code: error.code, message: error.message, error, bytes };
    logger.warn(`reference server: bad frame from ${who()}: ${error.message}`, { code: error.code, bytes });
    host.recordError(rec);
  };

  /** Answers a frame the server refuses with a response-shaped error frame (never `post_type`), and counts it. */
  const refuse = (error: ProtocolError, bytes: number): void => {
    recordError(error, bytes);
    counters.refused(typeof error.data.limit === 'string' ? error.data.limit : error.code);
    send(errorFrame(error));
    if (error.code === ErrorCode.InvalidResponse && 'echo' in error.data) host.onInvalidResponse(session, error.data.echo, error);
  };

  // The bot's own API calls, answered by the shared engine (bot-calls.ts).
  const calls = new Subject<IncomingCall>();
  const answers: Subscription = answerBotCalls(calls, o, {
    send,
    report: (e) => recordError(e, 0),
    pause: () => inbound.pause('calls'),
    resume: () => inbound.resume('calls'),
  });

  const handshake = (frame: Inspected['frame'], bytes: number): void => {
    handshakeTimer.unsubscribe();
    const verdict = judgeHandshake(frame, init.claimedSelfId, host.isConnected);
    if (!verdict.ok) {
      if (verdict.error !== undefined) recordError(verdict.error, bytes);
      if (verdict.code === ServerCloseCode.InvalidSelfId) counters.invalidSelfIds += 1;
      if (verdict.duplicateOf !== undefined) {
        record.selfId = verdict.duplicateOf;
        host.onDuplicate(verdict.duplicateOf);
      }
      return close(verdict.code, verdict.reason);
    }
    selfId = verdict.selfId;
    record.selfId = selfId;
    record.handshakeAt = Date.now();
    lastSeen = record.handshakeAt;
    host.register(session);
    logger.info(`reference server: bot ${selfId} connected`, { connectionId: record.id, role: record.role, remoteAddress: init.remoteAddress });
    host.onConnected(info());
    host.recordEvent({ at: record.handshakeAt, selfId, connectionId: record.id, kind: 'event', event: verdict.event, deliveredTo: [] }, bytes);
  };

  const onEvent = (kind: 'event' | 'extension', event: EventObject, bytes: number, encoded: Uint8Array | undefined): void => {
    const me = selfId as number;
    if (event.self_id !== me) {
      return refuse(new ProtocolError(ErrorCode.InvalidEvent, `invalid event: self_id ${event.self_id} does not match this connection's self_id ${me}`, { path: 'self_id' }), bytes);
    }
    const at = Date.now();
    if (kind === 'event' && event.post_type === 'meta_event' && event.meta_event_type === 'heartbeat') {
      heartbeats += 1;
      lastHeartbeat = { at, interval: event.interval as number, status: event.status as Record<string, unknown> };
    }
    // Only decoded (standard) message events are routed, so every copy is a valid event.
    const routed: Routed = kind === 'event' ? host.route(session, event, bytes, encoded) : { ok: true, deliveredTo: [] };
    if (!routed.ok) return refuse(routed.error, bytes);
    counters.copiesRouted += routed.deliveredTo.length;
    host.recordEvent({ at, selfId: me, connectionId: record.id, kind, event, deliveredTo: routed.deliveredTo }, bytes);
  };

  const onFrame = ({ frame, routedTail }: Inspected, bytes: number): void => {
    if (selfId === undefined) return serverClose === undefined ? handshake(frame, bytes) : undefined;
    lastSeen = Date.now();
    counters.framesReceived += 1;
    if (E.isLeft(frame)) return refuse(frame.left, bytes);
    const f = frame.right;
    switch (f.kind) {
      case 'event':
      case 'extension':
        return onEvent(f.kind, f.event as EventObject, bytes, routedTail);
      case 'response':
        if (!host.onResponse(session, f.response)) logger.debug('reference server: response matches no pending call', { selfId, echo: f.response.echo });
        return;
      case 'request':
        return calls.next({ request: f.request, size: bytes });
    }
  };

  const inbound = new Inbound(ws, host.inspector, (frame, bytes) => {
    try {
      onFrame(frame, bytes);
    } catch (e) {
      // A bug here must cost one frame, not the process.
      logger.error('reference server: frame handler failed', { connectionId: record.id, error: e instanceof Error ? e.message : String(e) });
    }
  });

  const handshakeTimer: Subscription = scheduler.schedule(() => {
    const error = new OneBotError(ErrorCode.ServerHandshakeTimeout, `handshake timeout: no lifecycle connect event within ${o.handshakeTimeout} ms`);
    recordError(error, 0);
    close(ServerCloseCode.HandshakeTimeout, error.message);
  }, o.handshakeTimeout);

  // Frames that arrive once the server is closing are neither answered nor recorded; those that
  // arrived before are all handled (the peer may already hold a pong that proves they were read).
  ws.on('message', (data, isBinary) => {
    if (serverClose === undefined) inbound.push(data, isBinary);
  });
  ws.on('error', (e: Error & { code?: string }) => {
    const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? ErrorCode.FrameTooLarge : ErrorCode.SocketError;
    recordError(new OneBotError(code, `socket error: ${e.message}`, { wsCode: e.code }), 0);
    // ws has already answered a frame it rejected with a close frame of its own (1009 for a frame
    // above the hard limit) and will cut the socket: that close is the server's, record it so.
    const rc = receiverClose(e);
    if (rc !== undefined) ending(rc.code, rc.reason);
  });
  ws.on('close', (code: number, reason: Buffer) => {
    handshakeTimer.unsubscribe();
    inbound.closeInput();
    liveness?.stop();
    answers.unsubscribe();
    host.unregister(session);
    prober.settleAll();
    record.closedAt = Date.now();
    record.closedBy = serverClose !== undefined ? 'server' : 'client';
    record.closeCode = serverClose?.code ?? code;
    record.closeReason = serverClose?.reason ?? reason.toString('utf8');
    logger.info(`reference server: connection ${record.id}${selfId !== undefined ? ` (bot ${selfId})` : ''} closed`, { code: record.closeCode, reason: record.closeReason, by: record.closedBy });
    host.onClosed(session, { ...record });
    resolveClosed();
  });

  const session: Session = {
    record,
    get selfId() {
      return selfId;
    },
    outbound,
    info,
    send,
    sendParts: (head, tail) => outbound.sendParts(head, tail),
    close,
    terminate: () => {
      handshakeTimer.unsubscribe();
      liveness?.stop();
      if (record.closedAt === undefined) ws.terminate();
    },
    probe,
    closed,
  };
  return session;
};
