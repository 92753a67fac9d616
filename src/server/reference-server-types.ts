import type { Logger } from '../logging/logger';
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
  /** Another connection already holds this `self_id`. */
  DuplicateSelfId: 4009,
} as const;

/** @since 0.1.0 @category server */
export type ServerCloseCode = (typeof ServerCloseCode)[keyof typeof ServerCloseCode];

/**
 * How the server writes the `echo` of the API calls it makes. Real servers differ (NoneBot2 sends a
 * digit string, Koishi a number, aiocqhttp an object), and a client must copy it back verbatim, so
 * the reference server can imitate each of them.
 *
 * @since 0.1.0
 * @category server
 */
export type EchoStyle = 'string' | 'number' | 'object';

/**
 * Options of {@link createReferenceServer}. Every option is optional; defaults are in
 * {@link REFERENCE_SERVER_DEFAULTS}.
 *
 * @since 0.1.0
 * @category server
 */
export interface ReferenceServerOptions {
  /** Interface to listen on. @defaultValue `'127.0.0.1'` */
  readonly host?: string;
  /** TCP port; `0` picks a free one (read it back from `server.port`). @defaultValue `8000` */
  readonly port?: number;
  /** WebSocket path; a trailing slash is optional on both sides. @defaultValue `'/ws/'` */
  readonly path?: string;
  /** Milliseconds a client has to send its lifecycle `connect` event. @defaultValue `1000` */
  readonly handshakeTimeout?: number;
  /**
   * When set, every upgrade must carry it as `Authorization: Bearer <t>` / `Token <t>` or
   * `?access_token=<t>` (for browsers). Missing → HTTP 401, wrong → HTTP 403.
   */
  readonly accessToken?: string;
  /**
   * When `true`, an upgrade without `X-Self-ID` (and without `?self_id=`) is refused with HTTP 400.
   * When `false` the bot is identified by its connect event, as the original server did.
   * @defaultValue `false`
   */
  readonly requireSelfId?: boolean;
  /** Default timeout of {@link ReferenceServer.callApi}, ms. @defaultValue `10000` */
  readonly apiTimeout?: number;
  /** Type of the `echo` the server puts on API calls. @defaultValue `'string'` */
  readonly echoStyle?: EchoStyle;
  /**
   * Largest frame, in bytes, the server accepts: bigger frames are answered with an error frame and
   * the connection stays open. Frames above `max(4 × maxPayload, maxPayload + 64 KiB)` are cut off
   * by the WebSocket layer (close 1009), since they must not be buffered. @defaultValue 16 MiB
   */
  readonly maxPayload?: number;
  /**
   * Milliseconds between pings to each connection; `0` disables pinging (and the probe of a
   * `self_id` holder on a duplicate upgrade). A half-open bot is dropped, and its `self_id` freed,
   * at most `pingInterval + pongTimeout` after it died; a reconnect probes the holder and so waits
   * at most `pongTimeout`. @defaultValue `15000`
   */
  readonly pingInterval?: number;
  /**
   * Milliseconds a ping may go unanswered before the connection is terminated (recorded as
   * `closedBy: 'server'`, `closeCode: 1006`, `closeReason: 'no pong within <pongTimeout> ms'`).
   * @defaultValue `10000`
   */
  readonly pongTimeout?: number;
  /** How many entries each history list (`events`, `errors`, `connections`, `rejections`) keeps. @defaultValue `10000` */
  readonly historyLimit?: number;
  /** Where the server logs (tokens are never logged). @defaultValue silent */
  readonly logger?: Logger;
}

/**
 * Defaults of {@link ReferenceServerOptions}, in one place.
 * @since 0.1.0 @category server
 */
export const REFERENCE_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8000,
  path: '/ws/',
  handshakeTimeout: 1000,
  apiTimeout: 10_000,
  echoStyle: 'string' as EchoStyle,
  maxPayload: 16 * 1024 * 1024,
  historyLimit: 10_000,
  requireSelfId: false,
  pingInterval: 15_000,
  pongTimeout: 10_000,
} as const;

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
  /** Closes every socket (1001) and the HTTP server. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}
