import IsomorphicWebSocket from 'isomorphic-ws';
import { VERSION } from '../version';

/**
 * The only place that constructs sockets. RxJS's `webSocket` calls `new WebSocketCtor(url, protocol)`
 * — there is no slot for headers — so we hand it a constructor that closes over them. Whether the
 * socket can take headers is feature-detected on the constructor (Node's `ws` has `ping` on its
 * prototype, a browser's `WebSocket` does not); no Node built-in is imported, so this bundles for
 * browsers, where `isomorphic-ws` resolves to the global `WebSocket`.
 */

/**
 * What onebot-rx needs from a socket: the browser `WebSocket` surface. `ws` in Node, the browser's
 * `WebSocket` and a test fake all fit.
 *
 * @internal
 */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount?: number;
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A socket constructor in the browser's shape. Constructors that also take a third `options` argument
 * (Node's `ws`) are detected and given the handshake headers there.
 *
 * @internal
 */
export type WebSocketCtorLike = new (url: string, protocols?: string | string[]) => SocketLike;

/** The onebot-rx version (`package.json`'s, kept in `src/version.ts`). @internal */
export const LIBRARY_VERSION: string = VERSION;

/** `User-Agent` we announce, following the `OneBot/11 <impl>/<version>` convention. @internal */
export const DEFAULT_USER_AGENT = `OneBot/11 onebot-rx/${LIBRARY_VERSION}`;

/**
 * TLS settings of a `wss://` connection in Node (passed to `ws`, which hands them to `tls.connect`).
 * Browsers ignore them: there the browser's own trust store and certificate checks apply.
 * Certificate verification stays on unless `rejectUnauthorized: false` is given. Keys and
 * certificates are never logged.
 *
 * @internal
 */
export interface TlsOptions {
  /** Certificate authorities to trust (PEM), replacing Node's default list; e.g. a self-signed server certificate. */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM) for mutual TLS. */
  readonly cert?: string | Buffer | Array<string | Buffer>;
  /** Private key (PEM) of `cert`. */
  readonly key?: string | Buffer | Array<string | Buffer>;
  /** `false` accepts any certificate (no verification: opt-out, insecure). @defaultValue `true` */
  readonly rejectUnauthorized?: boolean;
  /** Server name for SNI and the certificate check. @defaultValue the URL's host (none for an IP) */
  readonly servername?: string;
}

/** @internal */
export interface SocketFactoryOptions {
  readonly url: string;
  readonly selfId: number;
  readonly role: string;
  readonly accessToken?: string | undefined;
  readonly authScheme?: 'Bearer' | 'Token';
  readonly tokenInQuery?: boolean;
  readonly userAgent?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS settings for `wss://` (Node); ignored where the socket takes no options (browsers). */
  readonly tls?: TlsOptions | undefined;
  readonly WebSocketCtor?: WebSocketCtorLike | undefined;
}

/** @internal */
export interface SocketFactory {
  /** The URL to dial (with `?access_token=` when the token cannot travel in a header). Contains the token: never log it unredacted. */
  readonly url: string;
  /** Whether handshake headers (`X-Self-ID`...) reach the server. `false` in browsers. */
  readonly sendsHeaders: boolean;
  /** The headers sent when `sendsHeaders` (with the token). Never log them unredacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** A constructor for RxJS's `webSocket`; every socket it builds is also passed to `onCreate`. */
  ctor(onCreate: (socket: SocketLike) => void): WebSocketCtorLike;
}

/** Whether a constructor accepts `ws`-style options (headers) as its third argument. @internal */
export const takesOptions = (Ctor: unknown): boolean =>
  typeof Ctor === 'function' && typeof (Ctor as { prototype?: { ping?: unknown } }).prototype?.ping === 'function';

/**
 * Builds the socket constructor for one client.
 *
 * @internal
 */
export const createSocketFactory = (options: SocketFactoryOptions): SocketFactory => {
  const Base = (options.WebSocketCtor ?? (IsomorphicWebSocket as unknown as WebSocketCtorLike)) as WebSocketCtorLike;
  const sendsHeaders = takesOptions(Base);
  const token = options.accessToken;
  const headers: Record<string, string> = {
    ...options.headers,
    'X-Self-ID': String(options.selfId),
    'X-Client-Role': options.role,
    'User-Agent': options.userAgent ?? DEFAULT_USER_AGENT,
  };
  const queryToken = token !== undefined && token !== '' && (options.tokenInQuery === true || !sendsHeaders);
  if (token !== undefined && token !== '' && !queryToken) headers.Authorization = `${options.authScheme ?? 'Bearer'} ${token}`;
  const url = queryToken ? withQuery(options.url, 'access_token', token) : options.url;
  // Compression buys nothing for small JSON frames and costs a zlib round trip per frame; the
  // size limit is enforced per frame by the decoder (an error value, not a 1009 close); ws keeps its
  // own 100 MiB ceiling as the memory guard.
  // TLS settings go to `ws` as its options (it passes them to `tls.connect`); only those given, so
  // verification stays on by default.
  const wsOptions: Record<string, unknown> = { headers, perMessageDeflate: false };
  const tls = options.tls;
  if (tls) for (const k of TLS_KEYS) if (tls[k] !== undefined) wsOptions[k] = tls[k];
  const ctor = (onCreate: (socket: SocketLike) => void): WebSocketCtorLike => {
    // A plain function used with `new`: returning an object from it makes that object the result.
    function OneBotSocket(socketUrl: string, protocols?: string | string[]): SocketLike {
      const WithOptions = Base as unknown as new (u: string, p: string | string[] | undefined, o: object) => SocketLike;
      const socket = sendsHeaders ? new WithOptions(socketUrl, protocols, wsOptions) : new Base(socketUrl, protocols);
      onCreate(socket);
      return socket;
    }
    return OneBotSocket as unknown as WebSocketCtorLike;
  };
  return { url, sendsHeaders, headers, ctor };
};

const TLS_KEYS = ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const;

const withQuery = (url: string, key: string, value: string): string => {
  try {
    const u = new URL(url);
    u.searchParams.set(key, value);
    return u.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  }
};
