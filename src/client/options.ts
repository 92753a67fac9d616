import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { redactString, type Logger } from '../logging/logger';
import type { TlsOptions, WebSocketCtorLike } from '../transport/socket-factory';

/**
 * Capped exponential backoff on top of `reconnectInterval`. Mapping for users of
 * reconnecting-websocket / partysocket: `minReconnectionDelay` = `reconnectInterval`,
 * `reconnectionDelayGrowFactor` = `factor`, `maxReconnectionDelay` = `max`, `maxRetries` =
 * `maxReconnectAttempts`, `minUptime` = `minUptime`.
 *
 * The n-th consecutive reconnect waits `min(max, reconnectInterval * factor^(n-1))`, stretched by up to
 * `jitter` (a fraction) with a fresh random draw per attempt, and never more than `max`.
 *
 * @since 0.1.0
 * @category client
 */
export interface BackoffOptions {
  /** Growth per consecutive failure. @defaultValue `2` */
  readonly factor?: number;
  /** Upper bound of any delay, ms. @defaultValue `60000` */
  readonly max?: number;
  /** Random stretch as a fraction of the delay (0 = none, 0.5 = up to +50%). @defaultValue `0.2` */
  readonly jitter?: number;
}

/** The role announced in `X-Client-Role` (PROTOCOL.md §1.1). @since 0.1.0 @category client */
export type ClientRole = 'Universal' | 'API' | 'Event';

/** Heartbeat / `get_status` payload: at least `online` and `good`. @since 0.1.0 @category client */
export interface ClientStatus {
  readonly online: boolean | null;
  readonly good: boolean;
  readonly [key: string]: unknown;
}

/**
 * Options of {@link createClient}. Every field is optional; all durations are milliseconds.
 * The defaults live in {@link DEFAULT_CLIENT_OPTIONS}.
 *
 * @since 0.1.0
 * @category client
 */
export interface ClientOptions {
  /** Reverse WebSocket URL of the application server. @defaultValue `'ws://127.0.0.1:8000/ws/'` */
  readonly url?: string;
  /** The bot account (`X-Self-ID`, `self_id` of every event). @defaultValue `12345` */
  readonly selfId?: number;
  /** Delay before a reconnect (fixed unless `backoff` is set). @defaultValue `5000` */
  readonly reconnectInterval?: number;
  /**
   * How many consecutive reconnects to try after the connection is lost (or the first dial fails)
   * before giving up; `0` = forever. The count resets once a connection stayed up `minUptime`.
   * @defaultValue `0`
   */
  readonly maxReconnectAttempts?: number;
  /** Capped exponential backoff with jitter; `false`/absent = fixed interval (the spec's behaviour). @defaultValue `false` */
  readonly backoff?: BackoffOptions | false;
  /** A connection must stay open this long before the attempt count and backoff reset. @defaultValue `5000` */
  readonly minUptime?: number;
  /** Period of heartbeat meta events while open; `0` disables them. @defaultValue `30000` */
  readonly heartbeatInterval?: number;
  /** Token for `Authorization: <authScheme> <token>` (or `?access_token=` where headers are impossible). Never logged. @defaultValue `undefined` */
  readonly accessToken?: string;
  /** Scheme word of the Authorization header (go-cqhttp used `Token`). @defaultValue `'Bearer'` */
  readonly authScheme?: 'Bearer' | 'Token';
  /** Put the token in `?access_token=` even when headers work. Automatic where they do not (browsers). @defaultValue `false` */
  readonly tokenInQuery?: boolean;
  /** `X-Client-Role`. `API` sockets send no lifecycle/heartbeat; `Event` sockets ignore API calls. @defaultValue `'Universal'` */
  readonly role?: ClientRole;
  /** Message format of the events this client builds (`sendText`). @defaultValue `'array'` */
  readonly messageFormat?: 'array' | 'string';
  /** Time allowed for the socket to open; on expiry the attempt fails and is retried. @defaultValue `10000` */
  readonly handshakeTimeout?: number;
  /** WebSocket ping period (Node only, feature-detected); `0` disables liveness checks. @defaultValue `15000` */
  readonly pingInterval?: number;
  /** Without a pong this long after a ping (a liveness or an acknowledgement ping), the link is declared dead and redialed. @defaultValue `10000` */
  readonly pongTimeout?: number;
  /**
   * When a `send()` resolves.
   * - `'ack'`: once the peer confirmed reading the frame. The socket pings after a batch of writes
   *   (one ping in flight at a time, numbered) and the pong, which a WebSocket peer sends only after
   *   reading every frame before the ping, resolves the sends written before it. If the connection
   *   ends first, they reject with `DeliveryUnknown` (also reported on `errors$`) and are not sent
   *   again: a resolved send arrived exactly once. Needs a socket that can ping (Node's `ws`); where
   *   it cannot (browsers), the client falls back to `'write'`.
   * - `'write'`: once the frame was handed to an open socket after the handshake. A frame written
   *   into a link that then dies is lost although its send resolved.
   * @defaultValue `'ack'`
   */
  readonly confirmDelivery?: 'ack' | 'write';
  /** Where logs go. Tokens are redacted. @defaultValue a console logger at `info` */
  readonly logger?: Logger;
  /** Clock and timers of every timed behaviour (tests pass a `TestScheduler`). @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /**
   * Sends not yet settled, at most: those waiting for a connection (the outbox) plus, with
   * `confirmDelivery: 'ack'`, those written but not yet confirmed. The newest send beyond it is
   * rejected with `OutboxOverflow`.
   * @defaultValue `1000`
   */
  readonly outboxLimit?: number;
  /** A socket holding more than this many unsent bytes takes no new frames (they wait in the outbox). @defaultValue `16777216` (16 MiB) */
  readonly highWaterMark?: number;
  /** API handlers must settle within this time, else they answer a failure. @defaultValue `30000` */
  readonly apiTimeout?: number;
  /** Spacing of `*_rate_limited` API calls. @defaultValue `500` */
  readonly rateLimitInterval?: number;
  /** Socket constructor (`isomorphic-ws` by default; inject a browser/fake one). @defaultValue `isomorphic-ws` */
  readonly WebSocketCtor?: WebSocketCtorLike;
  /** Largest frame accepted or sent, in bytes; bigger ones are errors, not a closed link. @defaultValue `16777216` (16 MiB) */
  readonly maxPayload?: number;
  /** `User-Agent` header (Node). @defaultValue `'OneBot/11 onebot-rx/<version>'` */
  readonly userAgent?: string;
  /** Extra handshake headers (Node). @defaultValue `{}` */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * TLS settings of a `wss://` connection (Node): `ca` to trust a private or self-signed
   * certificate, `cert`/`key` for mutual TLS, `servername`, and `rejectUnauthorized: false` to opt
   * out of verification (insecure). Ignored in browsers, where the browser's own trust store
   * applies. Never logged. A certificate that fails verification ends the attempt with
   * `ONEBOT_SOCKET_ERROR` carrying the TLS reason, and the attempt is retried like any other.
   * @defaultValue `undefined` (verification on, Node's default CAs)
   */
  readonly tls?: TlsOptions;
  /** Decode inbound frames with the io-ts codecs; `false` trusts the server's shapes (faster). @defaultValue `true` */
  readonly validate?: boolean;
  /** Status reported in heartbeats and `get_status`. @defaultValue `() => ({ online: true, good: true })` */
  readonly status?: () => ClientStatus;
  /** Nickname answered by the default `get_login_info`. @defaultValue `'onebot-rx'` */
  readonly nickname?: string;
  /** Source of randomness for backoff jitter (tests pin it). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/** @internal Options with every default applied. */
export interface ResolvedClientOptions
  extends Required<Omit<ClientOptions, 'accessToken' | 'logger' | 'WebSocketCtor' | 'backoff' | 'userAgent' | 'tls'>> {
  readonly tls: TlsOptions | undefined;
  readonly accessToken: string | undefined;
  readonly logger: Logger | undefined;
  readonly WebSocketCtor: WebSocketCtorLike | undefined;
  readonly backoff: Required<BackoffOptions> | false;
  readonly userAgent: string | undefined;
}

/** Defaults of {@link BackoffOptions} when `backoff: {}` is given. @since 0.1.0 @category client */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { factor: 2, max: 60_000, jitter: 0.2 };

/**
 * Every default of {@link ClientOptions}, in one place.
 *
 * @since 0.1.0
 * @category client
 */
export const DEFAULT_CLIENT_OPTIONS = {
  url: 'ws://127.0.0.1:8000/ws/',
  selfId: 12345,
  reconnectInterval: 5000,
  maxReconnectAttempts: 0,
  backoff: false,
  minUptime: 5000,
  heartbeatInterval: 30_000,
  accessToken: undefined,
  authScheme: 'Bearer',
  tokenInQuery: false,
  role: 'Universal',
  messageFormat: 'array',
  handshakeTimeout: 10_000,
  pingInterval: 15_000,
  pongTimeout: 10_000,
  confirmDelivery: 'ack',
  logger: undefined,
  scheduler: asyncScheduler,
  outboxLimit: 1000,
  highWaterMark: 16 * 1024 * 1024,
  apiTimeout: 30_000,
  rateLimitInterval: 500,
  WebSocketCtor: undefined,
  maxPayload: 16 * 1024 * 1024,
  userAgent: undefined,
  headers: {},
  tls: undefined,
  validate: true,
  status: () => ({ online: true, good: true }),
  nickname: 'onebot-rx',
  random: Math.random,
} as const satisfies ResolvedClientOptions;

const nonNegative = (name: string, v: number): number => {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`onebot-rx: option ${name} must be a finite number >= 0, got ${String(v)}`);
  return v;
};

/**
 * Applies defaults and checks ranges (a misconfiguration throws `RangeError` at `createClient`, not
 * later on a timer).
 * @internal
 */
export const resolveOptions = (options: ClientOptions = {}): ResolvedClientOptions => {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ClientOptions;
  const o = { ...DEFAULT_CLIENT_OPTIONS, ...defined } as ResolvedClientOptions & { backoff: BackoffOptions | false };
  for (const k of ['reconnectInterval', 'maxReconnectAttempts', 'minUptime', 'heartbeatInterval', 'handshakeTimeout', 'pingInterval', 'pongTimeout', 'outboxLimit', 'apiTimeout', 'rateLimitInterval'] as const) {
    nonNegative(k, o[k]);
  }
  let protocol = '';
  try {
    protocol = new URL(o.url).protocol;
  } catch {
    // reported below
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(protocol)) throw new RangeError(`onebot-rx: option url must be a ws:// or wss:// URL, got ${JSON.stringify(redactString(o.url))}`);
  if (!Number.isInteger(o.selfId) || o.selfId <= 0) throw new RangeError(`onebot-rx: option selfId must be a positive integer, got ${String(o.selfId)}`);
  if (o.confirmDelivery !== 'ack' && o.confirmDelivery !== 'write') throw new RangeError(`onebot-rx: option confirmDelivery must be 'ack' or 'write', got ${String(o.confirmDelivery)}`);
  if (!(o.maxPayload > 0)) throw new RangeError(`onebot-rx: option maxPayload must be > 0, got ${String(o.maxPayload)}`);
  const backoff = o.backoff === false ? false : { ...DEFAULT_BACKOFF, ...Object.fromEntries(Object.entries(o.backoff).filter(([, v]) => v !== undefined)) };
  if (backoff) {
    if (!(backoff.factor >= 1)) throw new RangeError(`onebot-rx: option backoff.factor must be >= 1, got ${String(backoff.factor)}`);
    nonNegative('backoff.max', backoff.max);
    if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) throw new RangeError(`onebot-rx: option backoff.jitter must be within [0, 1], got ${String(backoff.jitter)}`);
  }
  return { ...o, backoff };
};
