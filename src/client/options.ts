import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { redactString, type Logger } from '../logging/logger';
import type { TlsOptions, WebSocketCtorLike } from '../transport/socket-factory';
import type { Transport } from '../transport/adapter';
import type { WorldOption } from './world-default';

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

/** The role announced in `X-Client-Role` (docs/protocol.md §1.1). @since 0.1.0 @category client */
export type ClientRole = 'Universal' | 'API' | 'Event';

/** Heartbeat / `get_status` payload: at least `online` and `good`. @since 0.1.0 @category client */
export interface ClientStatus {
  readonly online: boolean | null;
  readonly good: boolean;
  readonly [key: string]: unknown;
}

/**
 * Options of {@link createClient}. Only `url` is required; durations are milliseconds; sizes are
 * characters of JSON text (bytes, for the ASCII JSON OneBot frames nearly always are). The defaults
 * live in {@link DEFAULT_CLIENT_OPTIONS}, and {@link CLIENT_OPTION_SECTIONS} groups the names by
 * concern, as the README's table does.
 *
 * @since 0.1.0
 * @category client
 */
export interface ClientOptions {
  // --- connection -------------------------------------------------------------------------------
  /**
   * Reverse WebSocket URL of the application server (the original client's `uri`), e.g.
   * `'ws://127.0.0.1:8080/onebot/v11/ws'`. Required unless `transports` names another transport.
   * @defaultValue `undefined`
   */
  readonly url?: string;
  /**
   * The other OneBot v11 transports, run beside (or instead of) reverse WebSocket by the same client,
   * with the same handlers and events: `forwardWs()`, `httpApi()` and `httpPost()` from
   * `onebot-rx/server` (Node; docs/guides/transports.md). Any mix, several of a kind too.
   * @defaultValue `[]`
   */
  readonly transports?: readonly Transport[];
  /** The bot account (`X-Self-ID`, `self_id` of every event; the original `bot_id`). @defaultValue `12345` */
  readonly selfId?: number;
  /** Token for `Authorization: <authScheme> <token>` (or `?access_token=` where headers are impossible). Never logged. @defaultValue `undefined` */
  readonly accessToken?: string;
  /** Scheme word of the Authorization header (go-cqhttp used `Token`). @defaultValue `'Bearer'` */
  readonly authScheme?: 'Bearer' | 'Token';
  /** Put the token in `?access_token=` even when headers work. Automatic where they do not (browsers). @defaultValue `false` */
  readonly tokenInQuery?: boolean;
  /** `X-Client-Role`. `API` sockets send no lifecycle/heartbeat; `Event` sockets ignore API calls. @defaultValue `'Universal'` */
  readonly role?: ClientRole;
  /** `User-Agent` header (Node). @defaultValue `'OneBot/11 onebot-rx/<version>'` */
  readonly userAgent?: string;
  /** Extra handshake headers (Node). @defaultValue `{}` */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * TLS settings of a `wss://` connection (Node): `ca` to trust a private or self-signed
   * certificate, `cert`/`key` for mutual TLS, `servername`, and `rejectUnauthorized: false` to opt
   * out of verification (insecure). Ignored in browsers. Never logged.
   * @defaultValue `undefined` (verification on, Node's default CAs)
   */
  readonly tls?: TlsOptions;
  /** Time allowed for the socket to open; on expiry the attempt fails and is retried. @defaultValue `10000` */
  readonly handshakeTimeout?: number;
  /** Socket constructor (`isomorphic-ws` by default; inject a browser or fake one). @defaultValue `isomorphic-ws` */
  readonly WebSocketCtor?: WebSocketCtorLike;

  // --- reconnect --------------------------------------------------------------------------------
  /** Delay before a reconnect (fixed unless `backoff` is set); at least 100 ms. @defaultValue `5000` */
  readonly reconnectInterval?: number;
  /**
   * Reconnect attempts in a row before giving up; `0` = forever (the original client's meaning).
   * The count restarts once a connection stayed up `minUptime`.
   * @defaultValue `0`
   */
  readonly maxReconnectAttempts?: number;
  /** Capped exponential backoff with jitter; `false` = fixed interval (the spec's behaviour). @defaultValue `false` */
  readonly backoff?: BackoffOptions | false;
  /** A connection must stay open this long before the attempt count and backoff restart. @defaultValue `5000` */
  readonly minUptime?: number;

  // --- heartbeat and liveness --------------------------------------------------------------------
  /** Period of heartbeat meta events while open; `0` sends none. @defaultValue `30000` */
  readonly heartbeatInterval?: number;
  /**
   * Period of WebSocket pings that find a dead link (Node only; browsers cannot ping). `0` stops the
   * periodic pings; the pings that confirm delivery still go out, each with the `pongTimeout` deadline.
   * @defaultValue `15000`
   */
  readonly pingInterval?: number;
  /** A ping unanswered this long means the link is dead: it is dropped and redialed. @defaultValue `10000` */
  readonly pongTimeout?: number;

  // --- delivery ---------------------------------------------------------------------------------
  /**
   * When a `send()` promise settles. Either way every frame is confirmed by the server or, when its
   * link dies first, reported on `errors$` as `ONEBOT_DELIVERY_UNKNOWN` with the frames in its data
   * (docs/guides/delivery.md has the table).
   * - `'write'`: once the frame was written to a live connection, after its connect event (while
   *   the outbox is half full of unconfirmed frames: once confirmed, or its link ended, which paces
   *   an `await send()` loop).
   * - `'ack'`: once the server confirmed reading it (Node); it rejects with `DeliveryUnknown` when the
   *   link dies first. Browsers cannot confirm, and resolve on write.
   * @defaultValue `'write'`
   */
  readonly confirmDelivery?: 'ack' | 'write';
  /**
   * Frames waiting to be written, at most; a send beyond is rejected with `OutboxOverflow`. The
   * frames written and not yet confirmed have the same bound of their own: when they fill it,
   * writing waits for the server's confirmations (a fast producer is slowed down, not refused).
   * @defaultValue `1000`
   */
  readonly outboxLimit?: number;
  /** The same two bounds, in total size. @defaultValue `16777216` (16 MiB) */
  readonly outboxBytes?: number;
  /** A socket holding more unsent bytes than this takes no new frames: they wait in the outbox, and reading pauses. @defaultValue `16777216` (16 MiB) */
  readonly highWaterMark?: number;
  /** Largest frame accepted or sent, answers included; bigger ones are errors, never a closed link. @defaultValue `16777216` (16 MiB) */
  readonly maxPayload?: number;

  // --- answering API calls ----------------------------------------------------------------------
  /** A handler must settle within this time, else the call is answered with a failure. @defaultValue `30000` */
  readonly apiTimeout?: number;
  /** Handlers running at once per connection; further calls wait for a slot. @defaultValue `16` */
  readonly concurrentHandlers?: number;
  /** API calls received and not yet answered (running or waiting for a slot), at most; past it the socket is not read (Node) and stragglers get a failure. @defaultValue `256` */
  readonly pendingCallsLimit?: number;
  /** Their total size, at most. @defaultValue `4194304` (4 MiB) */
  readonly pendingCallsBytes?: number;
  /** Spacing of `*_rate_limited` calls. @defaultValue `500` */
  readonly rateLimitInterval?: number;
  /** `*_rate_limited` calls waiting their turn, at most (beyond, a failure instead of `async`); dropped and reported when the connection ends. @defaultValue `100` */
  readonly rateLimitedLimit?: number;
  /** Their total size, at most. @defaultValue `1048576` (1 MiB) */
  readonly rateLimitedBytes?: number;
  /** Nickname answered by the default `get_login_info`. @defaultValue `'onebot-rx'` */
  readonly nickname?: string;
  /** Status reported in heartbeats and `get_status`. @defaultValue `() => ({ online: true, good: true })` */
  readonly status?: () => ClientStatus;
  /**
   * The simulated world the client answers from (`get_msg`, friend/group/member queries, group
   * management with its notices, forwards; every message the bot sends is stored): a `World`, its
   * JSON declaration (docs/guides/conversations.md), or `false` for the plain built-ins.
   * @defaultValue a world with only the bot account; users and groups appear as they are mentioned
   */
  readonly world?: WorldOption;

  // --- frames -----------------------------------------------------------------------------------
  /** Message format of the events this client builds (`sendText`). @defaultValue `'array'` */
  readonly messageFormat?: 'array' | 'string';
  /** Decode inbound frames with the io-ts codecs; `false` trusts the server's shapes (faster). @defaultValue `true` */
  readonly validate?: boolean;

  // --- runtime ----------------------------------------------------------------------------------
  /** Where logs go (dials, closes and API calls at `debug`). Tokens are redacted. @defaultValue a console logger at `info` */
  readonly logger?: Logger;
  /** Clock and timers of every timed behaviour (tests pass a `TestScheduler`). @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /** Source of randomness for backoff jitter (tests pin it). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/** Option names by concern, in the order the README's table lists them. @since 0.2.0 @category client */
export const CLIENT_OPTION_SECTIONS = {
  connection: ['url', 'transports', 'selfId', 'accessToken', 'authScheme', 'tokenInQuery', 'role', 'userAgent', 'headers', 'tls', 'handshakeTimeout', 'WebSocketCtor'],
  reconnect: ['reconnectInterval', 'maxReconnectAttempts', 'backoff', 'minUptime'],
  'heartbeat and liveness': ['heartbeatInterval', 'pingInterval', 'pongTimeout'],
  delivery: ['confirmDelivery', 'outboxLimit', 'outboxBytes', 'highWaterMark', 'maxPayload'],
  'answering API calls': ['apiTimeout', 'concurrentHandlers', 'pendingCallsLimit', 'pendingCallsBytes', 'rateLimitInterval', 'rateLimitedLimit', 'rateLimitedBytes', 'nickname', 'status', 'world'],
  frames: ['messageFormat', 'validate'],
  runtime: ['logger', 'scheduler', 'random'],
} as const satisfies Record<string, readonly (keyof ClientOptions)[]>;

/** @internal Options with every default applied. */
export interface ResolvedClientOptions
  extends Required<Omit<ClientOptions, 'url' | 'accessToken' | 'logger' | 'WebSocketCtor' | 'backoff' | 'userAgent' | 'tls' | 'world'>> {
  readonly url: string | undefined;
  readonly world: WorldOption | undefined;
  readonly tls: TlsOptions | undefined;
  readonly accessToken: string | undefined;
  readonly logger: Logger | undefined;
  readonly WebSocketCtor: WebSocketCtorLike | undefined;
  readonly backoff: Required<BackoffOptions> | false;
  readonly userAgent: string | undefined;
}

/** Defaults of {@link BackoffOptions} when `backoff: {}` is given. @since 0.1.0 @category client */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { factor: 2, max: 60_000, jitter: 0.2 };

/** The smallest `reconnectInterval`: a server that closes at once must not be redialed hundreds of times a second. @since 0.2.0 @category client */
export const MIN_RECONNECT_INTERVAL = 100;

const MiB = 1024 * 1024;

/**
 * Every default of {@link ClientOptions}, in one place.
 *
 * @since 0.1.0
 * @category client
 */
export const DEFAULT_CLIENT_OPTIONS = {
  url: undefined,
  transports: [],
  selfId: 12345,
  accessToken: undefined,
  authScheme: 'Bearer',
  tokenInQuery: false,
  role: 'Universal',
  userAgent: undefined,
  headers: {},
  tls: undefined,
  handshakeTimeout: 10_000,
  WebSocketCtor: undefined,
  reconnectInterval: 5000,
  maxReconnectAttempts: 0,
  backoff: false,
  minUptime: 5000,
  heartbeatInterval: 30_000,
  pingInterval: 15_000,
  pongTimeout: 10_000,
  confirmDelivery: 'write',
  outboxLimit: 1000,
  outboxBytes: 16 * MiB,
  highWaterMark: 16 * MiB,
  maxPayload: 16 * MiB,
  apiTimeout: 30_000,
  concurrentHandlers: 16,
  pendingCallsLimit: 256,
  pendingCallsBytes: 4 * MiB,
  rateLimitInterval: 500,
  rateLimitedLimit: 100,
  rateLimitedBytes: 1 * MiB,
  nickname: 'onebot-rx',
  status: () => ({ online: true, good: true }),
  world: undefined,
  messageFormat: 'array',
  validate: true,
  logger: undefined,
  scheduler: asyncScheduler,
  random: Math.random,
} as const satisfies ResolvedClientOptions;

const TRANSPORT_KINDS: readonly unknown[] = ['forward-ws', 'http-api', 'http-post'];

const KNOWN: ReadonlySet<string> = new Set(Object.values(CLIENT_OPTION_SECTIONS).flat());

/** A bad option: fails `createClient` at once, naming the option. */
const bad = (name: string, expected: string, got: unknown): RangeError =>
  new RangeError(`onebot-rx: option ${name} must be ${expected}, got ${typeof got === 'string' ? JSON.stringify(redactString(got)) : String(got)}`);

/** Numeric options: [name, smallest value, integer?]. */
const NUMBERS: readonly [keyof ClientOptions, number, boolean][] = [
  ['reconnectInterval', MIN_RECONNECT_INTERVAL, false],
  ['maxReconnectAttempts', 0, true],
  ['minUptime', 0, false],
  ['heartbeatInterval', 0, false],
  ['handshakeTimeout', 1, false],
  ['pingInterval', 0, false],
  ['pongTimeout', 1, false],
  ['outboxLimit', 1, true],
  ['outboxBytes', 1, true],
  ['highWaterMark', 0, true],
  ['maxPayload', 1, true],
  ['apiTimeout', 0, false],
  ['concurrentHandlers', 1, true],
  ['pendingCallsLimit', 1, true],
  ['pendingCallsBytes', 1, true],
  ['rateLimitInterval', 0, false],
  ['rateLimitedLimit', 0, true],
  ['rateLimitedBytes', 0, true],
];

const ONE_OF: readonly [keyof ClientOptions, readonly unknown[]][] = [
  ['authScheme', ['Bearer', 'Token']],
  ['role', ['Universal', 'API', 'Event']],
  ['confirmDelivery', ['ack', 'write']],
  ['messageFormat', ['array', 'string']],
];

/**
 * Applies defaults and checks every option: a misconfiguration throws at `createClient`, naming the
 * option, never later on a timer.
 * @internal
 */
export const resolveOptions = (options: ClientOptions): ResolvedClientOptions => {
  if (typeof options !== 'object' || options === null) throw new TypeError('onebot-rx: createClient needs options with at least { url } or { transports }');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new RangeError(`onebot-rx: unknown option ${key}${suggest(key)}`);
  }
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<ClientOptions>;
  const o = { ...DEFAULT_CLIENT_OPTIONS, ...given } as Omit<ResolvedClientOptions, 'backoff'> & { backoff: BackoffOptions | false };

  const isTransport = (t: unknown): boolean =>
    typeof t === 'object' && t !== null && TRANSPORT_KINDS.includes((t as { kind?: unknown }).kind) && typeof (t as { compose?: unknown }).compose === 'function';
  if (!Array.isArray(o.transports) || !o.transports.every(isTransport)) {
    throw bad('transports', 'an array of transports (forwardWs(), httpApi(), httpPost() from onebot-rx/server)', o.transports);
  }
  if (o.url === undefined && o.transports.length === 0) {
    throw new RangeError('onebot-rx: createClient needs a transport: url (reverse WebSocket: the application server to dial) or transports (forwardWs, httpApi, httpPost from onebot-rx/server), or both');
  }
  if (o.url !== undefined) {
    if (typeof o.url !== 'string') throw bad('url', 'the ws:// or wss:// URL of the application server', o.url);
    let protocol = '';
    try {
      protocol = new URL(o.url).protocol;
    } catch {
      // reported below
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(protocol)) throw bad('url', 'a ws:// or wss:// URL', o.url);
  }
  if (!Number.isSafeInteger(o.selfId) || o.selfId <= 0) throw bad('selfId', 'a positive safe integer', o.selfId);
  for (const [name, min, integer] of NUMBERS) {
    const v = o[name] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw bad(name, `a finite ${integer ? 'integer' : 'number'} >= ${min}`, v);
    }
  }
  for (const [name, allowed] of ONE_OF) {
    if (!allowed.includes(o[name])) throw bad(name, allowed.map((a) => `'${String(a)}'`).join(' or '), o[name]);
  }
  for (const name of ['status', 'random'] as const) if (typeof o[name] !== 'function') throw bad(name, 'a function', o[name]);
  if (o.world !== undefined && o.world !== false && (typeof o.world !== 'object' || o.world === null)) throw bad('world', 'a World, a world declaration, or false', o.world);

  const backoff = o.backoff === false ? false : { ...DEFAULT_BACKOFF, ...Object.fromEntries(Object.entries(o.backoff).filter(([, v]) => v !== undefined)) };
  if (backoff) {
    if (!(backoff.factor >= 1)) throw bad('backoff.factor', '>= 1', backoff.factor);
    if (!Number.isFinite(backoff.max) || backoff.max < 0) throw bad('backoff.max', 'a finite number >= 0', backoff.max);
    if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) throw bad('backoff.jitter', 'within [0, 1]', backoff.jitter);
  }
  return { ...o, backoff };
};

/** ` (did you mean selfId?)` for a near miss in case or spelling. */
const suggest = (key: string): string => {
  const lower = key.toLowerCase().replace(/[_-]/g, '');
  const match = [...KNOWN].find((k) => k.toLowerCase() === lower) ?? PYTHON_NAMES[lower];
  return match !== undefined ? ` (did you mean ${match}?)` : '';
};

/** The original Python client's names, for those who port a config. */
const PYTHON_NAMES: Readonly<Record<string, string>> = {
  uri: 'url',
  botid: 'selfId',
  reconnectinterval: 'reconnectInterval',
  maxreconnectattempts: 'maxReconnectAttempts',
};
