import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChildCommand, ChildReport } from './server-child';

/**
 * The reference server in a child process, so a test can kill it (a crash, SIGKILL) and start it
 * again on the same port, which is chosen once (port 0 on the first start) and then fixed.
 * Reports (`message`, `connect`, `rejection`) arrive through `onReport` across restarts.
 */
export interface ServerProcess {
  readonly port: number;
  url(path?: string): string;
  /** Incarnations started so far (1 after start). */
  readonly starts: number;
  onReport(fn: (r: ChildReport) => void): () => void;
  /** Asks the server to close a bot's connection cleanly (close frame 1000). Resolves true if it was connected. */
  kick(selfId: number, timeoutMs?: number): Promise<boolean>;
  /** Kills the process (`SIGKILL` = crash) and starts a new one on the same port. */
  restart(opts?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly accessToken?: string;
  readonly handshakeTimeout?: number;
  readonly maxPayload?: number;
  /** Bound on each start. @defaultValue 20000 */
  readonly startTimeoutMs?: number;
}

const CHILD = resolve(__dirname, 'server-child.ts');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const startServerProcess = async (opts: ServerProcessOptions = {}): Promise<ServerProcess> => {
  const listeners = new Set<(r: ChildReport) => void>();
  let child: ChildProcess | undefined;
  let port = 0;
  let starts = 0;
  const startTimeout = opts.startTimeoutMs ?? 20_000;

  const spawnOnce = (): Promise<{ proc: ChildProcess; port: number }> =>
    new Promise((resolvePromise, reject) => {
      const args = JSON.stringify({ port, accessToken: opts.accessToken, handshakeTimeout: opts.handshakeTimeout, maxPayload: opts.maxPayload });
      const proc = fork(CHILD, [args], {
        execArgv: ['-r', 'esbuild-register'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        cwd: resolve(__dirname, '../../..'),
      });
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`server child did not start within ${startTimeout} ms`));
      }, startTimeout);
      proc.on('message', (r: ChildReport) => {
        if (r.type === 'ready') {
          clearTimeout(timer);
          resolvePromise({ proc, port: r.port });
        }
        for (const fn of listeners) fn(r);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server child exited with ${String(code)} before it was ready`));
      });
    });

  const start = async (): Promise<void> => {
    // The fixed port may still be held for a moment by the dying process: retry, bounded.
    let lastError: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        const r = await spawnOnce();
        child = r.proc;
        port = r.port;
        starts++;
        return;
      } catch (e) {
        lastError = e;
        await sleep(50);
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  };

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };

  await start();

  return {
    get port() {
      return port;
    },
    url: (path = '/ws/') => `ws://127.0.0.1:${port}${path}`,
    get starts() {
      return starts;
    },
    onReport: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    kick: (selfId, timeoutMs = 5000) =>
      new Promise<boolean>((res) => {
        const c = child;
        if (c === undefined) return res(false);
        const off = (): void => {
          clearTimeout(timer);
          listeners.delete(fn);
        };
        const fn = (r: ChildReport): void => {
          if (r.type === 'kicked' && r.selfId === selfId) {
            off();
            res(r.ok);
          }
        };
        const timer = setTimeout(() => {
          off();
          res(false);
        }, timeoutMs);
        listeners.add(fn);
        c.send({ cmd: 'kick', selfId } satisfies ChildCommand);
      }),
    restart: async ({ signal = 'SIGKILL', downMs = 0 } = {}) => {
      await kill(signal);
      if (downMs > 0) await sleep(downMs);
      await start();
    },
    stop: async () => {
      const c = child;
      if (c !== undefined && c.connected) c.send({ cmd: 'stop' } satisfies ChildCommand);
      const t = setTimeout(() => c?.kill('SIGKILL'), 3000);
      if (c !== undefined && c.exitCode === null && c.signalCode === null) await new Promise<void>((r) => c.once('exit', () => r()));
      clearTimeout(t);
      child = undefined;
      listeners.clear();
    },
  };
};
