import type { Logger } from '../logging/logger';
import type { ProtocolError } from '../protocol/errors';
import type { ApiResponse } from '../protocol/codecs/frames';
import type { BotInfo, ConnectionRecord, FrameErrorRecord, ReceivedEvent } from './reference-server-types';
import type { ResolvedServerOptions } from './server-options';
import type { FrameInspector } from './frame-inspector';
import type { Routed } from './routing';
import type { Counters } from './counters';
import type { Outbound } from './outbound';
import type { EventObject } from './handshake';

/**
 * What a session (one accepted WebSocket, session.ts) and the server see of each other.
 * @internal
 */

/** @internal */
export interface SessionHost {
  readonly logger: Logger;
  readonly options: ResolvedServerOptions;
  readonly inspector: FrameInspector;
  readonly counters: Counters;
  isConnected(selfId: number): boolean;
  /** A header-less connection's connect event named a `self_id` another session holds. */
  onDuplicate(selfId: number): void;
  register(s: Session): void;
  unregister(s: Session): void;
  /** Routes a message event; `encoded` is its routed encoding when the worker made it. */
  route(from: Session, event: EventObject, bytes: number, encoded?: Uint8Array): Routed;
  /** True when the response answered a pending call. */
  onResponse(s: Session, response: ApiResponse): boolean;
  onInvalidResponse(s: Session, echo: unknown, error: ProtocolError): void;
  recordEvent(e: ReceivedEvent, bytes: number): void;
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
  readonly outbound: Outbound;
  info(): BotInfo;
  /** Writes a frame; false when it was not written (closed, or the queue overflowed). */
  send(data: string | Uint8Array): boolean;
  /** Writes one text message as two fragments (see {@link Outbound.sendParts}). */
  sendParts(head: string, tail: Uint8Array): boolean;
  close(code: number, reason: string): void;
  terminate(): void;
  /**
   * Pings now and settles once the peer answered it, or the session no longer holds its
   * `self_id` (no pong in time, closed, closing). Settles at once when pinging is disabled.
   */
  probe(): Promise<void>;
  /** Resolves once the socket is closed and the record final. */
  readonly closed: Promise<void>;
}

