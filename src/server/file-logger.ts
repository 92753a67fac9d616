import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
// @ts-expect-error pino-roll ships no type declarations; the shape we rely on is typed below.
import pinoRollUntyped from 'pino-roll';
import { createConsoleLogger, redact, redactString, type Logger, type LogLevel } from '../logging/logger';

/**
 * When and how a log file is rotated. Rotation itself is done by pino-roll: files are numbered
 * `<name>.1.<ext>`, `<name>.2.<ext>`, … and numbering continues across runs.
 *
 * @since 0.1.0
 * @category logging
 */
export interface FileLogRotation {
  /**
   * Start a new file once the current one reaches this size: a number of **bytes**, or a string
   * with a unit, `'512k'`, `'10m'`, `'1g'` (`'100b'` for bytes).
   */
  readonly size?: string | number;
  /** Start a new file every day, every hour, or every given number of milliseconds. */
  readonly frequency?: 'daily' | 'hourly' | number;
  /**
   * How many files to keep, **counting the current one**; on each rotation the oldest files matching
   * the log file's name (including ones left by earlier runs) are deleted. Unset: keep everything.
   */
  readonly limit?: number;
}

/**
 * @since 0.1.0
 * @category logging
 */
export interface FileLoggerOptions {
  /** Log file path, e.g. `logs/onebot.log` (directories are created). Written as `logs/onebot.1.log`, … */
  readonly file: string;
  /** @defaultValue `'info'` */
  readonly level?: LogLevel;
  /** @defaultValue size `'10m'`, no time-based rotation, keep every file */
  readonly rotate?: FileLogRotation;
  /** Also log to the console (same level), like loguru's default sink. @defaultValue `false` */
  readonly console?: boolean;
}

/**
 * A {@link Logger} writing JSON lines (pino format) to rotating files.
 *
 * @since 0.1.0
 * @category logging
 */
export interface FileLogger extends Logger {
  /** Resolves once every line logged so far is on disk and any rotation it triggered has finished. */
  flush(): Promise<void>;
  /** Flushes, then closes the file. Later log calls are dropped. */
  close(): Promise<void>;
  /** The file currently written to, once open (`undefined` before). */
  currentFile(): string | undefined;
}

/** The subset of pino-roll's SonicBoom destination that we use. @internal */
interface RollStream {
  readonly file: string;
  write(chunk: string): boolean;
  end(): void;
  once(event: 'close' | 'error' | 'cleanup-complete' | 'ready', listener: (arg?: unknown) => void): unknown;
  on(event: 'error' | 'cleanup-complete' | 'ready', listener: (arg?: unknown) => void): unknown;
  listenerCount(event: string): number;
}

/** @internal */
type PinoRoll = (options: {
  file: string;
  size?: string;
  frequency?: 'daily' | 'hourly' | number;
  limit?: { count: number; removeOtherLogFiles?: boolean };
  mkdir?: boolean;
  sync?: boolean;
}) => Promise<RollStream>;

const pinoRoll = pinoRollUntyped as PinoRoll;

/** @internal */
const SIZE = /^\d+(\.\d+)?[bkmg]?$/i;

/** @internal */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Checks the options up front so that a bad `--log-rotate-size` fails where it is given, not later
 * inside pino-roll's asynchronous setup.
 *
 * @internal
 */
const toRollSize = (size: string | number | undefined): string | undefined => {
  if (size === undefined) return undefined;
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`rotate.size must be a positive number of bytes, got ${size}`);
    return `${size}b`;
  }
  if (!SIZE.test(size) || Number.parseFloat(size) <= 0) {
    throw new RangeError(`rotate.size must look like 100b, 512k, 10m or 1g, got "${size}"`);
  }
  return size;
};

/** @internal */
const validateRotation = (rotate: FileLogRotation): void => {
  const { frequency, limit } = rotate;
  if (frequency !== undefined && frequency !== 'daily' && frequency !== 'hourly') {
    if (typeof frequency !== 'number' || !Number.isInteger(frequency) || frequency <= 0) {
      throw new RangeError(`rotate.frequency must be "daily", "hourly" or a positive number of ms, got ${String(frequency)}`);
    }
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new RangeError(`rotate.limit must be a positive integer, got ${limit}`);
  }
};

/**
 * Creates a leveled, redacting {@link FileLogger} backed by pino, with rotation and retention by
 * pino-roll. The logger is usable at once: lines logged while the file is being opened are held and
 * written in order as soon as it is ready. Writes are synchronous once open, so a CLI that awaits
 * {@link FileLogger.close} before exiting loses nothing.
 *
 * Tokens are masked (`redact`) in both messages and data.
 *
 * @example
 * import { createFileLogger } from 'onebot-rx/server';
 * const log = createFileLogger({ file: 'logs/bot.log', level: 'debug', rotate: { size: '10m', limit: 5 } });
 * log.info('connected', { url: 'ws://127.0.0.1:8000/ws/?access_token=secret' }); // token is masked
 * await log.close();
 *
 * @since 0.1.0
 * @category logging
 */
export const createFileLogger = (options: FileLoggerOptions): FileLogger => {
  const level = options.level ?? 'info';
  const rotate = options.rotate ?? {};
  validateRotation(rotate);
  const size = toRollSize(rotate.size ?? '10m');

  let stream: RollStream | undefined;
  let failure: Error | undefined;
  let closed = false;
  // Lines pino produced before pino-roll finished opening the file.
  const pending: string[] = [];
  // pino-roll removes old files asynchronously after each roll; count both so flush() can wait.
  let rolls = 0;
  let cleanups = 0;

  const destination: DestinationStream = {
    write(line: string) {
      if (closed || failure) return;
      if (stream) stream.write(line);
      else pending.push(line);
    },
  };

  const ready: Promise<RollStream> = pinoRoll({
    file: options.file,
    ...(size === undefined ? {} : { size }),
    ...(rotate.frequency === undefined ? {} : { frequency: rotate.frequency }),
    ...(rotate.limit === undefined ? {} : { limit: { count: rotate.limit, removeOtherLogFiles: true } }),
    mkdir: true,
    sync: true,
  }).then(
    (s) => {
      // The first 'ready' is the initial open; every later one is a reopen, i.e. a roll.
      let opened = false;
      s.on('ready', () => {
        if (opened) rolls += 1;
        opened = true;
      });
      s.on('cleanup-complete', () => {
        cleanups += 1;
      });
      s.on('error', (e) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
      });
      stream = s;
      for (const line of pending.splice(0)) s.write(line);
      return s;
    },
    (e: unknown) => {
      failure = e instanceof Error ? e : new Error(String(e));
      throw failure;
    },
  );
  // Reported through flush()/close(); never an unhandled rejection.
  ready.catch(() => undefined);

  const log: PinoLogger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not pino's numbers, so the files read well with grep.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const echo = options.console ? createConsoleLogger(level) : undefined;

  const emit =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (!log.isLevelEnabled(lvl)) return;
      const text = redactString(message);
      if (data === undefined) log[lvl](text);
      else log[lvl]({ data: redact(data) }, text);
      echo?.[lvl](message, data);
    };

  const settle = async (): Promise<RollStream> => {
    const s = await ready;
    // A write that crossed the size limit schedules its roll on the stream's next 'drain'; let it run,
    // then wait for the retention cleanup it started.
    for (let i = 0; i < 1000; i++) {
      await nextMacrotask();
      if (failure) throw failure;
      const rollPending = s.listenerCount('drain') > 0;
      const cleanupPending = rotate.limit !== undefined && cleanups < rolls;
      if (!rollPending && !cleanupPending) return s;
    }
    return s;
  };

  let closing: Promise<void> | undefined;

  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    isLevelEnabled: (lvl: string) => log.isLevelEnabled(lvl),
    flush: async () => {
      await settle();
    },
    close: () => {
      closing ??= (async () => {
        const s = await settle();
        closed = true;
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.end();
        });
      })();
      return closing;
    },
    currentFile: () => stream?.file,
  };
};
