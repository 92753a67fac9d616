import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program';
import { memoryOutput, type MemoryOutput } from './streams';

export interface InProcessRun {
  readonly stdin: PassThrough;
  readonly stdout: MemoryOutput;
  readonly stderr: MemoryOutput;
  readonly abort: AbortController;
  readonly exit: Promise<number>;
}

/** Runs `onebot-rx <argv>` in this process with in-memory streams. */
export const runInProcess = (argv: string[], env: Record<string, string | undefined> = {}): InProcessRun => {
  const stdin = new PassThrough();
  const stdout = memoryOutput();
  const stderr = memoryOutput();
  const abort = new AbortController();
  const exit = runCli({ argv, stdin, stdout, stderr, env, signal: abort.signal });
  return { stdin, stdout, stderr, abort, exit };
};

/** A port nobody listens on: bound, read, released. */
export const closedPort = async (): Promise<number> => {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
};

/** Holds a port busy (a plain TCP listener) until `release()`. */
export const busyPort = async (): Promise<{ port: number; release(): Promise<void> }> => {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, release: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
};
