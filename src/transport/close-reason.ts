import { ErrorCode, OneBotError } from '../protocol/errors';
import { redactString } from '../logging/logger';

/**
 * Turns what a socket reports when a connection fails or ends into a {@link OneBotError} with a
 * stable code. Inputs are the browser-shaped events RxJS's `webSocket` passes on: an `ErrorEvent`-ish
 * object (Node's `ws` puts `Unexpected server response: 403` in `message` when the upgrade is
 * refused) or a `CloseEvent`-ish object (`code`, `reason`, `wasClean`).
 */

/** The close facts reported in `state$` and in error data. @internal */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** Reads `{code, reason}` from a close event, if it is one. @internal */
export const closeInfoOf = (u: unknown): CloseInfo | undefined => {
  if (typeof u !== 'object' || u === null) return undefined;
  const { code, reason } = u as { code?: unknown; reason?: unknown };
  if (typeof code !== 'number') return undefined;
  return { code, reason: typeof reason === 'string' ? redactString(reason) : '' };
};

/** OpenSSL verification codes (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`...) and Node's `ERR_TLS_*`. */
const TLS_CODE = /CERT|SIGNATURE|^ERR_TLS_|^ERR_SSL_/;

const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;

/** The text of an error-ish value (`Error`, `ErrorEvent` with `.message` or `.error`). @internal */
export const messageOf = (u: unknown): string => {
  if (typeof u === 'string') return u;
  if (typeof u !== 'object' || u === null) return String(u);
  const { message, error } = u as { message?: unknown; error?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (error instanceof Error) return error.message;
  return 'socket error';
};

/** Short names of the close codes one meets in practice (RFC 6455 §7.4.1). @internal */
const CLOSE_NAMES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
};

/** `1008 policy violation: Duplicate X-Self-ID` — for logs and messages. @internal */
export const describeClose = ({ code, reason }: CloseInfo): string =>
  `${code} ${CLOSE_NAMES[code] ?? 'close'}${reason !== '' ? `: ${reason}` : ''}`;

/**
 * Classifies why a connection attempt failed or a connection ended.
 *
 * - HTTP 401 on upgrade → `Unauthorized`; HTTP 403 → `Forbidden` (NoneBot2 answers 403 for a bad
 *   token, a missing or duplicate self id alike);
 * - close code 1008 → `Forbidden` (Koishi: wrong role or self id), carrying the server's reason;
 * - any other close → `ConnectionClosed`; any other error → `SocketError` (a failed TLS certificate
 *   check says so, with Node's reason and code, e.g. `self-signed certificate`, and `data.tls`).
 *
 * `data` holds `status` (HTTP) or `code`/`reason` (close). Tokens are masked in every message.
 *
 * @internal
 */
export const classifyFailure = (failure: unknown, close?: CloseInfo): OneBotError => {
  if (failure instanceof OneBotError) return failure;
  const asClose = closeInfoOf(failure);
  if (asClose !== undefined) return fromClose(asClose);
  const message = redactString(messageOf(failure));
  const http = UNEXPECTED_RESPONSE.exec(message);
  if (http !== null) {
    const status = Number(http[1]);
    if (status === 401) return new OneBotError(ErrorCode.Unauthorized, 'server refused the connection with HTTP 401 (token missing or malformed)', { status });
    if (status === 403) {
      return new OneBotError(
        ErrorCode.Forbidden,
        'server refused the connection with HTTP 403 (bad token, self id or role, this self id already connected, or a URL path that is not its OneBot endpoint: NoneBot2 answers 403 there too)',
        { status },
      );
    }
    if (status === 404) return new OneBotError(ErrorCode.SocketError, 'server refused the upgrade with HTTP 404: no OneBot endpoint at this URL path (NoneBot2: /onebot/v11/ws, Koishi: /onebot, aiocqhttp: /ws/)', { status });
    if (status === 409) return new OneBotError(ErrorCode.DuplicateSelfId, 'server refused the connection with HTTP 409: another connection holds this self id; it is retried until that one goes away or attempts run out', { status });
    return new OneBotError(ErrorCode.SocketError, `server refused the upgrade with HTTP ${status}`, { status });
  }
  if (close !== undefined && close.code === 1008) return fromClose(close);
  // Node's TLS errors (`ws` passes them in the error event's `error`) carry an OpenSSL-style code.
  const tls = (failure as { error?: { code?: unknown } }).error?.code ?? (failure as { code?: unknown }).code;
  if (typeof tls === 'string' && TLS_CODE.test(tls)) {
    return new OneBotError(ErrorCode.SocketError, `TLS certificate verification failed: ${message} (${tls})${/ALTNAME/.test(tls) ? '' : '; to trust it, pass the certificate or its CA as the tls.ca option'}`, { ...close, tls });
  }
  return new OneBotError(ErrorCode.SocketError, message, close ? { ...close } : {}, { cause: failure instanceof Error ? failure : undefined });
};

const fromClose = (close: CloseInfo): OneBotError =>
  close.code === 1008
    ? new OneBotError(ErrorCode.Forbidden, `server closed the connection: ${describeClose(close)}`, { ...close })
    : new OneBotError(ErrorCode.ConnectionClosed, `connection closed: ${describeClose(close)}`, { ...close });
