/**
 * The engine's settings: `config.engines.onebot` of an Artillery script. Every field is optional.
 * Durations in scripts are seconds (Artillery's convention) unless the name ends in `Ms`.
 */
export interface EngineOptions {
  /** Reverse WebSocket URL of the application (default: `config.target`). */
  readonly url?: string;
  /** Access token for every connection (a step may override it). */
  readonly accessToken?: string;
  /** First generated bot account (`self_id`). @defaultValue 1000000000 */
  readonly selfIdBase?: number;
  /** First generated user account. @defaultValue 2000000000 */
  readonly userIdBase?: number;
  /** Accounts reserved per worker slot: slot k generates `base + k × idStride + n`. @defaultValue 1000000 */
  readonly idStride?: number;
  /** Slots a cloud worker's random `WORKER_ID` is hashed into. @defaultValue 1000 */
  readonly cloudSlots?: number;
  /** Default `timeout` of a step waiting for a reply, seconds. @defaultValue 10 */
  readonly replyTimeout?: number;
  /** Time allowed for a connection to open, seconds. @defaultValue 10 */
  readonly connectTimeout?: number;
  /** Heartbeat period of every bot, ms (`0` = none). @defaultValue 30000 */
  readonly heartbeatInterval?: number;
  /** Message format of the events the VU's send. @defaultValue 'array' */
  readonly messageFormat?: 'array' | 'string';
  /** Replies awaited at once on one connection, at most (bounds memory). @defaultValue 10000 */
  readonly maxWaitersPerBot?: number;
  /** Name of a processor function returning an `Answerer` (the world seam, see answering.ts). */
  readonly answerer?: string;
  /** More `createClient` options, passed through unchanged (advanced). */
  readonly client?: Readonly<Record<string, unknown>>;
}

export interface ResolvedOptions {
  readonly url: string | undefined;
  readonly accessToken: string | undefined;
  readonly selfIdBase: number;
  readonly userIdBase: number;
  readonly idStride: number;
  readonly cloudSlots: number;
  readonly replyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly heartbeatInterval: number;
  readonly messageFormat: 'array' | 'string';
  readonly maxWaitersPerBot: number;
  readonly answerer: string | undefined;
  readonly client: Readonly<Record<string, unknown>>;
}

export const DEFAULT_OPTIONS = {
  selfIdBase: 1_000_000_000,
  userIdBase: 2_000_000_000,
  idStride: 1_000_000,
  cloudSlots: 1000,
  replyTimeout: 10,
  connectTimeout: 10,
  heartbeatInterval: 30_000,
  messageFormat: 'array',
  maxWaitersPerBot: 10_000,
} as const;

const num = (value: unknown, name: string, fallback: number, min: number): number => {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`config.engines.onebot.${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
};

const int = (value: unknown, name: string, fallback: number, min: number): number => {
  const n = num(value, name, fallback, min);
  if (!Number.isSafeInteger(n)) throw new Error(`config.engines.onebot.${name} must be an integer, got ${JSON.stringify(value)}`);
  return n;
};

export const resolveOptions = (raw: unknown, target: unknown): ResolvedOptions => {
  const o = (raw ?? {}) as EngineOptions & Record<string, unknown>;
  if (typeof o !== 'object') throw new Error('config.engines.onebot must be an object');
  const format = o.messageFormat ?? DEFAULT_OPTIONS.messageFormat;
  if (format !== 'array' && format !== 'string') throw new Error(`config.engines.onebot.messageFormat must be 'array' or 'string'`);
  const url = typeof o.url === 'string' && o.url !== '' ? o.url : typeof target === 'string' && target !== '' ? target : undefined;
  return {
    url,
    accessToken: o.accessToken === undefined || o.accessToken === null ? undefined : String(o.accessToken),
    selfIdBase: int(o.selfIdBase, 'selfIdBase', DEFAULT_OPTIONS.selfIdBase, 1),
    userIdBase: int(o.userIdBase, 'userIdBase', DEFAULT_OPTIONS.userIdBase, 1),
    idStride: int(o.idStride, 'idStride', DEFAULT_OPTIONS.idStride, 1),
    cloudSlots: int(o.cloudSlots, 'cloudSlots', DEFAULT_OPTIONS.cloudSlots, 1),
    replyTimeoutMs: num(o.replyTimeout, 'replyTimeout', DEFAULT_OPTIONS.replyTimeout, 0) * 1000,
    connectTimeoutMs: num(o.connectTimeout, 'connectTimeout', DEFAULT_OPTIONS.connectTimeout, 0) * 1000,
    heartbeatInterval: int(o.heartbeatInterval, 'heartbeatInterval', DEFAULT_OPTIONS.heartbeatInterval, 0),
    messageFormat: format,
    maxWaitersPerBot: int(o.maxWaitersPerBot, 'maxWaitersPerBot', DEFAULT_OPTIONS.maxWaitersPerBot, 1),
    answerer: typeof o.answerer === 'string' && o.answerer !== '' ? o.answerer : undefined,
    client: typeof o.client === 'object' && o.client !== null ? o.client : {},
  };
};

/** `5` (seconds), `"5"`, `"500ms"`, `"2s"`, `"1m"` → ms. */
export const durationMs = (value: unknown, what: string): number => {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
    if (m !== null) {
      const n = Number(m[1]);
      return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
    }
  }
  throw new Error(`${what} must be seconds (a number) or a duration like "500ms", "2s", "1m"; got ${JSON.stringify(value)}`);
};
