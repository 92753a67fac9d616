/**
 * The SDK is logger-agnostic: anything with `debug`/`info`/`warn`/`error` methods is a {@link Logger}
 * (console, pino, winston, a test spy). Node file logging lives in `onebot-rx/server`.
 *
 * @example
 * import { createClient, type Logger } from 'onebot-rx';
 * const lines: string[] = [];
 * const logger: Logger = {
 *   debug: (message) => void lines.push(`debug ${message}`),
 *   info: (message) => void lines.push(`info ${message}`),
 *   warn: (message, data) => void lines.push(`warn ${message} (attempt ${String(data?.attempt)})`),
 *   error: (message) => void lines.push(`error ${message}`),
 * };
 * // Nothing listens on port 9: one dial, one reconnect, then the client gives up.
 * const client = createClient({ url: 'ws://127.0.0.1:9/', logger, maxReconnectAttempts: 1, reconnectInterval: 100 });
 * (await client.run()).reason === 'attempts-exhausted';
 * lines[0]; // 'info connecting to ws://127.0.0.1:9/'
 * lines.filter((l) => l.startsWith('warn connection failed')).length === 2;
 *
 * @since 0.1.0
 * @category logging
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /**
   * Whether this logger writes lines at `level`, when it can tell (pino and winston loggers can,
   * and so do the ones made here). The SDK asks before it builds and redacts a line, so lines the
   * logger drops cost nothing (the answering engine logs every API call at `debug`). Without it,
   * every line is handed over.
   * @since 0.3.0
   */
  isLevelEnabled?(level: string): boolean;
}

/**
 * Gives a logger made here its `isLevelEnabled`, not enumerable: a logger made by spreading this one
 * and replacing some of its methods (`{ ...silentLogger, warn: spy }`) does not inherit an answer
 * about lines its new methods write.
 */
const withEnabled = (logger: Logger, enabled: (level: string) => boolean): Logger =>
  Object.defineProperty(logger, 'isLevelEnabled', { value: enabled, enumerable: false });

/** Whether `logger` writes lines at `level`: what its `isLevelEnabled` says, else yes. @internal */
export const logsAt = (logger: Logger | undefined, level: Exclude<LogLevel, 'silent'>): boolean => logger !== undefined && logger.isLevelEnabled?.(level) !== false;

/** @since 0.1.0 @category logging */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** @internal */
export const LOG_LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger that drops everything. @since 0.1.0 @category logging */
export const silentLogger: Logger = withEnabled({ debug() {}, info() {}, warn() {}, error() {} }, () => false);

/**
 * Keys whose values are secrets wherever they appear in log data, error data or state.
 * @internal
 */
const SECRET_KEY = /^(access_?token|accesstoken|token|authorization|password|secret)$/i;

/**
 * Returns a deep copy of `data` with secret-looking keys replaced by `"[redacted]"` and any
 * `access_token=` query parameter inside strings masked. Used on everything we log or report.
 *
 * @example
 * import { redact } from 'onebot-rx';
 * redact({ url: 'ws://h/ws?access_token=abc', headers: { Authorization: 'Bearer abc' } });
 * // → { url: 'ws://h/ws?access_token=[redacted]', headers: { Authorization: '[redacted]' } }
 *
 * @since 0.1.0
 * @category logging
 */
export const redact = <T>(data: T, depth = 0): T => {
  if (typeof data === 'string') return redactString(data) as T;
  if (depth > 8 || data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map((x) => redact(x, depth + 1)) as T;
  if (data instanceof Error) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? '[redacted]' : redact(v, depth + 1);
  }
  return out as T;
};

/** Masks `access_token=...` query values and `Bearer`/`Token` credentials inside free text. @since 0.1.0 @category logging */
export const redactString = (s: string): string =>
  s.replace(/(access_token=)[^&\s#"']*/gi, '$1[redacted]').replace(/\b(Bearer|Token)\s+[^\s"',]+/g, '$1 [redacted]');

/**
 * A leveled logger writing to the console (works in Node and browsers). Data is redacted.
 *
 * @example
 * import { createConsoleLogger } from 'onebot-rx';
 * const log = createConsoleLogger('warn');
 * log.info('not shown');
 * log.warn('shown', { url: 'ws://h/ws?access_token=abc' }); // [onebot-rx] WARN shown { url: 'ws://h/ws?access_token=[redacted]' }
 *
 * @since 0.1.0
 * @category logging
 */
export const createConsoleLogger = (level: LogLevel = 'info', prefix = '[onebot-rx]'): Logger => {
  const min = LOG_LEVELS[level];
  const emit =
    (lvl: Exclude<LogLevel, 'silent'>, sink: (...args: unknown[]) => void) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (LOG_LEVELS[lvl] < min) return;
      const text = `${prefix} ${lvl.toUpperCase()} ${redactString(message)}`;
      if (data === undefined) sink(text);
      else sink(text, redact(data));
    };
  /* eslint-disable no-console */
  return withEnabled(
    {
      debug: emit('debug', console.debug),
      info: emit('info', console.info),
      warn: emit('warn', console.warn),
      error: emit('error', console.error),
    },
    (lvl) => (LOG_LEVELS[lvl as LogLevel] ?? 0) >= min,
  );
};

/**
 * Wraps any logger so that messages below `level`, or that the logger says it does not write
 * ({@link Logger.isLevelEnabled}, asked on each line), are dropped before any work, and all data is
 * redacted.
 * @since 0.1.0 @category logging
 */
export const withLevel = (logger: Logger, level: LogLevel): Logger => {
  const min = LOG_LEVELS[level];
  const enabled = (lvl: string): boolean => (LOG_LEVELS[lvl as LogLevel] ?? 0) >= min && logger.isLevelEnabled?.(lvl) !== false;
  const wrap =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (!enabled(lvl)) return;
      logger[lvl](redactString(message), data === undefined ? undefined : redact(data));
    };
  return withEnabled({ debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') }, enabled);
};
