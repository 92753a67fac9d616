import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { rawText } from '../transport/forward-ws';
import { DEFAULT_USER_AGENT } from '../transport/socket-factory';
import { redactString } from '../logging/logger';
import { startListening, type ListeningActivity, type PageLink, type PlayListenOptions } from './listening';

/**
 * The Node half of the playground (docs/guides/playground.md): one HTTP server on 127.0.0.1 that
 * serves the page, its configuration, allowed local files and uploaded images, and relays the
 * page's OneBot socket to the bot server: by reverse WebSocket (below), and by the listening
 * transports (forward WebSocket, HTTP API, HTTP POST) this process holds for the page
 * (`listening.ts`), in any mix.
 *
 * Why a relay: a browser WebSocket cannot send headers, and NoneBot2 (like aiocqhttp and Koishi)
 * reads `X-Self-ID` and the token only from headers. The page's client dials this server with a
 * per-run key as `?access_token=` (the core does that by itself in a browser); the relay checks the
 * key and the page's origin, then dials the bot server with `X-Self-ID`, `X-Client-Role: Universal`,
 * `User-Agent` and `Authorization: Bearer <token>`, and copies frames both ways unchanged. The real
 * token never reaches the page.
 */

/** Options of {@link startPlayServer}. @since 0.2.0 @category playground */
export interface PlayServerOptions {
  /** The bot server's reverse-WebSocket URL, e.g. NoneBot2's `ws://127.0.0.1:8080/onebot/v11/ws`. @defaultValue none (listening transports only) */
  readonly botUrl?: string | undefined;
  /**
   * The listening transports held for the page: forward WebSocket, HTTP API, HTTP POST
   * (`listening.ts`). Their token is `accessToken`. With `botUrl`, at least one is needed.
   * @defaultValue none
   */
  readonly listen?: Omit<PlayListenOptions, 'accessToken'>;
  readonly selfId: number;
  /** The bot server's access token (sent as `Authorization: Bearer`); also required from applications on the listening transports, and sent with the POSTs. */
  readonly accessToken?: string | undefined;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /** The page: its HTML and its script bundle. */
  readonly assets: { readonly html: string; readonly script: string };
  /** JSON the page reads at start (its world, self id...). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Folder whose files the page may show (`file://` images, voice, video the bot sends). @defaultValue none */
  readonly filesDir?: string | undefined;
  /** Largest frame relayed in either direction, in bytes. @defaultValue 16 MiB */
  readonly maxFrameBytes?: number;
  /** Bytes a side may have waiting to be written before the relay gives up on it (closes both, 1013). @defaultValue 32 MiB */
  readonly maxBufferedBytes?: number;
  /** Largest uploaded image, in bytes. @defaultValue 10 MiB */
  readonly maxUploadBytes?: number;
  /** Uploaded images kept (oldest dropped first), by count and total bytes. @defaultValue 200 and 64 MiB */
  readonly maxUploads?: number;
  readonly maxUploadTotalBytes?: number;
  /** Ping interval towards the bot server; a missing pong by the next ping ends the connection. @defaultValue 15000 */
  readonly pingInterval?: number;
  /** API calls from the listening transports waiting for the page's answer, at most (beyond: a failed answer, retcode 1429). @defaultValue 1000 */
  readonly maxRelayedCalls?: number;
  /** Their frames' total size in characters, at most (beyond: a failed answer, retcode 1429). @defaultValue 16 MiB */
  readonly maxRelayedCallBytes?: number;
  /** A relayed call the page has not answered in this time gets a failed answer (retcode 1503), ms. @defaultValue 60000 */
  readonly relayedCallTimeout?: number;
  /** Characters of events waiting to be POSTed or in flight, at most (beyond: the event is not POSTed, and that is reported). @defaultValue 16 MiB */
  readonly maxPostBytes?: number;
  /** The per-run key of the page; random when absent (tests pass one). */
  readonly key?: string;
  /** What happens, for the terminal. */
  readonly onActivity?: (activity: PlayActivity) => void;
}

/** What the play server reports (the listening side's reports included). @since 0.2.0 @category playground */
export type PlayActivity =
  | ListeningActivity
  | { readonly kind: 'page-connected' }
  | { readonly kind: 'page-replaced' }
  | { readonly kind: 'bot-connected'; readonly url: string }
  | { readonly kind: 'bot-refused'; readonly status: number; readonly text: string }
  | { readonly kind: 'bot-unreachable'; readonly error: string }
  | { readonly kind: 'bot-closed'; readonly code: number; readonly reason: string }
  | { readonly kind: 'page-closed'; readonly code: number }
  | { readonly kind: 'rejected'; readonly why: string };

/** The relay's state as the page reads it from `/status`. @since 0.2.0 @category playground */
export interface RelayStatus {
  bot: 'idle' | 'connecting' | 'open' | 'refused' | 'unreachable' | 'closed';
  /** The last problem, readable (HTTP status of a refusal, socket error, close code). */
  detail: string;
}

/** A running play server. @since 0.2.0 @category playground */
export interface PlayServer {
  /** The page's address, with its key: `http://127.0.0.1:PORT/#key=...`. */
  readonly pageUrl: string;
  readonly port: number;
  /** The transports the page's bot is on, readable: `reverse WS ws://…`, `forward WS ws://127.0.0.1:6700/ (/, /api, /event)`, `HTTP API http://…`, `HTTP POST → http://…`. */
  readonly links: readonly string[];
  readonly status: Readonly<RelayStatus>;
  close(): Promise<void>;
}

/** Close code the relay sends a page whose session another tab took over. @since 0.2.0 @category playground */
export const REPLACED_CLOSE_CODE = 4000;

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.amr': 'audio/amr',
  '.silk': 'application/octet-stream',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

const IMAGE_TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp' };

const sameSecret = (a: string, b: string): boolean => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/** A close code a socket may send (1005, 1006 and 1015 are only reported, never sent). */
const sendable = (code: number): number => (code === 1000 || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999) ? code : 1011);

/**
 * Starts the play server (used by `onebot-rx play`; not part of the package's entries). Resolves
 * once it listens.
 *
 * @internal
 */
export const startPlayServer = async (options: PlayServerOptions): Promise<PlayServer> => {
  const host = options.host ?? '127.0.0.1';
  const key = options.key ?? randomBytes(18).toString('base64url');
  const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  const maxBufferedBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024;
  const maxUploadBytes = options.maxUploadBytes ?? 10 * 1024 * 1024;
  const maxUploads = options.maxUploads ?? 200;
  const maxUploadTotalBytes = options.maxUploadTotalBytes ?? 64 * 1024 * 1024;
  const pingInterval = options.pingInterval ?? 15_000;
  const report = options.onActivity ?? ((): void => undefined);
  const botUrl = options.botUrl;
  // The listening side runs for the whole run, pages come and go; bound before the page is served.
  const listening = await startListening(
    { ...options.listen, accessToken: options.accessToken, alsoReverseWs: options.botUrl !== undefined },
    options.selfId,
    {
      maxCalls: options.maxRelayedCalls ?? 1000,
      maxCallBytes: options.maxRelayedCallBytes ?? 16 * 1024 * 1024,
      callTimeout: options.relayedCallTimeout ?? 60_000,
      maxBufferedBytes,
      maxPostBytes: options.maxPostBytes ?? 16 * 1024 * 1024,
      maxFrameBytes,
    },
    report,
  );
  if (botUrl === undefined && listening === undefined) throw new Error('no transport: give the bot server\'s reverse WebSocket URL, or a listening transport (forward WS, HTTP API, HTTP POST)');
  const links = [...(botUrl === undefined ? [] : [`reverse WS ${redactString(botUrl)}`]), ...(listening?.links ?? [])];
  const filesDir = options.filesDir === undefined ? undefined : await fsp.realpath(path.resolve(options.filesDir));
  const status: RelayStatus = { bot: 'idle', detail: '' };
  const uploads = new Map<string, { type: string; body: Buffer }>();
  let uploadBytes = 0;
  let origin = '';

  const keyOf = (url: URL): string => url.searchParams.get('key') ?? url.searchParams.get('access_token') ?? '';
  const keyOk = (url: URL): boolean => sameSecret(keyOf(url), key);

  const send = (res: http.ServerResponse, code: number, type: string, body: string | Buffer): void => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
  };

  const serveFile = async (res: http.ServerResponse, wanted: string): Promise<void> => {
    if (filesDir === undefined) return send(res, 403, 'text/plain', 'no folder allowed: start with --files <dir>');
    let real: string;
    try {
      real = await fsp.realpath(path.resolve(wanted));
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
    if (real !== filesDir && !real.startsWith(filesDir + path.sep)) return send(res, 403, 'text/plain', 'outside the allowed folder');
    try {
      const body = await fsp.readFile(real);
      send(res, 200, MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream', body);
    } catch {
      send(res, 404, 'text/plain', 'not found');
    }
  };

  const receiveUpload = (req: http.IncomingMessage, res: http.ServerResponse, base: string): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const ext = IMAGE_TYPES[type];
    if (ext === undefined) return send(res, 415, 'text/plain', 'images only (png, jpeg, gif, webp, bmp)');
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxUploadBytes && !refused) {
        refused = true;
        send(res, 413, 'text/plain', `larger than ${maxUploadBytes} bytes`);
        req.destroy();
      }
      if (!refused) chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks);
      // Named as QQ names its images: the content's hash and the type.
      const file = `${createHash('md5').update(body).digest('hex').toUpperCase()}.${ext}`;
      if (!uploads.has(file)) {
        uploads.set(file, { type, body });
        uploadBytes += body.length;
        for (const [name, u] of uploads) {
          if (uploads.size <= maxUploads && uploadBytes <= maxUploadTotalBytes) break;
          if (name === file) continue;
          uploads.delete(name);
          uploadBytes -= u.body.length;
        }
      }
      send(res, 200, 'application/json', JSON.stringify({ file, url: `${base}/upload/${file}`, size: body.length }));
    });
    req.on('error', () => undefined);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname;
    if (req.method === 'GET' && route === '/') return send(res, 200, 'text/html; charset=utf-8', options.assets.html);
    if (req.method === 'GET' && route === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', options.assets.script);
    if (req.method === 'GET' && route.startsWith('/upload/')) {
      // Public like a QQ image URL: the bot server downloads it without the key.
      const u = uploads.get(route.slice('/upload/'.length));
      return u ? send(res, 200, u.type, u.body) : send(res, 404, 'text/plain', 'not found (never uploaded, or dropped: the newest uploads are kept)');
    }
    // Browsers ask for it on their own; the page has none (a 403 here was a red line in the console).
    if (req.method === 'GET' && route === '/favicon.ico') return void res.writeHead(204).end();
    if (!keyOk(url)) return send(res, 403, 'text/plain', 'this page needs its key: open the address onebot-rx play printed');
    if (req.method === 'GET' && route === '/config.json') return send(res, 200, 'application/json', JSON.stringify({ ...options.config, selfId: options.selfId, links }));
    if (req.method === 'GET' && route === '/status') return send(res, 200, 'application/json', JSON.stringify(status));
    if (req.method === 'GET' && route === '/file') return void serveFile(res, url.searchParams.get('path') ?? '');
    if (req.method === 'POST' && route === '/upload') return receiveUpload(req, res, origin);
    send(res, 404, 'text/plain', 'not found');
  });

  // The relay: one page session at a time, the newest wins.
  const pages = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, perMessageDeflate: false });
  let session: { page?: WebSocket; bot?: WebSocket } | undefined;

  const refuseUpgrade = (socket: Duplex, code: number, text: string): void => {
    socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };

  /** Writes one frame to `to`, unless it holds too much unsent already (then `close` ends the session, 1013). */
  const forward = (to: WebSocket, close: (code: number, reason: string) => void, data: RawData | string, isBinary = false): boolean => {
    if (to.readyState !== WebSocket.OPEN) return false;
    if (to.bufferedAmount > maxBufferedBytes) {
      close(1013, 'relay backlog over its bound');
      return false;
    }
    to.send(data, { binary: isBinary });
    return true;
  };

  /**
   * Liveness of the bot server's side (the page's client cannot ping from a browser): a ping every
   * `pingInterval`; no pong by the next one ends the connection, which the page sees as a close and
   * redials.
   */
  const watch = (bot: WebSocket): (() => void) => {
    let alive = true;
    bot.on('pong', () => void (alive = true));
    const timer = setInterval(() => {
      if (!alive) return bot.terminate();
      alive = false;
      bot.ping();
    }, pingInterval);
    timer.unref();
    return () => clearInterval(timer);
  };

  /**
   * The page's socket, once accepted: its frames go to the bot server (reverse WS, when there is
   * one) and to the listening side (events fan out there; answers to the calls it relayed are taken
   * out); the bot server's frames go to the page unchanged.
   */
  const attachPage = (mine: { page?: WebSocket; bot?: WebSocket }, page: WebSocket): void => {
    const current = (): boolean => session === mine;
    const bot = mine.bot;
    mine.page = page;
    report({ kind: 'page-connected' });
    const closeBoth = (code: number, reason: string): void => {
      page.close(code, reason);
      bot?.close(code, reason);
    };
    const link: PageLink | undefined = listening?.attach((text) => forward(page, closeBoth, text));
    page.on('message', (data: RawData, isBinary: boolean) => {
      if (link !== undefined && !isBinary && link.fromPage(rawText(data))) return;
      if (bot !== undefined) forward(bot, closeBoth, data, isBinary);
    });
    page.on('close', (code) => {
      report({ kind: 'page-closed', code });
      link?.close(code === REPLACED_CLOSE_CODE ? 'another playground page took over' : `the playground page disconnected (${code})`);
      if (bot !== undefined && (bot.readyState === WebSocket.OPEN || bot.readyState === WebSocket.CONNECTING)) bot.close(code === REPLACED_CLOSE_CODE ? 1000 : sendable(code));
      if (current()) session = undefined;
    });
    page.on('error', () => undefined);
    if (bot === undefined) return;
    bot.on('message', (data: RawData, isBinary: boolean) => void forward(page, closeBoth, data, isBinary));
    const unwatch = watch(bot);
    bot.on('close', (code, reason) => {
      unwatch();
      if (current()) {
        status.bot = 'closed';
        status.detail = `the bot server closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
        session = undefined;
      }
      report({ kind: 'bot-closed', code, reason: reason.toString() });
      if (page.readyState === WebSocket.OPEN) page.close(sendable(code), reason.toString().slice(0, 120));
    });
    bot.on('error', () => undefined);
  };

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/bot') return refuseUpgrade(socket, 404, 'not found');
    if (!keyOk(url)) {
      report({ kind: 'rejected', why: 'wrong or missing page key' });
      return refuseUpgrade(socket, 403, 'wrong page key');
    }
    const pageOrigin = req.headers.origin;
    if (pageOrigin !== undefined && pageOrigin !== origin) {
      report({ kind: 'rejected', why: `foreign origin ${pageOrigin}` });
      return refuseUpgrade(socket, 403, 'foreign origin');
    }
    if (session) {
      report({ kind: 'page-replaced' });
      session.page?.close(REPLACED_CLOSE_CODE, 'another playground tab took over');
      session.bot?.close(1000);
      session = undefined;
    }
    // Listening transports only: nothing to dial, the page is the session.
    if (botUrl === undefined) {
      const mine = {};
      session = mine;
      return pages.handleUpgrade(req, socket, head, (page) => attachPage(mine, page));
    }
    status.bot = 'connecting';
    status.detail = '';
    const headers: Record<string, string> = { 'X-Self-ID': String(options.selfId), 'X-Client-Role': 'Universal', 'User-Agent': DEFAULT_USER_AGENT };
    if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
    const bot = new WebSocket(botUrl, { headers, perMessageDeflate: false, maxPayload: maxFrameBytes, handshakeTimeout: 10000 });
    const mine: { page?: WebSocket; bot?: WebSocket } = { bot };
    session = mine;
    const current = (): boolean => session === mine;
    let answered = false;
    bot.on('unexpected-response', (_req, res) => {
      answered = true;
      status.bot = 'refused';
      status.detail = `the bot server answered HTTP ${res.statusCode}${res.statusCode === 401 || res.statusCode === 403 ? ' (token missing or wrong: check --token)' : ''}`;
      report({ kind: 'bot-refused', status: res.statusCode ?? 0, text: status.detail });
      res.resume();
      refuseUpgrade(socket, res.statusCode === 401 || res.statusCode === 403 ? res.statusCode : 502, status.detail);
      if (current()) session = undefined;
    });
    bot.on('error', (e) => {
      if (answered) return;
      answered = true;
      if (mine.page === undefined) {
        status.bot = 'unreachable';
        status.detail = `cannot reach the bot server: ${redactString(e.message)}`;
        report({ kind: 'bot-unreachable', error: status.detail });
        refuseUpgrade(socket, 502, status.detail);
        if (current()) session = undefined;
      }
    });
    bot.on('open', () => {
      answered = true;
      if (!current()) return bot.close(1000);
      status.bot = 'open';
      status.detail = '';
      report({ kind: 'bot-connected', url: redactString(botUrl) });
      pages.handleUpgrade(req, socket, head, (page) => attachPage(mine, page));
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    listening?.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${shownHost}:${port}`;

  return {
    pageUrl: `${origin}/#key=${key}`,
    port,
    links,
    status,
    close: async () => {
      session?.page?.close(1001, 'playground stopped');
      session?.bot?.close(1000);
      session = undefined;
      listening?.close();
      for (const c of pages.clients) c.terminate();
      pages.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
