import WebSocket from 'ws';
import type { IncomingHttpHeaders } from 'node:http';
import type { ReferenceServer } from '../../src/server/reference-server';
import { createConnectEvent } from '../../src/protocol/builders';

/**
 * A plain `ws` peer that queues every frame it receives, so a test can await "the next frame" without
 * ever missing one that arrived early, and can prove that nothing else arrived in between.
 */
export interface Peer {
  readonly ws: WebSocket;
  /** Parsed text frames not yet taken by `next()`. */
  readonly inbox: unknown[];
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  send(value: unknown): void;
  readonly closed: Promise<{ code: number; reason: string }>;
}

export const peers: WebSocket[] = [];

/** Terminates every peer a test opened (call from afterEach). */
export const closePeers = (): void => {
  for (const ws of peers.splice(0)) ws.terminate();
};

const wrap = (ws: WebSocket): Peer => {
  const inbox: unknown[] = [];
  const waiting: Array<(v: unknown) => void> = [];
  ws.on('message', (data, isBinary) => {
    const value = isBinary ? { binary: true } : (JSON.parse(data.toString()) as unknown);
    const w = waiting.shift();
    if (w) w(value);
    else inbox.push(value);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    inbox,
    closed,
    send: (v) => ws.send(typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v)),
    next: (timeoutMs = 2000) =>
      new Promise((resolve, reject) => {
        if (inbox.length > 0) return resolve(inbox.shift() as Record<string, unknown>);
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new Error(`no frame within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (v: unknown): void => {
          clearTimeout(timer);
          resolve(v as Record<string, unknown>);
        };
        waiting.push(deliver);
      }),
  };
};

/** Opens a socket; resolves on `open`, rejects with the HTTP status on a refused upgrade. */
export const open = (url: string, headers: Record<string, string> = {}): Promise<Peer> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    peers.push(ws);
    const peer = wrap(ws);
    ws.once('open', () => resolve(peer));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
      res.on('error', () => undefined);
    });
    ws.once('error', (e) => reject(e));
  });

/** The HTTP status an upgrade is refused with (fails the test if it is accepted). */
export const refusal = async (
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> => {
  try {
    const p = await open(url, headers);
    p.ws.terminate();
  } catch (e) {
    const err = e as { status?: number; body?: string; headers?: IncomingHttpHeaders };
    if (typeof err.status === 'number') return { status: err.status, body: err.body ?? '', headers: err.headers ?? {} };
    throw e;
  }
  throw new Error('the upgrade was accepted');
};

/** Opens a socket with `X-Self-ID`, sends the connect event, waits until the server lists the bot. */
export const bot = async (server: ReferenceServer, selfId: number, headers: Record<string, string> = {}): Promise<Peer> => {
  const peer = await open(server.url, { 'X-Self-ID': String(selfId), ...headers });
  peer.send(createConnectEvent(selfId));
  await server.waitForBot(selfId, 2000);
  return peer;
};
