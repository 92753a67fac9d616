/**
 * Interop harness: runs a real OneBot v11 application server ("peer") as a child
 * process on 127.0.0.1 and reads the JSON lines it prints on stdout.
 *
 * Peers live in test/interop/peers/ and are installed into .interop/ by
 * scripts/interop-setup.sh. Each prints one JSON object per line with at least
 * `peer` and `ev` (`ready`, `bot_connect`, `message`, `send_result`,
 * `api_result`, `bot_disconnect`, ...); anything else on stdout is kept as log.
 *
 * Everything is bounded: start, ready, waits and stop all have timeouts, and
 * every child is killed in `stopAllPeers()` (call it from afterAll) and on
 * process exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const INTEROP_DIR = process.env.INTEROP_DIR ? resolve(process.env.INTEROP_DIR) : join(REPO_ROOT, '.interop');
export const PEERS_DIR = join(__dirname, 'peers');
export const VENV_PYTHON = join(INTEROP_DIR, 'venv', 'bin', 'python');
/** The second venv: NoneBot 1 and AliceBot (NoneBot 1's `nonebot` module clashes with NoneBot2's). */
export const VENV_MORE_PYTHON = join(INTEROP_DIR, 'venv-more', 'bin', 'python');
/** NoneBot 1's interpreter (the second venv). */
export const VENV1_PYTHON = VENV_MORE_PYTHON;
export const KOISHI_DIR = join(INTEROP_DIR, 'koishi');
/** graiax-anchor has its own venv: its pins (pydantic, aiohttp) differ from NoneBot2's. */
export const VENV_ANCHOR_PYTHON = join(INTEROP_DIR, 'venv-anchor', 'bin', 'python');

/** Koishi with the old 5.x OneBot adapter (docs/interop.md: it does not load on Koishi 4.18). */
export const KOISHI5_DIR = join(INTEROP_DIR, 'koishi5');

export type PeerName = 'nonebot' | 'aiocqhttp' | 'koishi' | 'nonebot1' | 'nonebot1guide' | 'alicebot' | 'koishi5' | 'anchor';

/** One JSON line printed by a peer. */
export interface PeerLine {
  peer: string;
  ev: string;
  [key: string]: unknown;
}

/** What the harness knows about each peer: how to run it and where it listens. */
export interface PeerSpec {
  name: PeerName;
  /** WebSocket path of the reverse-WS endpoint. */
  path: string;
  /** Whether the peer checks an access token on the upgrade. */
  checksToken: boolean;
  /** `false` for a peer that only dials out (no port to wait for). Default true. */
  listens?: boolean;
  command: (port: number) => { cmd: string; args: string[] };
}

export const PEERS: Record<PeerName, PeerSpec> = {
  nonebot: {
    name: 'nonebot',
    path: '/onebot/v11/ws',
    checksToken: true,
    command: (port) => ({ cmd: VENV_PYTHON, args: ['-u', join(PEERS_DIR, 'nonebot_app.py'), String(port)] }),
  },
  aiocqhttp: {
    name: 'aiocqhttp',
    path: '/ws/',
    checksToken: true,
    command: (port) => ({ cmd: VENV_PYTHON, args: ['-u', join(PEERS_DIR, 'aiocqhttp_app.py'), String(port)] }),
  },
  koishi: {
    name: 'koishi',
    path: '/onebot',
    checksToken: false,
    command: (port) => ({ cmd: process.execPath, args: [join(PEERS_DIR, 'koishi_app.mjs'), String(port)] }),
  },
  nonebot1: {
    name: 'nonebot1',
    path: '/ws/',
    checksToken: true,
    command: (port) => ({ cmd: VENV_MORE_PYTHON, args: ['-u', join(PEERS_DIR, 'nonebot1_app.py'), String(port)] }),
  },
  nonebot1guide: {
    name: 'nonebot1guide',
    path: '/ws/',
    checksToken: true,
    command: (port) => ({ cmd: VENV_MORE_PYTHON, args: ['-u', join(PEERS_DIR, 'nonebot1_guide_app.py'), String(port)] }),
  },
  alicebot: {
    name: 'alicebot',
    path: '/cqhttp/ws',
    // It has a token setting, but in 0.11.0 the check closes every connection (docs/interop.md).
    checksToken: false,
    command: (port) => ({ cmd: VENV_MORE_PYTHON, args: ['-u', join(PEERS_DIR, 'alicebot_app.py'), String(port)] }),
  },
  koishi5: {
    name: 'koishi5',
    path: '/onebot',
    checksToken: false,
    command: (port) => ({ cmd: process.execPath, args: [join(PEERS_DIR, 'koishi5_app.mjs'), String(port)] }),
  },
  anchor: {
    name: 'anchor',
    path: '',
    checksToken: true,
    listens: false,
    command: () => ({ cmd: VENV_ANCHOR_PYTHON, args: ['-u', join(PEERS_DIR, 'anchor_app.py')] }),
  },
};

export interface StartPeerOptions {
  /** Access token the peer requires (ignored by Koishi in ws-reverse mode). */
  token?: string;
  /** Bot account the peer expects (Koishi only accepts its configured selfId). Default 10001000. */
  selfId?: string | number;
  /** Fixed port; default: a free one. */
  port?: number;
  /** Seconds the peer waits for an API answer before failing the call. Default 10. */
  apiTimeoutS?: number;
  /** How long to wait for the `ready` line and the port to accept. Default 30000 ms. */
  readyTimeoutMs?: number;
  /** Extra environment for the peer. */
  env?: Record<string, string>;
  /** Copy peer stdout/stderr to this process' stderr (debugging). Default: $INTEROP_VERBOSE. */
  verbose?: boolean;
}

export interface WaitOptions {
  /** Only consider lines with an index >= since (see `mark()`). Default 0. */
  since?: number;
}

/** A running peer. */
export interface Peer {
  readonly name: PeerName;
  readonly spec: PeerSpec;
  readonly port: number;
  readonly selfId: string;
  readonly token: string | undefined;
  /** ws://127.0.0.1:<port><path> */
  readonly url: string;
  /** Every JSON line received so far (across restarts). */
  readonly lines: readonly PeerLine[];
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Index to pass as `since` so that only lines printed from now on match. */
  mark(): number;
  /** Resolves with the first line (from `since`) matching `predicate`; rejects after `timeoutMs` or if the peer exits. */
  waitForLine(predicate: (line: PeerLine) => boolean, timeoutMs: number, opts?: WaitOptions): Promise<PeerLine>;
  /** Lines matching `predicate` (from `since`). */
  linesWhere(predicate: (line: PeerLine) => boolean, opts?: WaitOptions): PeerLine[];
  /** Last ~8 KB of the peer's non-JSON output (stderr + stray stdout), for error messages. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000); bounded. */
  stop(graceMs?: number): Promise<void>;
  /** stop() then start again on the same port; resolves when ready again. */
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    live.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

/** A sleep that never keeps the process alive on its own. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Rejects with `message` after `ms` unless `promise` settles first; leaves no timer behind. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        done(false);
      }, 500);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.end();
        done(true);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        done(false);
      });
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}

/** Fails loudly when the peers are not installed (never skip). */
export function assertPeersInstalled(names: PeerName[] = ['nonebot', 'aiocqhttp', 'koishi']): void {
  const missing: string[] = [];
  if (names.some((n) => n === 'nonebot' || n === 'aiocqhttp') && !existsSync(VENV_PYTHON)) missing.push(VENV_PYTHON);
  if (names.some((n) => n === 'nonebot1' || n === 'nonebot1guide' || n === 'alicebot') && !existsSync(VENV_MORE_PYTHON)) missing.push(VENV_MORE_PYTHON);
  if (names.includes('koishi5') && !existsSync(join(KOISHI5_DIR, 'node_modules', '@koishijs', 'plugin-adapter-onebot'))) {
    missing.push(join(KOISHI5_DIR, 'node_modules', '@koishijs', 'plugin-adapter-onebot'));
  }
  if (names.includes('anchor') && !existsSync(VENV_ANCHOR_PYTHON)) missing.push(VENV_ANCHOR_PYTHON);
  if (names.includes('koishi') && !existsSync(join(KOISHI_DIR, 'node_modules', 'koishi'))) {
    missing.push(join(KOISHI_DIR, 'node_modules', 'koishi'));
  }
  if (missing.length > 0) {
    throw new Error(`interop peers not installed (missing ${missing.join(', ')}); run: bash scripts/interop-setup.sh`);
  }
}

interface Waiter {
  predicate: (line: PeerLine) => boolean;
  since: number;
  resolve: (line: PeerLine) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class PeerProcess implements Peer {
  readonly spec: PeerSpec;
  readonly selfId: string;
  readonly token: string | undefined;
  port = 0;
  private child: ChildProcess | undefined;
  private readonly _lines: PeerLine[] = [];
  private tail = '';
  private waiters = new Set<Waiter>();
  private exitPromise: Promise<void> = Promise.resolve();
  private generation = 0;
  /** Set by stop(): an exit we asked for does not fail pending waits (they may span a restart). */
  private stopRequested = false;

  constructor(
    spec: PeerSpec,
    private readonly opts: StartPeerOptions,
  ) {
    this.spec = spec;
    this.selfId = String(opts.selfId ?? '10001000');
    this.token = opts.token;
  }

  get name(): PeerName {
    return this.spec.name;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}${this.spec.path}`;
  }

  get lines(): readonly PeerLine[] {
    return this._lines;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  mark(): number {
    return this._lines.length;
  }

  logTail(): string {
    return this.tail;
  }

  linesWhere(predicate: (line: PeerLine) => boolean, opts: WaitOptions = {}): PeerLine[] {
    return this._lines.slice(opts.since ?? 0).filter(predicate);
  }

  async start(): Promise<void> {
    installExitHook();
    this.stopRequested = false;
    if (!this.port) this.port = this.opts.port ?? (await freePort());
    const { cmd, args } = this.spec.command(this.port);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PEER_PORT: String(this.port),
      PEER_SELF_ID: this.selfId,
      PEER_API_TIMEOUT: String(this.opts.apiTimeoutS ?? 10),
      INTEROP_KOISHI_DIR: KOISHI_DIR,
      INTEROP_KOISHI5_DIR: KOISHI5_DIR,
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...this.opts.env,
    };
    // Never let an outer token leak into a peer that should run without one.
    delete env.ONEBOT_ACCESS_TOKEN;
    if (this.token) env.ONEBOT_ACCESS_TOKEN = this.token;

    const child = spawn(cmd, args, { cwd: PEERS_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const generation = ++this.generation;
    live.add(child);
    this.exitPromise = new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.appendTail(`\n[harness] ${this.name} exited code=${code} signal=${signal}\n`);
        if (generation === this.generation && !this.stopRequested) this.failWaiters(`peer ${this.name} exited (code=${code}, signal=${signal})`);
        done();
      });
      child.once('error', (error) => {
        live.delete(child);
        this.appendTail(`\n[harness] spawn error: ${error.message}\n`);
        if (generation === this.generation) this.failWaiters(`peer ${this.name} failed to spawn: ${error.message}`);
        done();
      });
    });

    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        this.onStdoutLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > 1_000_000) buffered = ''; // a runaway line without newline
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.appendTail(chunk);
      if (this.verbose) process.stderr.write(`[${this.name}:err] ${chunk}`);
    });

    const since = this.generation === 1 ? 0 : this.mark();
    const readyTimeoutMs = this.opts.readyTimeoutMs ?? 30_000;
    const started = Date.now();
    await this.waitForLine((l) => l.ev === 'ready' || l.ev === 'fatal', readyTimeoutMs, { since }).then((line) => {
      if (line.ev === 'fatal') throw new Error(`peer ${this.name} failed to start: ${JSON.stringify(line)}\n${this.tail}`);
    });
    // `ready` may come just before the socket is bound (Koishi, uvicorn lifespan).
    if (this.spec.listens !== false) await waitForPort(this.port, Math.max(1000, readyTimeoutMs - (Date.now() - started)));
  }

  private get verbose(): boolean {
    return this.opts.verbose ?? Boolean(process.env.INTEROP_VERBOSE);
  }

  private onStdoutLine(raw: string): void {
    const text = raw.trim();
    if (this.verbose) process.stderr.write(`[${this.name}] ${text}\n`);
    if (text.startsWith('{')) {
      try {
        const value: unknown = JSON.parse(text);
        if (value && typeof value === 'object' && typeof (value as PeerLine).ev === 'string') {
          this.pushLine(value as PeerLine);
          return;
        }
      } catch {
        // not one of ours
      }
    }
    this.appendTail(raw + '\n');
  }

  private pushLine(line: PeerLine): void {
    const index = this._lines.length;
    this._lines.push(line);
    for (const waiter of [...this.waiters]) {
      if (index >= waiter.since && waiter.predicate(line)) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(line);
      }
    }
  }

  private appendTail(text: string): void {
    this.tail = (this.tail + text).slice(-8192);
  }

  private failWaiters(reason: string): void {
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${reason}\n--- ${this.name} log tail ---\n${this.tail}`));
    }
  }

  waitForLine(predicate: (line: PeerLine) => boolean, timeoutMs: number, opts: WaitOptions = {}): Promise<PeerLine> {
    const since = opts.since ?? 0;
    const found = this._lines.slice(since).find(predicate);
    if (found) return Promise.resolve(found);
    if (!this.running && this.child !== undefined && this.child.exitCode !== null) {
      return Promise.reject(new Error(`peer ${this.name} is not running\n${this.tail}`));
    }
    return new Promise<PeerLine>((resolveLine, reject) => {
      const waiter: Waiter = {
        predicate,
        since,
        resolve: resolveLine,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const recent = this._lines
            .slice(-15)
            .map((l) => JSON.stringify(l))
            .join('\n');
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for a ${this.name} line matching ${predicate.toString()}\n` +
                `--- last lines ---\n${recent}\n--- ${this.name} log tail ---\n${this.tail}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  async stop(graceMs = 3000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      await this.exitPromise;
      return;
    }
    this.stopRequested = true;
    child.kill('SIGTERM');
    const exited = await Promise.race([this.exitPromise.then(() => true), sleep(graceMs).then(() => false)]);
    if (!exited) {
      child.kill('SIGKILL');
      await Promise.race([this.exitPromise, sleep(2000)]);
    }
    live.delete(child);
  }

  async restart(): Promise<void> {
    await this.stop();
    // The port was ours; a peer restarting on it may briefly see TIME_WAIT — servers set SO_REUSEADDR.
    await this.start();
  }
}

const started = new Set<PeerProcess>();

/** Starts `name` on 127.0.0.1 (a free port unless `opts.port`) and resolves when it is ready. */
export async function startPeer(name: PeerName, opts: StartPeerOptions = {}): Promise<Peer> {
  assertPeersInstalled([name]);
  const peer = new PeerProcess(PEERS[name], opts);
  started.add(peer);
  try {
    await peer.start();
  } catch (error) {
    await peer.stop(1000);
    throw error;
  }
  return peer;
}

/** Stops every peer this module started (bounded). Call from afterAll. */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...started].map((peer) => peer.stop()));
  started.clear();
}
