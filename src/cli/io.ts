/**
 * What a command needs from the process, passed in so that tests can run commands in-process with
 * in-memory streams and `main.ts` can hand over the real ones.
 *
 * @since 0.1.0
 * @category cli
 */
export interface CliIo {
  /** Arguments after the program name, e.g. `['connect', 'ws://…', '--self-id', '1']`. */
  readonly argv: readonly string[];
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C / SIGTERM: long-running commands stop cleanly and exit 0. */
  readonly signal?: AbortSignal;
}

/** A writable text stream; `isTTY` decides whether colours are used. @since 0.1.0 @category cli */
export interface CliOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Exit codes of the `onebot-rx` command.
 *
 * @since 0.1.0
 * @category cli
 */
export const ExitCode = {
  Ok: 0,
  /** Something unexpected failed (the message says what). */
  Failure: 1,
  /** Bad command line: unknown flag or command, bad value, missing argument. */
  Usage: 2,
  /** The server could not be reached before the reconnect attempts ran out. */
  Unreachable: 3,
  /** The server refused the connection (HTTP 401/403): the token, or the URL path. */
  AuthRejected: 4,
  /** `serve`: the port to listen on is already in use. */
  PortInUse: 5,
} as const;

/** @since 0.1.0 @category cli */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What each exit code means, in the words of `--help` (the README's list says the same; a test
 * holds them together).
 *
 * @internal
 */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  [ExitCode.Ok]: 'ok',
  [ExitCode.Failure]: 'unexpected failure',
  [ExitCode.Usage]: 'bad command line or unwritable --log-file',
  [ExitCode.Unreachable]: 'server unreachable',
  [ExitCode.AuthRejected]: 'connection refused (token or path)',
  [ExitCode.PortInUse]: 'port already in use',
};

/**
 * Whether to colour output written to `out`: only for a terminal, unless `NO_COLOR` or
 * `FORCE_COLOR` (the usual conventions) say otherwise.
 *
 * @internal
 */
export const useColor = (out: CliOutput, env: CliIo['env']): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return out.isTTY === true;
};

/** Resolves when `signal` aborts (never, without a signal). @internal */
export const aborted = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
