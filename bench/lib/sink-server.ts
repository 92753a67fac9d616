/**
 * The server peer of every row, run as its own process (`spawnPeer(SINK_SERVER, ...)`): a plain
 * `ws` WebSocketServer on 127.0.0.1 that plays the application side of OneBot v11. It counts and
 * optionally records what clients send (sink), pushes pre-framed events (source), issues API
 * requests and times the answers, and times handshakes. Connections are told apart by `X-Self-ID`.
 * Nothing here depends on onebot-rx: it is the same for the raw baselines and the client.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { serveRpc } from './rpc';
import { groupMessageEvent } from './fixture';
import { latency, nowMs } from './stats';

interface Conn {
  ws: WebSocket;
  selfId: number;
  openedAt: number;
  frames: number;
  onFrame?: (data: RawData) => void;
}

interface PerId {
  frames: number;
  connects: number;
  connections: number;
  record: boolean;
  recorded: string[];
  waiters: Array<{ field: 'frames' | 'connects'; target: number; resolve: () => void }>;
  handshakeHooks: Array<(ms: number, firstFrame: string) => void>;
  live: Set<Conn>;
}

let wss: WebSocketServer | undefined;
const ids = new Map<number, PerId>();

function perId(selfId: number): PerId {
  let p = ids.get(selfId);
  if (!p) {
    p = { frames: 0, connects: 0, connections: 0, record: false, recorded: [], waiters: [], handshakeHooks: [], live: new Set() };
    ids.set(selfId, p);
  }
  return p;
}

function bump(p: PerId, field: 'frames' | 'connects'): void {
  p[field]++;
  if (p.waiters.length === 0) return;
  p.waiters = p.waiters.filter((w) => {
    if (w.field === field && p[field] >= w.target) {
      w.resolve();
      return false;
    }
    return true;
  });
}

function isConnectEvent(text: string): boolean {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return v.post_type === 'meta_event' && v.meta_event_type === 'lifecycle' && v.sub_type === 'connect';
  } catch {
    return false;
  }
}

function onConnection(ws: WebSocket, req: IncomingMessage): void {
  const openedAt = nowMs();
  const selfId = Number(req.headers['x-self-id'] ?? 0);
  const p = perId(selfId);
  const conn: Conn = { ws, selfId, openedAt, frames: 0 };
  p.connections++;
  p.live.add(conn);
  const hook = p.handshakeHooks.shift();
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return;
    conn.frames++;
    if (conn.frames === 1) {
      const text = data.toString();
      if (hook) hook(nowMs() - openedAt, text);
      if (isConnectEvent(text)) bump(p, 'connects');
    }
    if (p.record) p.recorded.push(data.toString());
    if (conn.onFrame) conn.onFrame(data);
    bump(p, 'frames');
  });
  ws.on('close', () => p.live.delete(conn));
  ws.on('error', () => undefined);
}

function latestConn(selfId: number): Conn {
  const p = ids.get(selfId);
  const all = p ? [...p.live] : [];
  const c = all[all.length - 1];
  if (!c) throw new Error(`no live connection for self id ${selfId}`);
  return c;
}

function deadline<T>(ms: number, what: string, work: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    work(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** One unmasked server→client text frame (RFC 6455 §5.2), so the source costs nothing per event. */
function textFrame(payload: Buffer): Buffer {
  const len = payload.length;
  let header: Buffer;
  if (len < 126) header = Buffer.from([0x81, len]);
  else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

const CHUNK_EVENTS = 256;
let chunk: Buffer | undefined;
function eventChunk(): Buffer {
  chunk ??= Buffer.concat(Array.from({ length: CHUNK_EVENTS }, (_, i) => textFrame(Buffer.from(JSON.stringify(groupMessageEvent(1000 + i))))));
  return chunk;
}

async function listen(args: { port?: number }): Promise<{ port: number }> {
  if (wss) throw new Error('already listening');
  const port = args.port ?? 0;
  // A restarted server may race the dead one for the port for a moment: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      const server = await new Promise<WebSocketServer>((resolve, reject) => {
        const s = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, skipUTF8Validation: true, maxPayload: 1 << 24 });
        s.once('listening', () => resolve(s));
        s.once('error', reject);
      });
      wss = server;
      break;
    } catch (err) {
      if (attempt >= 200 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  wss.on('connection', onConnection);
  const addr = wss.address();
  if (typeof addr === 'string' || addr === null) throw new Error('unexpected address');
  return { port: addr.port };
}

serveRpc({
  listen,
  async close(): Promise<void> {
    if (!wss) return;
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss?.close(() => r()));
    wss = undefined;
  },
  stats(args: { selfId: number }) {
    const p = perId(args.selfId);
    return { frames: p.frames, connects: p.connects, connections: p.connections, live: p.live.size };
  },
  /** Resolve once `field` of `selfId` reaches `target` (absolute, so no race with the sender). */
  until(args: { selfId: number; field: 'frames' | 'connects'; target: number; timeoutMs: number }) {
    const p = perId(args.selfId);
    return deadline<{ frames: number; connects: number }>(args.timeoutMs, `until ${args.field} ≥ ${args.target} (self ${args.selfId})`, (resolve) => {
      const done = (): void => resolve({ frames: p.frames, connects: p.connects });
      if (p[args.field] >= args.target) return done();
      p.waiters.push({ field: args.field, target: args.target, resolve: done });
    });
  },
  record(args: { selfId: number; on: boolean }) {
    const p = perId(args.selfId);
    p.record = args.on;
    p.recorded = [];
  },
  recorded(args: { selfId: number }) {
    return perId(args.selfId).recorded;
  },
  /** Time from `connection` to the first frame of the next connection from `selfId`. */
  nextHandshake(args: { selfId: number; timeoutMs: number }) {
    const p = perId(args.selfId);
    return deadline<{ ms: number; connect: boolean }>(args.timeoutMs, 'handshake', (resolve) => {
      p.handshakeHooks.push((ms, first) => resolve({ ms, connect: isConnectEvent(first) }));
    });
  },
  /** Push `n` group message events to the latest connection of `selfId`, honouring backpressure. */
  async blast(args: { selfId: number; n: number; timeoutMs: number }) {
    const conn = latestConn(args.selfId);
    const socket = (conn.ws as unknown as { _socket: Socket })._socket;
    const buf = eventChunk();
    const frameLen = buf.length / CHUNK_EVENTS;
    const started = nowMs();
    let left = args.n;
    while (left > 0) {
      if (nowMs() - started > args.timeoutMs) throw new Error('blast: timed out');
      const k = Math.min(left, CHUNK_EVENTS);
      const ok = socket.write(k === CHUNK_EVENTS ? buf : buf.subarray(0, k * frameLen));
      left -= k;
      if (!ok) await new Promise<void>((r) => socket.once('drain', () => r()));
    }
    return { ms: nowMs() - started };
  },
  /** Sequential API calls: send one request, wait for its answer, repeat. */
  async apiSequential(args: { selfId: number; n: number; warmup: number; timeoutMs: number }) {
    const conn = latestConn(args.selfId);
    const samples: number[] = [];
    const started = nowMs();
    try {
      for (let i = 0; i < args.warmup + args.n; i++) {
        if (nowMs() - started > args.timeoutMs) throw new Error(`apiSequential: timed out after ${i} calls`);
        const echo = String(i + 1);
        const t0 = nowMs();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`apiSequential: no answer to echo ${echo}`)), 5000);
          conn.onFrame = (data) => {
            const r = JSON.parse(data.toString()) as { echo?: unknown; retcode?: number };
            if (r.echo !== echo) return;
            if (r.retcode !== 0) return reject(new Error(`apiSequential: retcode ${r.retcode}`));
            clearTimeout(timer);
            resolve();
          };
          conn.ws.send(JSON.stringify({ action: 'get_login_info', params: {}, echo }));
        });
        if (i >= args.warmup) samples.push(nowMs() - t0);
      }
    } finally {
      conn.onFrame = undefined;
    }
    return latency(samples);
  },
  /** `inflight` API calls outstanding at all times until `n` have been answered. */
  async apiConcurrent(args: { selfId: number; n: number; inflight: number; timeoutMs: number }) {
    const conn = latestConn(args.selfId);
    let sent = 0;
    let answered = 0;
    const t0 = nowMs();
    const sendOne = (): void => {
      sent++;
      conn.ws.send(JSON.stringify({ action: 'get_login_info', params: {}, echo: String(sent) }));
    };
    try {
      await deadline<void>(args.timeoutMs, 'apiConcurrent', (resolve, reject) => {
        conn.onFrame = (data) => {
          const r = JSON.parse(data.toString()) as { echo?: unknown; retcode?: number };
          if (r.echo === undefined) return;
          if (r.retcode !== 0) return reject(new Error(`apiConcurrent: retcode ${r.retcode}`));
          answered++;
          if (answered >= args.n) return resolve();
          if (sent < args.n) sendOne();
        };
        for (let i = 0; i < Math.min(args.inflight, args.n); i++) sendOne();
      });
    } finally {
      conn.onFrame = undefined;
    }
    const ms = nowMs() - t0;
    return { ms, perSecond: (args.n / ms) * 1000 };
  },
});
