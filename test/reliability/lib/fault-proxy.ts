import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 (port 0) in front of a WebSocket server, with faults a test can switch
 * on: TCP reset in the middle of a frame, a blackhole that accepts TCP and never answers the upgrade,
 * and a half-open link that silently stops forwarding in both directions. It works on bytes, below
 * WebSocket, so the client under test sees exactly what a broken network would show it.
 *
 * Every socket it opens is tracked and destroyed by `close()`; every wait is bounded.
 */

export type ProxyMode = 'pass' | 'blackhole';
export type Direction = 'toServer' | 'toClient';

export interface ProxyLink {
  readonly id: number;
  readonly client: Socket;
  /** `undefined` for blackholed connections (never dialed upstream). */
  readonly upstream: Socket | undefined;
  /** Bytes forwarded so far, per direction. */
  readonly bytes: { toServer: number; toClient: number };
  /** True once forwarding stopped (half-open) or the link was torn down. */
  readonly frozen: boolean;
  readonly closed: boolean;
}

export interface ResetOptions {
  /** Direction whose next chunk is cut: only part of it is forwarded, then both sides are reset. */
  readonly direction?: Direction;
  /** If no chunk arrives within this time, reset anyway (the link may be idle). @defaultValue 200 */
  readonly maxWaitMs?: number;
}

export interface HalfOpenOptions {
  /**
   * After this long the upstream side of a frozen link is destroyed, as a server's own liveness
   * check or TCP keepalive eventually would. `0` keeps it until `close()`.
   * @defaultValue 0
   */
  readonly releaseUpstreamAfterMs?: number;
}

export interface FaultProxy {
  readonly port: number;
  /** `ws://127.0.0.1:<port><path>`. */
  url(path: string): string;
  mode: ProxyMode;
  /** Points new connections at another upstream port (existing links are untouched). */
  setTarget(port: number): void;
  /** Links not yet closed. */
  live(): ProxyLink[];
  /** Upstream sockets of half-open links kept after their client side closed. */
  readonly zombies: number;
  /** Total links accepted since start. */
  readonly accepted: number;
  /**
   * Resets every live link mid-frame: forwards part of the next chunk in `direction`, then
   * `resetAndDestroy()` on the client side (RST) and destroys the upstream. Resolves with the number
   * of links reset once they are all gone.
   */
  resetMidFrame(opts?: ResetOptions): Promise<number>;
  /** Stops forwarding on every live link without closing anything. Returns how many were frozen. */
  halfOpen(opts?: HalfOpenOptions): number;
  /** Destroys every live link (no RST, plain FIN/destroy). */
  dropAll(): void;
  close(): Promise<void>;
}

interface MutableLink {
  id: number;
  client: Socket;
  upstream: Socket | undefined;
  bytes: { toServer: number; toClient: number };
  frozen: boolean;
  closed: boolean;
  /** Armed cut: called with the next chunk of that direction instead of forwarding it. */
  cut: { direction: Direction; onChunk: (chunk: Buffer) => void } | undefined;
  /** Half-open: the upstream outlives the client side (until released). */
  holdUpstream: boolean;
  timers: Set<NodeJS.Timeout>;
}

export const createFaultProxy = async (opts: { targetPort: number; targetHost?: string }): Promise<FaultProxy> => {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  let targetPort = opts.targetPort;
  const links = new Set<MutableLink>();
  let accepted = 0;
  let nextId = 1;
  let closing = false;

  /** Upstream sockets of frozen links whose client side went away: the server must find out by itself. */
  const zombies = new Set<MutableLink>();

  const teardown = (l: MutableLink, rst: boolean): void => {
    if (l.closed) return;
    const wasFrozen = l.frozen;
    l.closed = true;
    l.frozen = true;
    l.cut = undefined;
    if (rst && !l.client.destroyed) l.client.resetAndDestroy();
    else l.client.destroy();
    links.delete(l);
    if (wasFrozen && l.holdUpstream && !rst && l.upstream !== undefined && !l.upstream.destroyed) {
      // Half-open: the client's FIN never reaches the server; the release timer (kept) or close() ends it.
      zombies.add(l);
      l.upstream.once('close', () => {
        zombies.delete(l);
        for (const t of l.timers) clearTimeout(t);
        l.timers.clear();
      });
      return;
    }
    for (const t of l.timers) clearTimeout(t);
    l.timers.clear();
    if (l.upstream !== undefined) {
      if (rst && !l.upstream.destroyed) l.upstream.resetAndDestroy();
      else l.upstream.destroy();
    }
  };

  const forward = (l: MutableLink, direction: Direction, chunk: Buffer): void => {
    if (l.closed || l.frozen) return; // a frozen link swallows everything, like a dead route
    const cut = l.cut;
    if (cut !== undefined && cut.direction === direction) {
      l.cut = undefined;
      cut.onChunk(chunk);
      return;
    }
    const out = direction === 'toServer' ? l.upstream : l.client;
    if (out === undefined || out.destroyed) return;
    l.bytes[direction] += chunk.length;
    out.write(chunk);
  };

  const server: Server = createServer({ pauseOnConnect: false }, (client) => {
    accepted++;
    client.setNoDelay(true);
    const l: MutableLink = {
      id: nextId++,
      client,
      upstream: undefined,
      bytes: { toServer: 0, toClient: 0 },
      frozen: false,
      closed: false,
      cut: undefined,
      holdUpstream: false,
      timers: new Set(),
    };
    links.add(l);
    client.on('error', () => teardown(l, false));
    client.on('close', () => teardown(l, false));
    if (closing) return teardown(l, false);
    if (proxy.mode === 'blackhole') {
      // Accept TCP, read and drop whatever comes, never answer: the upgrade hangs until the client gives up.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect({ host: targetHost, port: targetPort });
    upstream.setNoDelay(true);
    l.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => forward(l, 'toClient', chunk));
    upstream.on('error', () => {
      if (!l.frozen) teardown(l, false);
    });
    upstream.on('close', () => {
      // A frozen link keeps its client side open: the client must find out by itself.
      if (!l.frozen) teardown(l, false);
    });
    client.on('data', (chunk: Buffer) => forward(l, 'toServer', chunk));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');
  const port = address.port;

  const resetOne = (l: MutableLink, direction: Direction, maxWaitMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (l.closed) return resolve();
      const done = (): void => {
        teardown(l, true);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      l.timers.add(timer);
      l.cut = {
        direction,
        onChunk: (chunk) => {
          clearTimeout(timer);
          l.timers.delete(timer);
          // Forward a strict prefix so the peer holds a partial frame when the RST hits.
          const part = chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2)));
          const out = direction === 'toServer' ? l.upstream : l.client;
          if (chunk.length > 1 && out !== undefined && !out.destroyed) {
            l.bytes[direction] += part.length;
            out.write(part, () => done());
            // If the write callback never comes (peer gone), the teardown still happens.
            const t2 = setTimeout(done, 50);
            l.timers.add(t2);
          } else done();
        },
      };
    });

  const proxy: FaultProxy = {
    port,
    url: (path) => `ws://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`,
    mode: 'pass',
    setTarget: (p) => {
      targetPort = p;
    },
    live: () => [...links].filter((l) => !l.closed).map((l) => ({ ...l, bytes: { ...l.bytes } })),
    get zombies() {
      return zombies.size;
    },
    get accepted() {
      return accepted;
    },
    resetMidFrame: async (o = {}) => {
      const live = [...links].filter((l) => !l.closed);
      await Promise.all(live.map((l) => resetOne(l, o.direction ?? 'toServer', o.maxWaitMs ?? 200)));
      return live.length;
    },
    halfOpen: (o = {}) => {
      const live = [...links].filter((l) => !l.closed && !l.frozen);
      for (const l of live) {
        l.frozen = true;
        l.holdUpstream = true;
        const after = o.releaseUpstreamAfterMs ?? 0;
        if (after > 0) {
          const t = setTimeout(() => {
            l.timers.delete(t);
            l.upstream?.destroy();
          }, after);
          l.timers.add(t);
        }
      }
      return live.length;
    },
    dropAll: () => {
      for (const l of [...links]) teardown(l, false);
    },
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const l of [...links]) teardown(l, false);
      for (const z of [...zombies]) {
        for (const t of z.timers) clearTimeout(t);
        z.timers.clear();
        z.upstream?.destroy();
      }
      zombies.clear();
      await closed;
    },
  };
  return proxy;
};
