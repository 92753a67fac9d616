import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Observable, Subject } from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ForwardWsTransport, ListenAddress, WsPeer } from './adapter';
import { bind, checkListenOptions, LISTEN_DEFAULTS, serverOptions, shut, tokenCheck, type ListenOptions } from './listen';

/**
 * Forward WebSocket (docs/guides/transports.md, "Forward WebSocket"): the bot listens and applications dial in.
 * This adapter only accepts sockets and turns each into a {@link WsPeer}; the client decides what
 * to write (the connect event, events, heartbeats, answers). Node only.
 *
 * Upgrade rules, in order: path `/`, `/api` or `/event` (a trailing slash too), else 404; the token,
 * else 401/403; fewer than `maxConnections` sockets, else 503. A plain HTTP request gets 426.
 */

/** Options of {@link forwardWs}. @since 0.3.0 @category transport */
export interface ForwardWsOptions extends ListenOptions {
  /**
   * Each socket is pinged this often; one that has not answered the previous ping is dropped (a
   * vanished application must not hold its slot). `0` disables it. @defaultValue `30000`
   */
  readonly pingInterval?: number;
}

const ROLES: Readonly<Record<string, WsPeer['role']>> = { '/': 'universal', '/api': 'api', '/event': 'event' };

/** Refuses an upgrade with a plain HTTP status. */
const refuse = (socket: Duplex, status: number): void => {
  const text = STATUS_CODES[status] ?? '';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
};

/** The text of a `ws` message, without copying a single Buffer first. @internal */
export const rawText = (data: RawData): string => {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
};

/** A message as the peer hands it on: text as a string, binary as it came. */
const textOf = (data: RawData, isBinary: boolean): unknown => (isBinary ? data : rawText(data));

let ids = 0;

/**
 * The adapter alone; `onebot-rx/server` exports it with the client's composition attached
 * (`src/client/listening.ts`), which is where its documentation and example are.
 * @internal
 */
export const forwardWsAdapter = (options: ForwardWsOptions = {}): ForwardWsTransport => {
  checkListenOptions('forwardWs', options);
  if (options.pingInterval !== undefined && (!Number.isInteger(options.pingInterval) || options.pingInterval < 0)) {
    throw new RangeError(`onebot-rx: forwardWs option pingInterval must be an integer >= 0, got ${String(options.pingInterval)}`);
  }
  const o = { ...LISTEN_DEFAULTS, pingInterval: 30_000, ...options };
  let address: ListenAddress | undefined;

  const listen: ForwardWsTransport['listen'] = () =>
    new Observable((subscriber) => {
      const checkToken = tokenCheck(o.accessToken);
      const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload, perMessageDeflate: false });
      const server = createServer(serverOptions(o), (_req, res) => {
        res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('this is a OneBot v11 WebSocket endpoint: /, /api, /event');
      });
      server.headersTimeout = o.headersTimeout;
      server.requestTimeout = o.requestTimeout;
      // Room above the socket limit, so a refused upgrade still gets its 503.
      server.maxConnections = o.maxConnections + 64;
      const live = new Set<WebSocket>();

      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => socket.destroy());
        const url = new URL(req.url ?? '/', 'http://localhost');
        const path = url.pathname.replace(/\/+$/, '') || '/';
        const role = ROLES[path];
        const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
        const turnAway = (status: number, reason: string): void => {
          refuse(socket, status);
          subscriber.next({ type: 'refused', status, remote, reason });
        };
        if (role === undefined) return turnAway(404, `path ${url.pathname} is not /, /api or /event`);
        const denied = checkToken(req.headers, url.searchParams);
        if (denied !== undefined) return turnAway(denied, denied === 401 ? 'access token missing' : 'access token wrong');
        if (live.size >= o.maxConnections) return turnAway(503, `maxConnections (${o.maxConnections}) sockets already open`);
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (subscriber.closed) return ws.terminate();
          live.add(ws);
          subscriber.next({ type: 'peer', peer: peerOf(ws, role, remote, () => live.delete(ws)) });
        });
      });
      server.on('clientError', (_e, socket) => socket.destroy());

      // A socket that did not answer the previous ping is gone.
      const unanswered = new WeakSet<WebSocket>();
      const pinger =
        o.pingInterval > 0
          ? setInterval(() => {
              for (const ws of live) {
                if (unanswered.has(ws)) {
                  ws.terminate();
                  continue;
                }
                unanswered.add(ws);
                ws.once('pong', () => unanswered.delete(ws));
                ws.ping();
              }
            }, o.pingInterval)
          : undefined;
      pinger?.unref();

      bind(server, o.host, o.port, 'ws').then(
        (a) => {
          address = a;
          subscriber.next({ type: 'listening', address: a });
        },
        (e: unknown) => subscriber.error(e),
      );

      return () => {
        if (pinger !== undefined) clearInterval(pinger);
        address = undefined;
        for (const ws of live) ws.close(1001, 'bot stopping');
        // Sockets that do not answer the close in time are dropped with the server.
        setTimeout(() => {
          for (const ws of live) ws.terminate();
          wss.close();
          shut(server);
        }, 1000).unref();
        server.close();
      };
    });

  return {
    kind: 'forward-ws',
    get address() {
      return address;
    },
    listen,
  };
};

/** The {@link WsPeer} of one accepted socket. */
const peerOf = (ws: WebSocket, role: WsPeer['role'], remote: string, gone: () => void): WsPeer => {
  const data = new Subject<unknown>();
  ws.on('message', (raw: RawData, isBinary: boolean) => data.next(textOf(raw, isBinary)));
  ws.on('error', () => undefined); // the close that follows ends the peer
  ws.on('close', () => {
    gone();
    data.complete();
  });
  return {
    id: ++ids,
    role,
    remote,
    data$: data.asObservable(),
    write: (text) => {
      if (ws.readyState !== ws.OPEN) return false;
      ws.send(text);
      return true;
    },
    get buffered() {
      return ws.bufferedAmount;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: (code, reason) => ws.close(code, reason),
  };
};
