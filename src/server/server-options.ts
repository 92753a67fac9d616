import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logging/logger';

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
 * {@link REFERENCE_SERVER_DEFAULTS}. Every limit is in count and in bytes; what happens past each
 * one is in docs/guides/reference-server.md.
 *
 * @since 0.1.0
 * @category server
 */
export interface ReferenceServerOptions {
  // ── Listening and handshake ──────────────────────────────────────────────────────────────
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

  // ── Liveness ─────────────────────────────────────────────────────────────────────────────
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

  // ── Frames a bot sends ───────────────────────────────────────────────────────────────────
  /**
   * Largest frame, in bytes, the server accepts: bigger frames are answered with an error frame and
   * the connection stays open. Frames above `max(4 × maxPayload, maxPayload + 64 KiB)` are cut off
   * by the WebSocket layer (close 1009), since they must not be buffered. @defaultValue 16 MiB
   */
  readonly maxPayload?: number;
  /** Deepest nesting of arrays and objects in a frame (the frame itself is 1); checked before parsing. @defaultValue `64` */
  readonly maxDepth?: number;
  /** Most JSON values (array elements plus object members) in a frame. @defaultValue `100000` */
  readonly maxValues?: number;
  /** Most message segments in a frame (in every `message` and `content`; CQ codes count in strings). @defaultValue `1000` */
  readonly maxSegments?: number;
  /**
   * Frames larger than this, in bytes, are parsed on a worker thread, so that a huge frame costs
   * its sender time and not everyone else's routing. @defaultValue 64 KiB
   */
  readonly workerDecodeBytes?: number;

  // ── Routing and what is queued for each bot ─────────────────────────────────────────────
  /**
   * Most bytes one routed message may cost in copies (its size × its recipients). A group message
   * over it is not delivered; its sender gets an error frame naming `maxFanoutBytes`. @defaultValue 64 MiB
   */
  readonly maxFanoutBytes?: number;
  /**
   * Most frames written to one connection and not yet handed to the operating system. A bot whose
   * queue passes this (or `sendQueueBytes`) is a slow consumer: it is cut off at once (recorded as
   * `closeCode: 1006`, `closeReason: 'slow consumer: ...'`). @defaultValue `10000`
   */
  readonly sendQueueLimit?: number;
  /** Most bytes queued for one connection (see `sendQueueLimit`). @defaultValue 32 MiB */
  readonly sendQueueBytes?: number;

  // ── API calls ────────────────────────────────────────────────────────────────────────────
  /** Default timeout of {@link ReferenceServer.callApi}, ms. @defaultValue `10000` */
  readonly apiTimeout?: number;
  /** Type of the `echo` the server puts on API calls. @defaultValue `'string'` */
  readonly echoStyle?: EchoStyle;
  /** Most `callApi` calls waiting for a bot's answer, whole server; one more is rejected at once. @defaultValue `10000` */
  readonly pendingCallsLimit?: number;
  /** Most bytes of `callApi` requests waiting for an answer, whole server. @defaultValue 64 MiB */
  readonly pendingCallsBytes?: number;
  /**
   * Most API calls from one bot not answered yet (the server offers no API and answers each with
   * 1404 at once, so this only bites under a flood); past it the bot's socket is not read until
   * the answers are out, and a call that still arrives is answered 1429. @defaultValue `100`
   */
  readonly botCallsLimit?: number;
  /** Most bytes of one bot's calls not answered yet (see `botCallsLimit`). @defaultValue 1 MiB */
  readonly botCallsBytes?: number;

  // ── Records ──────────────────────────────────────────────────────────────────────────────
  /** Most entries each history list (`events`, `errors`, `connections`, `rejections`) keeps; oldest dropped first. @defaultValue `10000` */
  readonly historyLimit?: number;
  /** Most bytes each history list keeps (an event counts the size of its frame). @defaultValue 32 MiB */
  readonly historyBytes?: number;
  /** Where the server logs (tokens are never logged). @defaultValue silent */
  readonly logger?: Logger;
  /** Scheduler of every server timer (handshake, pings, API timeouts); tests pass a virtual one. @defaultValue rxjs `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
}

const MiB = 1024 * 1024;

/**
 * Defaults of {@link ReferenceServerOptions}, in one place.
 * @since 0.1.0 @category server
 */
export const REFERENCE_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8000,
  path: '/ws/',
  handshakeTimeout: 1000,
  requireSelfId: false,
  pingInterval: 15_000,
  pongTimeout: 10_000,
  maxPayload: 16 * MiB,
  maxDepth: 64,
  maxValues: 100_000,
  maxSegments: 1000,
  workerDecodeBytes: 64 * 1024,
  maxFanoutBytes: 64 * MiB,
  sendQueueLimit: 10_000,
  sendQueueBytes: 32 * MiB,
  apiTimeout: 10_000,
  echoStyle: 'string' as EchoStyle,
  pendingCallsLimit: 10_000,
  pendingCallsBytes: 64 * MiB,
  botCallsLimit: 100,
  botCallsBytes: MiB,
  historyLimit: 10_000,
  historyBytes: 32 * MiB,
} as const;

/** Options with defaults applied. @internal */
export type ResolvedServerOptions = { -readonly [K in keyof typeof REFERENCE_SERVER_DEFAULTS]: (typeof REFERENCE_SERVER_DEFAULTS)[K] extends number ? number : (typeof REFERENCE_SERVER_DEFAULTS)[K] extends string ? string : (typeof REFERENCE_SERVER_DEFAULTS)[K] } & {
  echoStyle: EchoStyle;
  requireSelfId: boolean;
  accessToken: string | undefined;
  logger: Logger | undefined;
  scheduler: SchedulerLike;
};

/** Numeric options and their floor (`port` 0 = any; `pingInterval` 0 = off). */
const FLOORS: ReadonlyArray<readonly [keyof typeof REFERENCE_SERVER_DEFAULTS, number]> = [
  ['port', 0],
  ['handshakeTimeout', 1],
  ['pingInterval', 0],
  ['pongTimeout', 1],
  ['maxPayload', 1],
  ['maxDepth', 1],
  ['maxValues', 1],
  ['maxSegments', 1],
  ['workerDecodeBytes', 0],
  ['maxFanoutBytes', 1],
  ['sendQueueLimit', 1],
  ['sendQueueBytes', 1],
  ['apiTimeout', 1],
  ['pendingCallsLimit', 1],
  ['pendingCallsBytes', 1],
  ['botCallsLimit', 1],
  ['botCallsBytes', 1],
  ['historyLimit', 0],
  ['historyBytes', 0],
];

/** Applies the defaults; a bad option throws a `RangeError` that names it. @internal */
export const resolveServerOptions = (options: ReferenceServerOptions): ResolvedServerOptions => {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...REFERENCE_SERVER_DEFAULTS, accessToken: undefined, logger: undefined, scheduler: asyncScheduler, ...given } as ResolvedServerOptions;
  for (const [name, floor] of FLOORS) {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < floor) {
      throw new RangeError(`onebot-rx: reference server option ${name} must be an integer >= ${floor}, got ${String(v)}`);
    }
  }
  if (!['string', 'number', 'object'].includes(o.echoStyle)) throw new RangeError(`onebot-rx: reference server option echoStyle must be 'string', 'number' or 'object', got ${String(o.echoStyle)}`);
  return o;
};
