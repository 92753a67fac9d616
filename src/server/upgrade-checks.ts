import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { redact, redactString } from '../logging/logger';
import { parseSelfId } from './self-id';

/**
 * Pure-ish checks run on an HTTP upgrade request before the WebSocket handshake, kept apart from
 * the server so each rule is small and testable.
 * @internal
 */

/** Compares paths ignoring trailing slashes, so `/ws`, `/ws/` and `/ws//` are one endpoint. @internal */
export const normalizePath = (p: string): string => {
  const withLead = p.startsWith('/') ? p : `/${p}`;
  const stripped = withLead.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
};

/** @internal */
export const digestToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Token checker that compares in constant time: both sides are hashed to equal-length digests, so
 * neither the content nor the length of the expected token leaks through timing.
 * @internal
 */
export const createTokenCheck = (expected: string): ((candidate: string) => boolean) => {
  const want = digestToken(expected);
  return (candidate) => timingSafeEqual(want, digestToken(candidate));
};

/** @internal */
export type TokenLookup = { readonly kind: 'missing' } | { readonly kind: 'present'; readonly token: string };

/**
 * Reads the credential from `Authorization: Bearer|Token <t>` (either scheme word, any case, as
 * NoneBot2 and aiocqhttp accept), falling back to `?access_token=` for clients that cannot set
 * headers. A malformed `Authorization` header counts as missing (aiocqhttp answers it with 401).
 * @internal
 */
export const findToken = (headers: IncomingHttpHeaders, url: URL): TokenLookup => {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth !== '') {
    const m = /^\s*(?:bearer|token)\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] !== undefined ? { kind: 'present', token: m[1] } : { kind: 'missing' };
  }
  const q = url.searchParams.get('access_token');
  return q !== null && q !== '' ? { kind: 'present', token: q } : { kind: 'missing' };
};

/** @internal */
export type SelfIdLookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'invalid'; readonly raw: string; readonly reason: string }
  | { readonly kind: 'ok'; readonly selfId: number };

const lookup = (raw: string, source: string): SelfIdLookup => {
  const r = parseSelfId(raw);
  return r.ok ? { kind: 'ok', selfId: r.selfId } : { kind: 'invalid', raw, reason: `${source}: ${r.reason}` };
};

/**
 * The bot's account from `X-Self-ID`, or from `?self_id=` (browsers cannot set headers), under the
 * one `self_id` rule (self-id.ts).
 * @internal
 */
export const findSelfId = (headers: IncomingHttpHeaders, url: URL): SelfIdLookup => {
  const h = headers['x-self-id'];
  if (typeof h === 'string') return lookup(h, 'X-Self-ID');
  if (Array.isArray(h)) return { kind: 'invalid', raw: h.join(', '), reason: 'X-Self-ID given more than once' };
  const q = url.searchParams.get('self_id');
  return q === null ? { kind: 'absent' } : lookup(q, 'query self_id');
};

/** Headers fit for logs and records: secrets replaced by `[redacted]`. @internal */
export const safeHeaders = (headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> => {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = k === 'authorization' || k === 'cookie' || k === 'proxy-authorization' ? '[redacted]' : v;
  }
  return redact(out);
};

/** The request URL for logs and records, `access_token` masked. @internal */
export const safeUrl = (req: IncomingMessage): string => redactString(req.url ?? '/');

/**
 * Refuses an upgrade with a bare HTTP response. The body is only the status text: the reason stays
 * in the server's records so a prober learns nothing about what failed.
 * @internal
 */
export const refuseUpgrade = (socket: Duplex, status: number, extraHeaders: Record<string, string> = {}): void => {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${text}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  // A peer that never reads would keep the socket half-open; end() is enough for polite ones.
  socket.once('finish', () => socket.destroy());
};

/** Keeps a close reason within the 123-byte limit of a WebSocket close frame. @internal */
export const clampReason = (reason: string): string => {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let s = reason;
  while (Buffer.byteLength(s) > 120) s = s.slice(0, -1);
  return `${s}...`;
};
