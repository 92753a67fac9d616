import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../logging/logger';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { ApiResponse } from '../protocol/codecs/frames';
import { createNotifier } from './notifier';
import {
  ServerCloseCode,
  type ConnectionRecord,
  type FrameErrorRecord,
  type ReceivedEvent,
  type CallApiOptions,
  type ReferenceServer,
  type ReferenceServerEvents,
  type RejectionRecord,
  type ServerStats,
} from './reference-server-types';
import { resolveServerOptions, type ReferenceServerOptions } from './server-options';
import { refuseUpgrade, safeHeaders, safeUrl } from './upgrade-checks';
import { createUpgradeHandler } from './upgrade';
import { createSession, type Session, type SessionHost } from './session';
import { BotRegistry } from './registry';
import { PendingCalls, echoFor } from './pending-calls';
import type { History } from './history';
import { Counters } from './counters';
import { FrameInspector } from './frame-inspector';
import { routeMessage } from './routing';
import { createHttpEndpoint, listen } from './http-endpoint';
import { createHistories, recordBytes, RECORD_BYTES, serverStats } from './records';

export * from './reference-server-types';

const DEFAULT_WAIT_MS = 5000;
/** How long `close()` lets clients answer our close frame before cutting the socket. */
const CLOSE_GRACE_MS = 500;

/**
 * Starts a OneBot v11 reverse-WebSocket application server with the semantics the original Python
 * client was written against: a lifecycle `connect` event within `handshakeTimeout`, one connection
 * per `self_id`, private messages routed by `target_id` and group messages to every other bot (each
 * copy re-addressed to its recipient), and API calls to bots answered by `echo`.
 *
 * Upgrade rules, in order: wrong path → HTTP 404; token configured but missing → 401, wrong → 403
 * (constant-time compare, `Authorization: Bearer|Token <t>` or `?access_token=`); `X-Self-ID` (or
 * `?self_id=`) not a safe positive integer → 400; absent → identified by the connect event (400 with
 * `requireSelfId`); already connected → 409, after probing the holder (see below). After the
 * upgrade: no connect event in time → close 4001; a first frame that is not the connect event →
 * 4002; connect `self_id` not a safe positive integer → 4004; connect `self_id` ≠ header → 4003;
 * `self_id` taken meanwhile → 4009 `duplicate self_id <id>` (see {@link ServerCloseCode}).
 *
 * Everything the server holds is bounded in count and bytes (history, each connection's send
 * queue, pending API calls, each frame's size, depth, values and segments, each message's copies):
 * see {@link ReferenceServerOptions} and docs/guides/reference-server.md. A bot whose send queue
 * passes its cap is cut off (slow consumer); a frame over a limit is answered with an error frame
 * whose `error.limit` names the option, and counted in `server.stats()`.
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
 * Bad frames after the handshake (invalid JSON, invalid events, binary, over a limit, not routable) are answered with
 * an error frame shaped like a failed API response and never carrying `post_type`:
 * `{ status: 'failed', retcode: 1400, data: null, message, wording, error: { code, path?, limit? }, echo? }`.
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
  const o = resolveServerOptions(options);
  const logger = o.logger ?? silentLogger;
  const scheduler = o.scheduler;
  const notifier = createNotifier<ReferenceServerEvents>(logger);
  const registry = new BotRegistry();
  const pending = new PendingCalls(o, scheduler);
  const counters = new Counters();
  const inspector = new FrameInspector(o);
  const history = createHistories(o);
  const rawSockets = new Set<Socket>();
  let nextConnectionId = 1;
  let nextEcho = 1;
  let closing = false;
  let closePromise: Promise<void> | undefined;

  // Each session (one WebSocket) reports back through this narrow interface.
  const host: SessionHost = {
    logger,
    options: o,
    inspector,
    counters,
    isConnected: (selfId) => registry.has(selfId),
    onDuplicate: (selfId) => void registry.get(selfId)?.probe(),
    register: (s) => registry.register(s),
    unregister: (s) => {
      if (!registry.unregister(s)) return;
      const id = s.selfId as number;
      pending.failAll((p) => new OneBotError(ErrorCode.BotNotConnected, `bot ${id} disconnected before answering ${p.action}`, { selfId: id, action: p.action }), id);
    },
    route: (from, event, bytes, encoded) => routeMessage(registry, from, event, bytes, o.maxFanoutBytes, encoded),
    onResponse: (s, response) => {
      if (s.selfId === undefined || !('echo' in response)) return false;
      const rec = pending.answer(s.selfId, response);
      if (rec !== undefined) notifier.emit('api-response', rec);
      return rec !== undefined;
    },
    onInvalidResponse: (s, echo, error) => {
      if (s.selfId !== undefined) pending.fail(s.selfId, echo, error);
    },
    recordEvent: (e, bytes) => {
      history.events.push(e, bytes);
      notifier.emit('event', e);
    },
    recordError: (e) => {
      history.errors.push(e, RECORD_BYTES + e.message.length);
      notifier.emit('error', e);
    },
    onConnected: (info) => notifier.emit('connect', info),
    onClosed: (s, rec) => {
      registry.sessions.delete(s);
      notifier.emit('disconnect', rec);
    },
  };

  const refuse = (req: IncomingMessage, socket: Duplex, status: number, reason: string, extra?: Record<string, string>): void => {
    const rec: RejectionRecord = { at: Date.now(), status, reason, remoteAddress: req.socket.remoteAddress, url: safeUrl(req), headers: safeHeaders(req.headers) };
    history.rejections.push(rec, recordBytes(rec.url, rec.headers));
    logger.warn(`reference server: upgrade refused with HTTP ${status}: ${reason}`, { remoteAddress: rec.remoteAddress, url: rec.url });
    refuseUpgrade(socket, status, extra);
    notifier.emit('rejection', rec);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(o.maxPayload * 4, o.maxPayload + 64 * 1024) });
  wss.on('error', (e) => logger.error('reference server: WebSocket server error', { error: e.message }));

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, claimed: number | undefined): void => {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) return ws.close(ServerCloseCode.GoingAway, 'server shutting down');
      const role = typeof req.headers['x-client-role'] === 'string' ? req.headers['x-client-role'] : 'Universal';
      const url = safeUrl(req);
      const headers = safeHeaders(req.headers);
      const s = createSession(host, ws, { id: nextConnectionId++, claimedSelfId: claimed, role, remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort, url, headers });
      registry.sessions.add(s);
      history.connections.push(s.record, recordBytes(url, headers));
    });
  };

  const http = createHttpEndpoint(logger, rawSockets);
  http.on(
    'upgrade',
    createUpgradeHandler({ ...o, pinging: o.pingInterval > 0, scheduler, logger, registry, isClosing: () => closing, refuse, accept }),
  );

  await listen(http, o.host, o.port);
  http.on('error', (e) => logger.error('reference server: HTTP server error', { error: e.message }));
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const url = `ws://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}${o.path.startsWith('/') ? o.path : `/${o.path}`}`;
  logger.info(`reference server listening on ${url}`);

  const botOrThrow = (selfId: number): Session => {
    const s = registry.get(selfId);
    if (s === undefined || closing) throw new OneBotError(ErrorCode.BotNotConnected, `bot ${selfId} is not connected`, { selfId });
    return s;
  };

  const callApi = (selfId: number, action: string, params: Record<string, unknown> = {}, opts: CallApiOptions = {}): Promise<ApiResponse> =>
    new Promise<ApiResponse>((resolve, reject) => {
      const s = botOrThrow(selfId);
      const echo = echoFor(opts.echoStyle ?? o.echoStyle, nextEcho++);
      const text = JSON.stringify({ action, params, echo });
      const refused = pending.add({ selfId, action, echo, size: Buffer.byteLength(text), timeout: opts.timeout ?? o.apiTimeout, resolve, reject });
      if (refused !== undefined) return reject(refused);
      s.send(text);
    });

  const waitFromHistory = <T, K extends keyof ReferenceServerEvents>(list: History<T>, name: K, predicate: (x: T) => boolean, timeoutMs: number, what: string): Promise<ReferenceServerEvents[K]> => {
    const found = list.find(predicate);
    if (found !== undefined) return Promise.resolve({ ...found } as unknown as ReferenceServerEvents[K]);
    return notifier.waitFor(name, predicate as unknown as (p: ReferenceServerEvents[K]) => boolean, timeoutMs, what);
  };

  const closeAll = async (): Promise<void> => {
    closing = true;
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    pending.failAll((p) => new OneBotError(ErrorCode.ServerClosed, `the reference server closed before bot ${p.selfId} answered ${p.action}`, { selfId: p.selfId, action: p.action }));
    const live = [...registry.sessions];
    for (const s of live) s.close(ServerCloseCode.GoingAway, 'server shutting down');
    // Wall-clock grace for polite peers to answer our close frame (a shutdown bound, not protocol timing).
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(live.map((s) => s.closed)), new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(grace);
    for (const s of live) s.terminate();
    await Promise.all(live.map((s) => s.closed));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const socket of rawSockets) socket.destroy();
    await httpClosed;
    await inspector.close();
    notifier.dispose();
    logger.info('reference server closed');
  };

  const stats = (): ServerStats => serverStats(counters, registry, pending, inspector, history);

  return {
    url,
    host: o.host,
    port,
    path: o.path,
    bots: () => registry.all().map((s) => s.info()),
    bot: (selfId) => registry.get(selfId)?.info(),
    get connections() {
      return history.connections.list().map((c) => ({ ...c }));
    },
    get rejections() {
      return history.rejections.list();
    },
    get errors() {
      return history.errors.list();
    },
    events: (selfId) => {
      const all = history.events.list();
      return selfId === undefined ? all : all.filter((e) => e.selfId === selfId);
    },
    on: (name, fn) => notifier.on(name, fn),
    waitFor: (condition, timeoutMs = DEFAULT_WAIT_MS) => notifier.until(condition, timeoutMs, 'a condition'),
    next: (name, predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) => notifier.waitFor(name, predicate, timeoutMs, `'${name}'`),
    waitForBot: (selfId, timeoutMs = DEFAULT_WAIT_MS) => {
      const s = registry.get(selfId);
      if (s !== undefined) return Promise.resolve(s.info());
      return notifier.waitFor('connect', (b) => b.selfId === selfId, timeoutMs, `bot ${selfId} to connect`);
    },
    waitForEvent: (predicate, timeoutMs = DEFAULT_WAIT_MS) => waitFromHistory(history.events, 'event', predicate, timeoutMs, 'a matching event'),
    waitForError: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) => waitFromHistory(history.errors, 'error', predicate, timeoutMs, 'a matching bad frame'),
    waitForDisconnect: (match, timeoutMs = DEFAULT_WAIT_MS) => {
      const pred = typeof match === 'number' ? (c: ConnectionRecord) => c.selfId === match : match;
      return waitFromHistory(history.connections, 'disconnect', (c) => c.closedAt !== undefined && pred(c), timeoutMs, 'a matching disconnect');
    },
    callApi,
    sendRaw: (selfId, data) => void botOrThrow(selfId).send(data),
    kick: async (selfId, code = ServerCloseCode.Normal, reason = 'kicked') => {
      const s = botOrThrow(selfId);
      s.close(code, reason);
      await s.closed;
      return { ...s.record };
    },
    stats,
    close: () => (closePromise ??= closeAll()),
  };
};
