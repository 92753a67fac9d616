import { LOG_LEVELS, redact, redactString, silentLogger, type Logger, type LogLevel } from '../logging/logger';
import { createFileLogger, type FileLogger } from '../server/file-logger';
import type { CliOutput } from './io';

/** The global logging flags. @since 0.1.0 @category cli */
export interface LogFlags {
  readonly logLevel?: LogLevel;
  readonly logFile?: string;
  readonly logRotateSize?: string;
  readonly logRotateEvery?: 'daily' | 'hourly' | number;
  readonly logRetain?: number;
}

/** @since 0.1.0 @category cli */
export interface CliLogging {
  /** For the SDK (client, server): stderr at `--log-level` (default `error`) plus the log file. */
  readonly sdk: Logger;
  /** For the transcript: the log file only (stdout already shows the transcript). */
  readonly transcript: Logger | undefined;
  /** Flushes and closes the log file, if any. */
  close(): Promise<void>;
}

/** Log levels the file gets when `--log-level` is not given: the whole session. @internal */
const DEFAULT_FILE_LEVEL: LogLevel = 'info';
/**
 * The transcript already shows connection failures and refusals; by default only errors the
 * transcript does not cover reach the terminal as log lines.
 * @internal
 */
const DEFAULT_STDERR_LEVEL: LogLevel = 'error';

/**
 * A logger writing `[onebot-rx] LEVEL message {data}` lines to a stream, redacted.
 *
 * @internal
 */
export const createStreamLogger = (out: CliOutput, level: LogLevel): Logger => {
  const min = LOG_LEVELS[level];
  const emit =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (LOG_LEVELS[lvl] < min) return;
      const tail = data === undefined ? '' : ` ${JSON.stringify(redact(data), errorReplacer)}`;
      out.write(`[onebot-rx] ${lvl.toUpperCase()} ${redactString(message)}${tail}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
};

/** Errors serialise as `{}` by default; show what they say. @internal */
const errorReplacer = (_key: string, value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, ...(value as unknown as Record<string, unknown>) } : value;

/** @internal */
const fanOut = (loggers: readonly Logger[]): Logger => {
  const each =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: Record<string, unknown>): void => {
      for (const l of loggers) l[lvl](message, data);
    };
  return { debug: each('debug'), info: each('info'), warn: each('warn'), error: each('error') };
};

/**
 * Builds the loggers of a command from the global flags. Throws (a `RangeError` from the file
 * logger) on bad rotation values that commander could not catch.
 *
 * @since 0.1.0
 * @category cli
 */
export const setupLogging = (flags: LogFlags, stderr: CliOutput): CliLogging => {
  const toStderr = createStreamLogger(stderr, flags.logLevel ?? DEFAULT_STDERR_LEVEL);
  let file: FileLogger | undefined;
  if (flags.logFile !== undefined) {
    file = createFileLogger({
      file: flags.logFile,
      level: flags.logLevel ?? DEFAULT_FILE_LEVEL,
      rotate: {
        ...(flags.logRotateSize === undefined ? {} : { size: flags.logRotateSize }),
        ...(flags.logRotateEvery === undefined ? {} : { frequency: flags.logRotateEvery }),
        ...(flags.logRetain === undefined ? {} : { limit: flags.logRetain }),
      },
    });
  }
  return {
    sdk: file ? fanOut([toStderr, file]) : toStderr,
    transcript: file,
    close: async () => {
      await file?.close();
    },
  };
};

/** @internal */
export const noLogging: CliLogging = { sdk: silentLogger, transcript: undefined, close: async () => undefined };
