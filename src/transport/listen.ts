import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, Server, ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the listening transports (forward WebSocket, HTTP API) share: the token rule, binding, and
 * the options every listening server has. Node only.
 */

/** Options every listening transport takes. @since 0.3.0 @category transport */
export interface ListenOptions {
  /** Interface to bind. @defaultValue `'127.0.0.1'` (loopback only; pass `'0.0.0.0'` to expose it) */
  readonly host?: string;
  /** Port; `0` picks a free one (read it from `address` once listening). @defaultValue `0` */
  readonly port?: number;
  /**
   * Token every request or upgrade must carry, as `Authorization: Bearer <token>` (or `Token`) or
   * `?access_token=<token>`: missing → 401, wrong → 403. Compared in constant time; never logged.
   * @defaultValue `undefined` (no check)
   */
  readonly accessToken?: string;
  /** Connections open at once, at most; beyond, new ones are refused with 503. @defaultValue `1024` */
  readonly maxConnections?: number;
  /** Largest request body or WebSocket message, bytes; beyond: 413, or close 1009. @defaultValue `16777216` (16 MiB) */
  readonly maxPayload?: number;
  /** Time a client has to send a request's headers (slow clients are cut off), ms. @defaultValue `10000` */
  readonly headersTimeout?: number;
  /** Time a client has to send a whole request, ms. @defaultValue `30000` */
  readonly requestTimeout?: number;
}

/** @internal */
export const LISTEN_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxConnections: 1024,
  maxPayload: 16 * 1024 * 1024,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
} as const;

/** Checks a listening transport's options; throws a RangeError naming the bad one. @internal */
export const checkListenOptions = (what: string, o: ListenOptions): void => {
  const bad = (name: string, expected: string, got: unknown): RangeError =>
    new RangeError(`onebot-rx: ${what} option ${name} must be ${expected}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) throw bad('host', 'a host name or address', o.host);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw bad('port', 'an integer within [0, 65535]', o.port);
  if (o.accessToken !== undefined && (typeof o.accessToken !== 'string' || o.accessToken === '')) throw bad('accessToken', 'a non-empty string', '<redacted>');
  for (const name of ['maxConnections', 'maxPayload', 'headersTimeout', 'requestTimeout'] as const) {
    const v = o[name];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw bad(name, 'an integer >= 1', v);
  }
};

/**
 * The token check of both listening transports (docs/guides/transports.md, "Authorization"): the credential
 * comes from `Authorization: Bearer|Token <t>` or else `?access_token=`; both sides are hashed to
 * equal-length digests before a constant-time compare, so timing leaks neither content nor length.
 * Returns the HTTP status to refuse with, or `undefined` to accept.
 * @internal
 */
export const tokenCheck = (expected: string | undefined): ((headers: IncomingHttpHeaders, query: URLSearchParams) => 401 | 403 | undefined) => {
  if (expected === undefined) return () => undefined;
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  const want = digest(expected);
  return (headers, query) => {
    const auth = headers.authorization;
    let given: string | undefined;
    if (typeof auth === 'string' && auth !== '') given = /^\s*(?:bearer|token)\s+(\S+)\s*$/i.exec(auth)?.[1];
    else given = query.get('access_token') ?? undefined;
    if (given === undefined || given === '') return 401;
    return timingSafeEqual(want, digest(given)) ? undefined : 403;
  };
};

/**
 * Options of `http.createServer`: Node looks for expired header and request timers only every
 * `connectionsCheckingInterval` (30 s by default), so it is tied to the timeouts.
 * @internal
 */
export const serverOptions = (o: { headersTimeout: number; requestTimeout: number }): ServerOptions => ({
  connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(o.headersTimeout, o.requestTimeout) / 4))),
});

/** Binds `server`; resolves with where, rejects with the bind error (port taken, bad host). @internal */
export const bind = (server: Server, host: string, port: number, scheme: 'ws' | 'http'): Promise<{ host: string; port: number; url: string }> =>
  new Promise((resolve, reject) => {
    const failed = (e: Error): void => reject(e);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({ host: a.address, port: a.port, url: `${scheme}://${shown}:${a.port}/` });
    });
  });

/** Closes `server` and every connection it still has. @internal */
export const shut = (server: Server): void => {
  server.close();
  server.closeAllConnections();
};
