import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
 * Checks, before anything runs, that the log file can be written: its folder exists (or can be
 * made) and is writable, and the path is not a folder. Throws an `Error` saying what is wrong.
 * The file logger opens the file asynchronously, so without this check a bad path would only
 * show at exit.
 *
 * @internal
 */
export const checkLogFile = (file: string): void => {
  const path = resolve(file);
  const fail = (why: string): never => {
    throw new Error(`cannot write the log file ${file}: ${why}`);
  };
  const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const c = code(e);
    fail(`cannot create its folder ${dir}${c === 'EEXIST' || c === 'ENOTDIR' ? ': part of that path is a file, not a folder' : ` (${c})`}`);
  }
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Not there yet: it is created on the first line.
  }
  if (isDir) fail('it is a folder; give a file name, e.g. --log-file logs/onebot-rx.log');
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    fail(`its folder ${dir} is not writable (${code(e)})`);
  }
};

/**
 * Builds the loggers of a command from the global flags. Throws (a `RangeError` from the file
 * logger) on bad rotation values that commander could not catch, and an `Error` when the log file
 * cannot be written (see {@link checkLogFile}).
 *
 * @since 0.1.0
 * @category cli
 */
export const setupLogging = (flags: LogFlags, stderr: CliOutput): CliLogging => {
  const toStderr = createStreamLogger(stderr, flags.logLevel ?? DEFAULT_STDERR_LEVEL);
  let file: FileLogger | undefined;
  if (flags.logFile !== undefined) {
    checkLogFile(flags.logFile);
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
