import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/**
 * A small WebSocket server for the issue-10 regression tests: it records every text frame of every
 * connection, in order, and lets a test behave as a hostile or broken application would (stop
 * answering pings, close at once, flood calls, stop reading). Loopback only, port 0.
 */

export interface PeerConnection {
  /** 0, 1, 2... in the order the connections were accepted. */
  readonly index: number;
  readonly ws: WebSocket;
  /** Text frames received, in order. */
  readonly frames: string[];
  /** `false`: pings are read and never answered (a half-open link, as the client sees it). */
  answerPings: boolean;
  closed: boolean;
}

export type Truthy<T> = Exclude<T, false | undefined | null | 0 | ''>;

export interface Peer {
  readonly url: string;
  readonly port: number;
  readonly connections: PeerConnection[];
  /** Called for every accepted connection, before any of its frames is recorded. */
  onConnection(fn: (c: PeerConnection) => void): void;
  /** Polls `condition` every 5 ms until it is truthy; rejects after `timeoutMs` naming `what`. */
  waitFor<T>(condition: () => T, what: string, timeoutMs?: number): Promise<Truthy<T>>;
  close(): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const startPeer = async (): Promise<Peer> => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as AddressInfo).port;
  const connections: PeerConnection[] = [];
  const listeners: ((c: PeerConnection) => void)[] = [];
  wss.on('connection', (ws) => {
    const c: PeerConnection = { index: connections.length, ws, frames: [], answerPings: true, closed: false };
    connections.push(c);
    ws.on('ping', (data) => {
      if (c.answerPings) ws.pong(data);
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) c.frames.push(String(data));
    });
    ws.on('close', () => {
      c.closed = true;
    });
    ws.on('error', () => undefined);
    for (const l of listeners) l(c);
  });
  return {
    url: `ws://127.0.0.1:${port}/ws/`,
    port,
    connections,
    onConnection: (fn) => {
      listeners.push(fn);
    },
    waitFor: async (condition, what, timeoutMs = 5000) => {
      const by = Date.now() + timeoutMs;
      for (;;) {
        const v = condition();
        if (v) return v as Truthy<typeof v>;
        if (Date.now() > by) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(5);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.ws.terminate();
        wss.close(() => resolve());
      }),
  };
};

/** What a recorded frame is, for order checks: the connect event, a heartbeat, an API answer, or a message's text. */
export const kindOf = (frame: string): string => {
  const f = JSON.parse(frame) as Record<string, unknown>;
  if (f.meta_event_type === 'lifecycle') return 'connect';
  if (f.meta_event_type === 'heartbeat') return 'heartbeat';
  if ('retcode' in f) return 'answer';
  if (typeof f.raw_message === 'string') return f.raw_message;
  return '?';
};
