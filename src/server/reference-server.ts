import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../logging/logger';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { ApiResponse } from '../protocol/codecs/frames';
import { createNotifier } from './notifier';
import {
  REFERENCE_SERVER_DEFAULTS,
  ServerCloseCode,
  type ApiResponseRecord,
  type ConnectionRecord,
  type EchoStyle,
  type FrameErrorRecord,
  type ReceivedEvent,
  type CallApiOptions,
  type ReferenceServer,
  type ReferenceServerEvents,
  type ReferenceServerOptions,
  type RejectionRecord,
} from './reference-server-types';
import { createTokenCheck, findSelfId, findToken, normalizePath, refuseUpgrade, safeHeaders, safeUrl } from './upgrade-checks';
import { createSession, type Session, type SessionHost } from './session';

export * from './reference-server-types';

const DEFAULT_WAIT_MS = 5000;
/** How long `close()` lets clients answer our close frame before cutting the socket. */
const CLOSE_GRACE_MS = 500;

interface PendingCall {
  readonly selfId: number;
  readonly action: string;
  readonly echo: unknown;
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (r: ApiResponse) => void;
  readonly reject: (e: Error) => void;
}

const echoFor = (style: EchoStyle, n: number): unknown =>
  style === 'number' ? n : style === 'object' ? { seq: n } : String(n);
const echoKey = (selfId: number, echo: unknown): string => `${selfId}|${JSON.stringify(echo)}`;

/**
 * Starts a OneBot v11 reverse-WebSocket application server with the semantics the original Python
 * client was written against: a lifecycle `connect` event within `handshakeTimeout`, one connection
 * per `self_id`, private messages routed by `target_id` and group messages to every other bot (each
 * copy re-addressed to its recipient), and API calls to bots answered by `echo`.
 *
 * Upgrade rules, in order: wrong path → HTTP 404; token configured but missing → 401, wrong → 403
 * (constant-time compare, `Authorization: Bearer|Token <t>` or `?access_token=`); `X-Self-ID` (or
 * `?self_id=`) not a positive integer → 400; absent → identified by the connect event (400 with
 * `requireSelfId`); already connected → 409, after probing the holder (see below). After the upgrade: no connect event in time → close
 * 4001; a first frame that is not the connect event → 4002; connect `self_id` ≠ header → 4003;
 * `self_id` taken meanwhile → 4009 `duplicate self_id <id>` (see {@link ServerCloseCode}).
 *
 * Liveness: every connection is pinged each `pingInterval` and terminated when no pong follows
 * within `pongTimeout`, so a bot whose link died half-open (no FIN, no RST) is dropped and its
 * `self_id` freed. The record says `closedBy: 'server'`, `closeCode: 1006` (no close frame was
 * exchanged), `closeReason: 'no pong within <pongTimeout> ms'`. An upgrade naming a `self_id` that
 * is still held pings the holder at once and waits for the verdict (at most `pongTimeout`): a live
 * holder → 409, a dead one is terminated and the newcomer accepted. A header-less duplicate is
 * closed with 4009 at once but triggers the same probe, so its retry gets in. `pingInterval: 0`
 * turns all of this off (duplicates are then refused at once for as long as the holder lingers).
 *
 * Every socket must handshake whatever its `X-Client-Role` (recorded, not enforced): the server
 * speaks Universal, so split API/Event sockets for one account collide as duplicates (as in NoneBot2).
 *
 * Bad frames after the handshake (invalid JSON, invalid events, binary, too large) are answered with
 * an error frame shaped like a failed API response and never carrying `post_type`:
 * `{ status: 'failed', retcode: 1400, data: null, message, wording, error: { code, path? }, echo? }`.
 *
 * @example
 * import WebSocket from 'ws';
 * import { createReferenceServer } from 'onebot-rx/server';
 *
 * const server = await createReferenceServer({ port: 0 });
 * const ws = new WebSocket(server.url, { headers: { 'X-Self-ID': '10001' } });
 * ws.on('open', () =>
 *   ws.send(JSON.stringify({ time: 1, self_id: 10001, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' })),
 * );
 * const bot = await server.waitForBot(10001);
 * bot.selfId === 10001;
 * await server.close();
 *
 * @since 0.1.0
 * @category server
 */
export const createReferenceServer = async (options: ReferenceServerOptions = {}): Promise<ReferenceServer> => {
  const o = { ...REFERENCE_SERVER_DEFAULTS, ...stripUndefined(options) };
  const logger = options.logger ?? silentLogger;
  const wantedPath = normalizePath(o.path);
  const pinging = o.pingInterval > 0;
  const checkToken = o.accessToken !== undefined && o.accessToken !== '' ? createTokenCheck(o.accessToken) : undefined;

  const notifier = createNotifier<ReferenceServerEvents>(logger);
  const sessions = new Set<Session>();
  const bots = new Map<number, Session>();
  const rawSockets = new Set<Socket>();
  const pending = new Map<string, PendingCall>();
  const connections: ConnectionRecord[] = [];
  const rejections: RejectionRecord[] = [];
  const errors: FrameErrorRecord[] = [];
  const events: ReceivedEvent[] = [];
  let nextConnectionId = 1;
  let nextEcho = 1;
  let closing = false;
  let closePromise: Promise<void> | undefined;

  const remember = <T>(list: T[], item: T): void => {
    list.push(item);
    if (list.length > o.historyLimit) list.splice(0, list.length - o.historyLimit);
  };

  const failPendingOf = (selfId: number, make: (p: PendingCall) => OneBotError): void => {
    for (const [key, p] of pending) {
      if (p.selfId !== selfId) continue;
      pending.delete(key);
      clearTimeout(p.timer);
      p.reject(make(p));
    }
  };

  // The session (one WebSocket) reports back through this narrow interface.
  const host: SessionHost = {
    logger,
    handshakeTimeout: o.handshakeTimeout,
    maxPayload: o.maxPayload,
    pingInterval: o.pingInterval,
    pongTimeout: o.pongTimeout,
    isConnected: (selfId) => bots.has(selfId),
    onDuplicate: (selfId) => {
      void bots.get(selfId)?.probe();
    },
    register: (s) => {
      bots.set(s.selfId as number, s);
    },
    unregister: (s) => {
      if (s.selfId === undefined || bots.get(s.selfId) !== s) return;
      bots.delete(s.selfId);
      const id = s.selfId;
      failPendingOf(id, (p) => new OneBotError(ErrorCode.BotNotConnected, `bot ${id} disconnected before answering ${p.action}`, { selfId: id, action: p.action }));
    },
    deliveryTargets: (from, event) => {
      if (event.post_type !== 'message') return [];
      if (event.message_type === 'private') {
        const target = typeof event.target_id === 'number' ? bots.get(event.target_id) : undefined;
        return target === undefined ? [] : [target];
      }
      if (event.message_type === 'group') return [...bots.values()].filter((b) => b !== from);
      return [];
    },
    onResponse: (s, response) => {
      if (s.selfId === undefined || !('echo' in response)) return false;
      const key = echoKey(s.selfId, response.echo);
      const p = pending.get(key);
      if (p === undefined) return false;
      pending.delete(key);
      clearTimeout(p.timer);
      const rec: ApiResponseRecord = { selfId: p.selfId, action: p.action, echo: p.echo, response, durationMs: Date.now() - p.sentAt };
      p.resolve(response);
      notifier.emit('api-response', rec);
      return true;
    },
    onInvalidResponse: (s, echo, error) => {
      if (s.selfId === undefined) return;
      const key = echoKey(s.selfId, echo);
      const p = pending.get(key);
      if (p === undefined) return;
      pending.delete(key);
      clearTimeout(p.timer);
      p.reject(error);
    },
    recordEvent: (e) => {
      remember(events, e);
      notifier.emit('event', e);
    },
    recordError: (e) => {
      remember(errors, e);
      notifier.emit('error', e);
    },
    onConnected: (info) => notifier.emit('connect', info),
    onClosed: (s, rec) => {
      sessions.delete(s);
      notifier.emit('disconnect', rec);
    },
  };

  const reject = (req: IncomingMessage, socket: Duplex, status: number, reason: string, extra?: Record<string, string>): void => {
    const rec: RejectionRecord = {
      at: Date.now(),
      status,
      reason,
      remoteAddress: req.socket.remoteAddress,
      url: safeUrl(req),
      headers: safeHeaders(req.headers),
    };
    remember(rejections, rec);
    logger.warn(`reference server: upgrade refused with HTTP ${status}: ${reason}`, { remoteAddress: rec.remoteAddress, url: rec.url });
    refuseUpgrade(socket, status, extra);
    notifier.emit('rejection', rec);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(o.maxPayload * 4, o.maxPayload + 64 * 1024) });
  wss.on('error', (e) => logger.error('reference server: WebSocket server error', { error: e.message }));

  const http: Server = createServer((req, res) => {
    // Plain HTTP on the WebSocket port: say what is expected instead of hanging.
    res.statusCode = 426;
    res.setHeader('Upgrade', 'websocket');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Upgrade Required');
    req.resume();
  });
  http.on('connection', (socket: Socket) => {
    rawSockets.add(socket);
    // Resets during or after the upgrade must never become uncaught 'error' events.
    socket.on('error', (e) => logger.debug('reference server: socket error', { error: e.message }));
    socket.once('close', () => rawSockets.delete(socket));
  });
  http.on('clientError', (err, socket) => {
    logger.debug('reference server: malformed HTTP request', { error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (e) => logger.debug('reference server: upgrade socket error', { error: e.message }));
    if (closing) return reject(req, socket, 503, 'server is closing');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://reference.invalid');
    } catch {
      return reject(req, socket, 400, 'unparsable request target');
    }
    if (normalizePath(url.pathname) !== wantedPath) return reject(req, socket, 404, `path ${url.pathname} is not ${o.path}`);
    if (checkToken !== undefined) {
      const found = findToken(req.headers, url);
      if (found.kind === 'missing') return reject(req, socket, 401, 'access token missing', { 'WWW-Authenticate': 'Bearer' });
      if (!checkToken(found.token)) return reject(req, socket, 403, 'access token wrong');
    }
    const id = findSelfId(req.headers, url);
    if (id.kind === 'invalid') return reject(req, socket, 400, 'X-Self-ID is not a positive integer');
    if (id.kind === 'absent' && o.requireSelfId) return reject(req, socket, 400, 'X-Self-ID missing');
    if (id.kind === 'ok') {
      const holder = bots.get(id.selfId);
      if (holder !== undefined) return pinging ? holdUpgrade(req, socket, head, id.selfId, holder) : reject(req, socket, 409, `duplicate self_id ${id.selfId}`);
    }
    accept(req, socket, head, id.kind === 'ok' ? id.selfId : undefined);
  });

  /**
   * A reconnect while the old connection still holds the self_id is usually a bot whose old link
   * died without a FIN. Rather than refuse it until the next periodic ping catches the corpse, ask
   * the holder now: a live one answers within a round trip (→ 409), a dead one is terminated after
   * `pongTimeout` and the newcomer goes through.
   */
  const holdUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, selfId: number, holder: Session): void => {
    logger.info(`reference server: bot ${selfId} reconnects while connected; probing the old connection`, { connectionId: holder.record.id });
    // Read the socket while it waits, or a client that gives up (FIN) would go unnoticed and be
    // accepted on a dead socket. A WebSocket client sends nothing before the 101, so any byte is a
    // violation: refuse at once rather than buffer it.
    let settled = false;
    let gone = false;
    const onData = (): void => {
      if (settled) return;
      settled = true;
      stopWatching();
      reject(req, socket, 400, 'data sent before the upgrade was answered');
    };
    const onGone = (): void => {
      gone = true;
    };
    const stopWatching = (): void => {
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      // Still flowing, but nothing can arrive before ws (synchronously) attaches its own reader.
    };
    socket.on('data', onData);
    socket.once('end', onGone);
    socket.once('close', onGone);
    let bound: NodeJS.Timeout | undefined;
    // The probe settles within pongTimeout on an open socket; the bound covers a stuck closing.
    void Promise.race([holder.probe(), new Promise<void>((resolve) => (bound = setTimeout(resolve, o.pongTimeout)))]).then(() => {
      clearTimeout(bound);
      if (settled) return;
      settled = true;
      stopWatching();
      if (gone || socket.destroyed || !socket.writable) {
        logger.debug(`reference server: bot ${selfId} gave up its upgrade while the old connection was probed`);
        socket.destroy();
        return;
      }
      if (closing) return reject(req, socket, 503, 'server is closing');
      if (bots.has(selfId)) return reject(req, socket, 409, `duplicate self_id ${selfId}`);
      accept(req, socket, head, selfId);
    });
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, claimed: number | undefined): void => {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) {
        ws.close(ServerCloseCode.GoingAway, 'server shutting down');
        return;
      }
      const role = typeof req.headers['x-client-role'] === 'string' ? req.headers['x-client-role'] : 'Universal';
      const s = createSession(host, ws, {
        id: nextConnectionId++,
        claimedSelfId: claimed,
        role,
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        url: safeUrl(req),
        headers: safeHeaders(req.headers),
      });
      sessions.add(s);
      remember(connections, s.record);
    });
  };

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      rejectListen(new OneBotError(ErrorCode.SocketError, `reference server cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`, { host: o.host, port: o.port }, { cause: e }));
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(o.port, o.host);
  });
  http.on('error', (e) => logger.error('reference server: HTTP server error', { error: e.message }));

  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const pathForUrl = o.path.startsWith('/') ? o.path : `/${o.path}`;
  const url = `ws://${hostForUrl}:${port}${pathForUrl}`;
  logger.info(`reference server listening on ${url}`);

  const botOrThrow = (selfId: number): Session => {
    const s = bots.get(selfId);
    if (s === undefined || closing) throw new OneBotError(ErrorCode.BotNotConnected, `bot ${selfId} is not connected`, { selfId });
    return s;
  };

  const callApi = (selfId: number, action: string, params: Record<string, unknown> = {}, opts: CallApiOptions = {}): Promise<ApiResponse> =>
    new Promise<ApiResponse>((resolve, rejectCall) => {
      const s = botOrThrow(selfId);
      const timeout = opts.timeout ?? o.apiTimeout;
      const echo = echoFor(opts.echoStyle ?? o.echoStyle, nextEcho++);
      const key = echoKey(selfId, echo);
      const timer = setTimeout(() => {
        pending.delete(key);
        rejectCall(new OneBotError(ErrorCode.ApiTimeout, `bot ${selfId} did not answer ${action} within ${timeout} ms`, { selfId, action, timeout }));
      }, timeout);
      pending.set(key, { selfId, action, echo, sentAt: Date.now(), timer, resolve, reject: rejectCall });
      s.send(JSON.stringify({ action, params, echo }));
    });

  const waitFromHistory = <T, K extends keyof ReferenceServerEvents>(
    history: readonly T[],
    name: K,
    predicate: (x: T) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<ReferenceServerEvents[K]> => {
    const found = history.find(predicate);
    if (found !== undefined) return Promise.resolve({ ...found } as unknown as ReferenceServerEvents[K]);
    return notifier.waitFor(name, predicate as unknown as (p: ReferenceServerEvents[K]) => boolean, timeoutMs, what);
  };

  const closeAll = async (): Promise<void> => {
    closing = true;
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    for (const [key, p] of pending) {
      pending.delete(key);
      clearTimeout(p.timer);
      p.reject(new OneBotError(ErrorCode.ServerClosed, `the reference server closed before bot ${p.selfId} answered ${p.action}`, { selfId: p.selfId, action: p.action }));
    }
    const live = [...sessions];
    for (const s of live) s.close(ServerCloseCode.GoingAway, 'server shutting down');
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(live.map((s) => s.closed)),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    for (const s of live) s.terminate();
    await Promise.all(live.map((s) => s.closed));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const socket of rawSockets) socket.destroy();
    await httpClosed;
    notifier.dispose();
    logger.info('reference server closed');
  };

  return {
    url,
    host: o.host,
    port,
    path: o.path,
    bots: () => [...bots.values()].map((s) => s.info()),
    bot: (selfId) => bots.get(selfId)?.info(),
    get connections() {
      return connections.map((c) => ({ ...c }));
    },
    get rejections() {
      return [...rejections];
    },
    get errors() {
      return [...errors];
    },
    events: (selfId) => (selfId === undefined ? [...events] : events.filter((e) => e.selfId === selfId)),
    on: (name, fn) => notifier.on(name, fn),
    waitFor: (condition, timeoutMs = DEFAULT_WAIT_MS) => notifier.until(condition, timeoutMs, 'a condition'),
    next: (name, predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) => notifier.waitFor(name, predicate, timeoutMs, `'${name}'`),
    waitForBot: (selfId, timeoutMs = DEFAULT_WAIT_MS) => {
      const s = bots.get(selfId);
      if (s !== undefined) return Promise.resolve(s.info());
      return notifier.waitFor('connect', (b) => b.selfId === selfId, timeoutMs, `bot ${selfId} to connect`);
    },
    waitForEvent: (predicate, timeoutMs = DEFAULT_WAIT_MS) => waitFromHistory(events, 'event', predicate, timeoutMs, 'a matching event'),
    waitForError: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) => waitFromHistory(errors, 'error', predicate, timeoutMs, 'a matching bad frame'),
    waitForDisconnect: (match, timeoutMs = DEFAULT_WAIT_MS) => {
      const pred = typeof match === 'number' ? (c: ConnectionRecord) => c.selfId === match : match;
      return waitFromHistory(connections, 'disconnect', (c) => c.closedAt !== undefined && pred(c), timeoutMs, 'a matching disconnect');
    },
    callApi,
    sendRaw: (selfId, data) => botOrThrow(selfId).send(data),
    kick: async (selfId, code = ServerCloseCode.Normal, reason = 'kicked') => {
      const s = botOrThrow(selfId);
      s.close(code, reason);
      await s.closed;
      return { ...s.record };
    },
    close: () => (closePromise ??= closeAll()),
  };
};

const stripUndefined = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

