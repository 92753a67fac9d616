import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import type { HttpApiTransport, HttpCall, ListenAddress } from './adapter';
import { bind, checkListenOptions, LISTEN_DEFAULTS, serverOptions, shut, tokenCheck, type ListenOptions } from './listen';

/**
 * HTTP API (docs/guides/transports.md, "HTTP API"): the bot listens for `GET`/`POST /:action`. This adapter does
 * everything HTTP: the method, the token (401/403), the content type (406), reading a bounded body
 * (413) and parsing it (400). What passes is an {@link HttpCall}; the client answers it with the
 * same engine as every other transport and maps the answer to a status (404 for an unknown action,
 * 400 for bad params, else 200). Node only.
 */

/** Options of {@link httpApi}. @since 0.3.0 @category transport */
export type HttpApiOptions = ListenOptions;

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

/** A status with the usual failure body, so frameworks that read the body see why. */
const plain = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void => {
  if (res.headersSent || res.destroyed) return;
  const retcode = status === 401 || status === 403 || status === 404 ? 1000 + status : 1400;
  res.writeHead(status, { ...JSON_TYPE, ...headers }).end(JSON.stringify({ status: 'failed', retcode, data: null, message, wording: message }));
};

/**
 * One request that passed the checks. A class, not an object literal with a getter: a literal's
 * getter is a new function per request, and V8 gives each such object a hidden class of its own,
 * which made garbage collection six times slower and cost about a quarter of the throughput
 * (bench/README.md, row 11).
 */
class RequestCall implements HttpCall {
  // Private fields, so nothing that spreads or logs a call walks the response.
  #answered = false;
  readonly #res: ServerResponse;

  constructor(
    readonly action: string,
    readonly params: Record<string, unknown>,
    readonly size: number,
    res: ServerResponse,
  ) {
    this.#res = res;
  }

  get aborted(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  respond(status: number, text: string): void {
    if (this.#answered || this.#res.destroyed) return;
    this.#answered = true;
    this.#res.writeHead(status, { ...JSON_TYPE, 'Content-Length': Buffer.byteLength(text) }).end(text);
  }
}

/** Parses the body by its content type: an object of params, or a status to refuse with. */
const parseBody = (type: string, body: string): Record<string, unknown> | { refuse: 400 | 406; message: string } => {
  const mime = type.split(';')[0]!.trim().toLowerCase();
  if (mime === '' && body.trim() === '') return {};
  if (mime === 'application/json') {
    if (body.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { refuse: 400, message: `malformed JSON body: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { refuse: 400, message: 'the JSON body must be an object of params' };
    return parsed as Record<string, unknown>;
  }
  if (mime === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  return { refuse: 406, message: `unsupported Content-Type ${JSON.stringify(mime)}: use application/json or application/x-www-form-urlencoded` };
};

/**
 * The adapter alone; `onebot-rx/server` exports it with the client's composition attached
 * (`src/client/listening.ts`), which is where its documentation and example are.
 * @internal
 */
export const httpApiAdapter = (options: HttpApiOptions = {}): HttpApiTransport => {
  checkListenOptions('httpApi', options);
  const o = { ...LISTEN_DEFAULTS, ...options };
  let address: ListenAddress | undefined;

  const listen: HttpApiTransport['listen'] = () =>
    new Observable((subscriber) => {
      const checkToken = tokenCheck(o.accessToken);

      const handle = (req: IncomingMessage, res: ServerResponse): void => {
        // Path and query split by hand: a `URL` object per request is measurable at this rate.
        const target = req.url ?? '/';
        const mark = target.indexOf('?');
        const search = mark < 0 ? '' : target.slice(mark + 1);
        const searchParams = new URLSearchParams(search);
        const segments = (mark < 0 ? target : target.slice(0, mark)).split('/').filter((s) => s !== '');
        if (req.method !== 'GET' && req.method !== 'POST') return plain(res, 405, `method ${req.method ?? '?'} not allowed: use GET or POST`, { Allow: 'GET, POST' });
        const denied = checkToken(req.headers, searchParams);
        if (denied !== undefined) {
          const reason = denied === 401 ? 'access token missing' : 'access token wrong';
          subscriber.next({ type: 'refused', status: denied, remote: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`, reason });
          return plain(res, denied, reason);
        }
        if (segments.length !== 1) return plain(res, 404, 'not found: call /<action>, e.g. /send_private_msg');
        let action: string;
        try {
          action = decodeURIComponent(segments[0]!);
        } catch {
          return plain(res, 404, 'not found: the action name is not valid URL encoding');
        }
        const query: Record<string, unknown> = {};
        for (const [k, v] of searchParams) if (k !== 'access_token') query[k] = v;
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > o.maxPayload) {
          plain(res, 413, `body of ${declared} bytes is over maxPayload (${o.maxPayload})`, { Connection: 'close' });
          return void req.destroy();
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        let over = false;
        req.on('data', (chunk: Buffer) => {
          if (over) return;
          bytes += chunk.length;
          if (bytes > o.maxPayload) {
            over = true;
            plain(res, 413, `body is over maxPayload (${o.maxPayload} bytes)`, { Connection: 'close' });
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        req.on('error', () => undefined);
        req.on('end', () => {
          if (over) return;
          const body = Buffer.concat(chunks).toString('utf8');
          let params: Record<string, unknown> = query;
          if (req.method === 'POST') {
            const parsed = parseBody(req.headers['content-type'] ?? '', body);
            if ('refuse' in parsed && typeof parsed.refuse === 'number') return plain(res, parsed.refuse, String(parsed.message));
            params = { ...query, ...parsed };
          }
          const call = new RequestCall(action, params, search.length + body.length, res);
          subscriber.next({ type: 'call', call });
        });
      };

      const server = createServer(serverOptions(o), handle);
      server.headersTimeout = o.headersTimeout;
      server.requestTimeout = o.requestTimeout;
      server.maxConnections = o.maxConnections;
      server.on('clientError', (_e, socket) => socket.destroy());

      bind(server, o.host, o.port, 'http').then(
        (a) => {
          address = a;
          subscriber.next({ type: 'listening', address: a });
        },
        (e: unknown) => subscriber.error(e),
      );

      return () => {
        address = undefined;
        shut(server);
      };
    });

  return {
    kind: 'http-api',
    get address() {
      return address;
    },
    listen,
  };
};
