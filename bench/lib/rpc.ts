/**
 * Parent/child plumbing over the Node IPC channel. Every benchmark peer (sink/source server, raw
 * client, onebot-rx client) runs in its own process; the orchestrator drives it with `call`, and
 * every call has a deadline. Children die with their parent (IPC `disconnect`), and the parent
 * SIGKILLs every child it spawned on exit, so no run leaves a process behind.
 */
import { fork, type ChildProcess } from 'node:child_process';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handlers = Record<string, (args: any) => unknown>;

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Child side: answer the parent's calls with `handlers`, then report ready. */
export function serveRpc(handlers: Handlers): void {
  if (!process.send) throw new Error('serveRpc: no IPC channel (run through spawnPeer)');
  const send = (m: Reply): void => {
    if (process.connected) process.send?.(m);
  };
  process.on('message', (raw) => {
    const req = raw as Request;
    const handler = handlers[req.cmd];
    if (!handler) return send({ id: req.id, ok: false, error: `unknown command ${req.cmd}` });
    Promise.resolve()
      .then(() => handler(req.args))
      .then(
        (result) => send({ id: req.id, ok: true, result }),
        (err: unknown) => send({ id: req.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  // The parent went away (or killed the channel): nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

const live = new Set<ChildProcess>();
let hooked = false;
function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Parent-side handle on one peer process. */
export interface Peer {
  readonly label: string;
  readonly pid: number;
  call<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /**
   * End the process and wait for it to be gone: by default close the IPC channel first (the child
   * exits on its own, which lets `--cpu-prof` write its profile), SIGKILL after a short grace;
   * `{ now: true }` SIGKILLs at once (a crash, for the reconnect row).
   */
  kill(opts?: { now?: boolean }): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface SpawnOptions {
  label: string;
  args?: string[];
  /** Extra node flags, e.g. `--expose-gc`, `--cpu-prof`. */
  nodeFlags?: string[];
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Fork `entry` (a TypeScript file) under esbuild-register and wait for it to report ready. */
export function spawnPeer(entry: string, opts: SpawnOptions): Promise<Peer> {
  hookExit();
  const child = fork(entry, opts.args ?? [], {
    execArgv: ['-r', 'esbuild-register', ...(opts.nodeFlags ?? [])],
    // The child's stdout goes to our stderr: stdout is reserved for the table / --json output.
    stdio: ['ignore', 2, 2, 'ipc'],
    env: { ...process.env, ...opts.env },
  });
  live.add(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      for (const [, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${opts.label}: process exited (code ${code}) during a call`));
      }
      pending.clear();
      resolve(code);
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.label}: not ready after ${opts.readyTimeoutMs ?? 15000} ms`)), opts.readyTimeoutMs ?? 15000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label}: exited with ${code} before ready`));
    });
    child.on('message', (raw) => {
      const m = raw as Partial<Reply> & { ready?: boolean };
      if (m.ready) {
        clearTimeout(timer);
        resolve();
        return;
      }
      if (typeof m.id !== 'number') return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${opts.label}: ${m.error}`));
    });
  });
  const peer: Peer = {
    label: opts.label,
    pid: child.pid ?? -1,
    exited,
    call<T>(cmd: string, args?: unknown, timeoutMs = 30000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${opts.label}: not connected (call ${cmd})`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${opts.label}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, cmd, args } satisfies Request);
      });
    },
    async kill(killOpts?: { now?: boolean }): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return void (await exited);
      if (!killOpts?.now && child.connected) {
        child.disconnect();
        const grace = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(grace);
        return;
      }
      child.kill('SIGKILL');
      await exited;
    },
  };
  return ready.then(
    () => peer,
    async (err: unknown) => {
      await peer.kill();
      throw err;
    },
  );
}

/** Run `body` with peers that are always killed afterwards, whatever happens. */
export async function withPeers<T>(spawns: Array<Promise<Peer>>, body: (peers: Peer[]) => Promise<T>): Promise<T> {
  const settled = await Promise.allSettled(spawns);
  const peers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await body(peers);
  } finally {
    await Promise.all(peers.map((p) => p.kill()));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
