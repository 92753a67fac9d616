import type { EchoStyle } from './server-options';
import type { OneBotError } from '../protocol/errors';
import type { ApiResponse } from '../protocol/codecs/frames';

/**
 * Close codes the reference server uses when it ends a connection itself. Codes in the private
 * 4000–4999 range name the exact handshake failure, so a client (or a human reading a trace) can
 * tell "too slow" from "wrong first frame" from "someone else holds this account" without parsing
 * the reason text. `1001` is the standard "going away" used on shutdown.
 *
 * @example
 * import { ServerCloseCode } from 'onebot-rx/server';
 * ServerCloseCode.HandshakeTimeout === 4001;
 *
 * @since 0.1.0
 * @category server
 */
export const ServerCloseCode = {
  /** The server is shutting down (`server.close()`). */
  GoingAway: 1001,
  /** Closed by `server.kick()` without an explicit code. */
  Normal: 1000,
  /** No lifecycle `connect` event arrived within `handshakeTimeout`. */
  HandshakeTimeout: 4001,
  /** The first frame was not a lifecycle `connect` event (bad JSON, other event, binary...). */
  HandshakeInvalid: 4002,
  /** The connect event's `self_id` differs from the `X-Self-ID` header (or `self_id` query). */
  SelfIdMismatch: 4003,
  /** The connect event's `self_id` breaks the `self_id` rule (a safe positive integer). */
  InvalidSelfId: 4004,
  /** Another connection already holds this `self_id`. */
  DuplicateSelfId: 4009,
} as const;

/** @since 0.1.0 @category server */
export type ServerCloseCode = (typeof ServerCloseCode)[keyof typeof ServerCloseCode];

export * from './server-options';

/** The last heartbeat a bot sent. @since 0.1.0 @category server */
export interface HeartbeatInfo {
  /** Server clock (ms since epoch) when it arrived. */
  readonly at: number;
  /** The heartbeat's `interval` field (ms). */
  readonly interval: number;
  /** The heartbeat's `status` object. */
  readonly status: Readonly<Record<string, unknown>>;
}

/** A connected (handshaken) bot, as returned by `server.bots()`. A snapshot. @since 0.1.0 @category server */
export interface BotInfo {
  readonly selfId: number;
  /** `X-Client-Role` header, `'Universal'` when absent. */
  readonly role: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** Id of the connection in `server.connections`. */
  readonly connectionId: number;
  /** When the connect event arrived (ms since epoch). */
  readonly connectedAt: number;
  /** When any frame last arrived from this bot. */
  readonly lastSeen: number;
  readonly heartbeats: number;
  readonly lastHeartbeat: HeartbeatInfo | undefined;
}

/** One accepted WebSocket connection, live or finished. @since 0.1.0 @category server */
export interface ConnectionRecord {
  readonly id: number;
  /** Set once known: from the header at upgrade, confirmed by the connect event. */
  readonly selfId: number | undefined;
  readonly role: string;
  readonly remoteAddress: string | undefined;
  /** Request path and query, `access_token` masked. */
  readonly url: string;
  /** Upgrade request headers with `Authorization` replaced by `[redacted]`. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly openedAt: number;
  /** When the handshake (connect event) succeeded; `undefined` if it never did. */
  readonly handshakeAt: number | undefined;
  readonly closedAt: number | undefined;
  /**
   * The code of the close: ours when the server closed it (including the 1009/1002/1007 that the
   * WebSocket layer sends for a frame it rejects), the peer's otherwise. 1006: no close frame, either
   * because the peer vanished, or because the server terminated a connection that did not answer a
   * ping (then `closedBy` is `'server'`).
   */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  /** Who started the close. */
  readonly closedBy: 'server' | 'client' | undefined;
}

/** An upgrade the server refused with an HTTP status. @since 0.1.0 @category server */
export interface RejectionRecord {
  readonly at: number;
  readonly status: number;
  /** Short reason, for tests and logs (never sent to the client, never contains the token). */
  readonly reason: string;
  readonly remoteAddress: string | undefined;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** An event a bot sent, as decoded. @since 0.1.0 @category server */
export interface ReceivedEvent {
  readonly at: number;
  readonly selfId: number;
  readonly connectionId: number;
  /** `'event'`: a known OneBot v11 event; `'extension'`: valid envelope, no codec for its type. */
  readonly kind: 'event' | 'extension';
  readonly event: Readonly<Record<string, unknown>> & { readonly post_type: string; readonly self_id: number };
  /** Bots that received a routed copy (message events only). */
  readonly deliveredTo: readonly number[];
}

/** A bad frame the server saw (and answered with an error frame, or closed the handshake on). @since 0.1.0 @category server */
export interface FrameErrorRecord {
  readonly at: number;
  readonly connectionId: number;
  readonly selfId: number | undefined;
  /** The `OneBotError` code, e.g. `ONEBOT_INVALID_JSON`. */
  readonly code: string;
  readonly message: string;
  readonly error: OneBotError;
  /** Size of the offending frame in bytes. */
  readonly bytes: number;
}

/** An answer to an API call the server made. @since 0.1.0 @category server */
export interface ApiResponseRecord {
  readonly selfId: number;
  readonly action: string;
  readonly echo: unknown;
  readonly response: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
}

/**
 * What `server.on(name, fn)` can listen to, and the payload of each.
 * @since 0.1.0 @category server
 */
export interface ReferenceServerEvents {
  /** A bot finished its handshake. */
  connect: BotInfo;
  /** A bot sent a valid event (after routing). */
  event: ReceivedEvent;
  /** A connection ended (handshaken or not). */
  disconnect: ConnectionRecord;
  /** A bad frame arrived. */
  error: FrameErrorRecord;
  /** A bot answered an API call. */
  'api-response': ApiResponseRecord;
  /** An upgrade was refused. */
  rejection: RejectionRecord;
}

/** @since 0.1.0 @category server */
export type ReferenceServerEventName = keyof ReferenceServerEvents;

/** Size of one bounded list or queue. @since 0.2.0 @category server */
export interface Usage {
  readonly count: number;
  readonly bytes: number;
}

/**
 * Counters since the server started, and what it holds now (`server.stats()`). Counters are never
 * dropped, so they stay true after the history lists have forgotten the entries.
 * @since 0.2.0 @category server
 */
export interface ServerStats {
  /** Frames received after handshakes (all bots). */
  readonly framesReceived: number;
  /** Frames answered with an error frame (bad, over a limit, not routable), all bots. */
  readonly framesRefused: number;
  /** Frames refused, by the name of the limit (`maxPayload`, `maxDepth`, `maxValues`, `maxSegments`, `maxFanoutBytes`) or the error code. */
  readonly refusedBy: Readonly<Record<string, number>>;
  /** Message copies written to recipients. */
  readonly copiesRouted: number;
  /** Connections cut off as slow consumers. */
  readonly slowConsumers: number;
  /** Connections terminated for not answering a ping. */
  readonly pongTimeouts: number;
  /** Handshakes refused for a `self_id` that breaks the rule (connect event path). */
  readonly invalidSelfIds: number;
  /** Live connections (handshaken or not). */
  readonly connections: number;
  /** Frames and bytes queued for all connections right now. */
  readonly queued: Usage;
  /** `callApi` calls waiting for an answer. */
  readonly pendingCalls: Usage;
  /** Big frames being parsed on the decoding worker. */
  readonly framesOnWorker: number;
  /** What each history list holds, and how many entries it dropped to stay within its bounds. */
  readonly history: Readonly<Record<'events' | 'errors' | 'connections' | 'rejections', Usage & { readonly dropped: number }>>;
}

/** Options of {@link ReferenceServer.callApi}. @since 0.1.0 @category server */
export interface CallApiOptions {
  /** Milliseconds to wait for the answer. @defaultValue the server's `apiTimeout` */
  readonly timeout?: number;
  /** Type of the `echo` for this call. @defaultValue the server's `echoStyle` */
  readonly echoStyle?: EchoStyle;
}

/**
 * A running reference server. Everything it saw is kept for inspection; all `waitFor*` helpers
 * resolve on the matching notification (the history-aware ones also on what already happened)
 * and reject with `ONEBOT_SERVER_WAIT_TIMEOUT`, so tests never sleep.
 *
 * @since 0.1.0
 * @category server
 */
export interface ReferenceServer {
  /** `ws://host:port/path`. */
  readonly url: string;
  readonly host: string;
  /** The bound port (the real one when `port: 0` was asked). */
  readonly port: number;
  readonly path: string;
  /** Connected (handshaken) bots, as snapshots. */
  bots(): BotInfo[];
  /** One connected bot, or `undefined`. */
  bot(selfId: number): BotInfo | undefined;
  /** Every accepted WebSocket connection, oldest first (snapshots). */
  readonly connections: readonly ConnectionRecord[];
  /** Upgrades refused with an HTTP status, oldest first. */
  readonly rejections: readonly RejectionRecord[];
  /** Bad frames seen, oldest first. */
  readonly errors: readonly FrameErrorRecord[];
  /** Valid events received (all bots, or one), oldest first. Includes connect events and heartbeats. */
  events(selfId?: number): ReceivedEvent[];
  /** Subscribes to a notification; returns the unsubscribe function. */
  on<K extends keyof ReferenceServerEvents>(name: K, fn: (payload: ReferenceServerEvents[K]) => void): () => void;
  /**
   * Resolves with the first truthy value of `condition`, checked at once and again after every
   * notification (connect, event, heartbeat, error, disconnect, API response, rejection).
   * @example
   * import { createClient } from 'onebot-rx';
   * import { createReferenceServer } from 'onebot-rx/server';
   * const server = await createReferenceServer({ port: 0 });
   * const client = createClient({ url: server.url, selfId: 10001, heartbeatInterval: 50 });
   * client.connect();
   * await server.waitFor(() => (server.bot(10001)?.heartbeats ?? 0) >= 2, 5000);
   * await client.disconnect();
   * await server.close();
   */
  waitFor<T>(condition: () => T, timeoutMs?: number): Promise<Exclude<T, false | undefined | null | 0 | ''>>;
  /** The next `name` notification (after this call) for which `predicate` holds. @defaultValue timeout 5000 ms */
  next<K extends keyof ReferenceServerEvents>(
    name: K,
    predicate?: (payload: ReferenceServerEvents[K]) => boolean,
    timeoutMs?: number,
  ): Promise<ReferenceServerEvents[K]>;
  /** Resolves once `selfId` is connected (at once if it already is). */
  waitForBot(selfId: number, timeoutMs?: number): Promise<BotInfo>;
  /** Resolves with the first received event (already recorded or future) matching `predicate`. */
  waitForEvent(predicate: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  /** Resolves with the first bad frame (already recorded or future) matching `predicate`. */
  waitForError(predicate?: (e: FrameErrorRecord) => boolean, timeoutMs?: number): Promise<FrameErrorRecord>;
  /** Resolves with the first finished connection (already closed or future) matching: a self id or a predicate. */
  waitForDisconnect(match: number | ((c: ConnectionRecord) => boolean), timeoutMs?: number): Promise<ConnectionRecord>;
  /**
   * Sends an API request to a bot and resolves with its response (whatever its `status`), matched by
   * `echo`. Rejects with `ONEBOT_BOT_NOT_CONNECTED` (not connected, or gone before answering),
   * `ONEBOT_API_TIMEOUT`, `ONEBOT_INVALID_RESPONSE` (the answer carrying our echo was malformed) or
   * `ONEBOT_SERVER_CLOSED`.
   */
  callApi(selfId: number, action: string, params?: Record<string, unknown>, options?: CallApiOptions): Promise<ApiResponse>;
  /** Writes a frame to a bot as-is (strings as text frames, bytes as binary). Throws `ONEBOT_BOT_NOT_CONNECTED`. */
  sendRaw(selfId: number, data: string | Uint8Array): void;
  /** Closes a bot's connection; resolves with its record once closed. */
  kick(selfId: number, code?: number, reason?: string): Promise<ConnectionRecord>;
  /** Counters and current sizes; see {@link ServerStats}. */
  stats(): ServerStats;
  /** Closes every socket (1001) and the HTTP server. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}
