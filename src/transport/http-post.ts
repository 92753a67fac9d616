import { createHmac } from 'node:crypto';
import { EMPTY, Observable, finalize, from, mergeMap, of } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { HttpPostTransport, PostJob, PostOutcome } from './adapter';
import { DEFAULT_USER_AGENT } from './socket-factory';

/**
 * HTTP POST (docs/guides/transports.md, "HTTP POST"): every event is POSTed as JSON to each configured URL, with
 * `X-Self-ID`, and `X-Signature: sha1=<HMAC-SHA1 of the body>` when a secret is set. A JSON object
 * in the answer is a quick operation, handed back to the client (which performs it with its
 * `.handle_quick_operation` handler); 204 or an empty body is none. Node only (`fetch`, `crypto`).
 *
 * Bounds: at most `concurrency` POSTs run at once; at most `queueLimit` events wait for a slot (an
 * event beyond is dropped and reported, never blocking the client); each POST has `timeout`; an
 * answer larger than `maxResponse` is cut off and reported. A failed POST is reported once and not
 * retried: the next events never wait behind it.
 */

/** Options of {@link httpPost}. @since 0.3.0 @category transport */
export interface HttpPostOptions {
  /** Where every event is POSTed (one or more `http://` / `https://` URLs). Required. */
  readonly urls: readonly string[];
  /** Signs each body: `X-Signature: sha1=<hex HMAC-SHA1 of the body bytes, keyed with the secret>`. Never logged. @defaultValue `undefined` (no signature) */
  readonly secret?: string;
  /** Sent as `Authorization: Bearer <token>` (go-cqhttp does the same); some applications check it. @defaultValue `undefined` */
  readonly accessToken?: string;
  /** Time a POST may take, answer included, ms; `0` = no limit. @defaultValue `10000` */
  readonly timeout?: number;
  /** POSTs in flight at once, all URLs together. @defaultValue `16` */
  readonly concurrency?: number;
  /** Events waiting for a free slot, at most; beyond, an event is dropped and reported. @defaultValue `1000` */
  readonly queueLimit?: number;
  /** Largest answer read, bytes; a larger one is not performed, and is reported. @defaultValue `1048576` (1 MiB) */
  readonly maxResponse?: number;
}

/** Reads at most `limit` bytes of a body; `undefined` when it is longer. */
const readLimited = async (res: Response, limit: number): Promise<string | undefined> => {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** The quick operation in an answer body, `undefined` for none, or why it cannot be one. */
const quickOperationOf = (body: string): Record<string, unknown> | undefined | { garbage: string } => {
  if (body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { garbage: `the answer is not JSON (${JSON.stringify(body.slice(0, 60))}${body.length > 60 ? '…' : ''})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { garbage: 'the answer is JSON but not an object' };
  return Object.keys(parsed).length === 0 ? undefined : (parsed as Record<string, unknown>);
};

const hintOf = (status: number, signed: boolean): string =>
  status === 401 || status === 403
    ? signed
      ? ': the application refused the signature or token (is its secret the same as ours?)'
      : ': the application wants a signature or token (set secret / accessToken)'
    : '';

/**
 * The adapter alone; `onebot-rx/server` exports it with the client's composition attached
 * (`src/client/listening.ts`), which is where its documentation and example are.
 * @internal
 */
export const httpPostAdapter = (options: HttpPostOptions): HttpPostTransport => {
  const bad = (name: string, expected: string, got: unknown): RangeError =>
    new RangeError(`onebot-rx: httpPost option ${name} must be ${expected}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
  if (typeof options !== 'object' || options === null || !Array.isArray(options.urls) || options.urls.length === 0) throw bad('urls', 'a non-empty array of http:// or https:// URLs', options?.urls);
  for (const u of options.urls) {
    let protocol = '';
    try {
      protocol = new URL(u).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw bad('urls', 'http:// or https:// URLs', u);
  }
  for (const name of ['secret', 'accessToken'] as const) {
    if (options[name] !== undefined && (typeof options[name] !== 'string' || options[name] === '')) throw bad(name, 'a non-empty string', '<redacted>');
  }
  const o = { timeout: 10_000, concurrency: 16, queueLimit: 1000, maxResponse: 1024 * 1024, ...options };
  for (const [name, min] of [['timeout', 0], ['concurrency', 1], ['queueLimit', 1], ['maxResponse', 1]] as const) {
    if (!Number.isInteger(o[name]) || o[name] < min) throw bad(name, `an integer >= ${min}`, o[name]);
  }

  /** One POST of one event to one URL; what came back, if anything worth telling. */
  const postOne = async (url: string, text: string, selfId: number, abort: AbortSignal): Promise<PostOutcome | undefined> => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Self-ID': String(selfId), 'User-Agent': DEFAULT_USER_AGENT };
    if (o.secret !== undefined) headers['X-Signature'] = `sha1=${createHmac('sha1', o.secret).update(text, 'utf8').digest('hex')}`;
    if (o.accessToken !== undefined) headers.Authorization = `Bearer ${o.accessToken}`;
    // One controller per POST: aborted by the transport's stop, or by the timeout.
    const own = new AbortController();
    const stop = (): void => own.abort();
    abort.addEventListener('abort', stop, { once: true });
    let timedOut = false;
    const timer = o.timeout > 0 ? setTimeout(() => ((timedOut = true), own.abort()), o.timeout) : undefined;
    const failed = (message: string, data: Record<string, unknown> = {}): PostOutcome => ({
      type: 'failed',
      error: new OneBotError(ErrorCode.PostFailed, `POST to ${url} failed: ${message}`, { url, frames: [text], ...data }),
    });
    try {
      const res = await fetch(url, { method: 'POST', headers, body: text, signal: own.signal, redirect: 'error' });
      const body = await readLimited(res, o.maxResponse);
      if (res.status < 200 || res.status > 299) return failed(`HTTP ${res.status}${hintOf(res.status, o.secret !== undefined)}`, { status: res.status });
      if (body === undefined) return failed(`the answer is over maxResponse (${o.maxResponse} bytes)`, { status: res.status });
      if (res.status === 204) return undefined;
      const operation = quickOperationOf(body);
      if (operation === undefined) return undefined;
      if ('garbage' in operation && typeof operation.garbage === 'string') return failed(`no quick operation: ${operation.garbage}`, { status: res.status });
      return { type: 'quick', text, operation: operation as Record<string, unknown> };
    } catch (e) {
      if (timedOut) return failed(`no answer within ${o.timeout} ms`, { timeout: o.timeout });
      if (abort.aborted) return failed('the client stopped before the answer came');
      // fetch wraps the network error (ECONNREFUSED...) in `cause`; duck-typed, as errors may come from another realm.
      const { message, cause } = (e ?? {}) as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
      return failed(String(cause?.message ?? message ?? e), { cause: cause?.code });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      abort.removeEventListener('abort', stop);
    }
  };

  const post: HttpPostTransport['post'] = (jobs$, selfId) =>
    new Observable<PostOutcome>((subscriber) => {
      const abort = new AbortController();
      /** Jobs taken and not done yet: waiting for a slot, or in flight. */
      const pending = new Set<PostJob>();
      const run = (job: PostJob): Observable<PostOutcome> =>
        from(Promise.all(o.urls.map((url) => postOne(url, job.text, selfId, abort.signal)))).pipe(
          mergeMap((outcomes) => outcomes.filter((x): x is PostOutcome => x !== undefined)),
          // Done once its failures are out, so a send settles after they were reported.
          finalize(() => {
            if (pending.delete(job)) job.done();
          }),
        );
      const refuse = (job: PostJob): Observable<never> => {
        job.done();
        subscriber.next({
          type: 'failed',
          error: new OneBotError(ErrorCode.PostFailed, `event not POSTed: ${pending.size} events already waiting or in flight (queueLimit ${o.queueLimit}, concurrency ${o.concurrency})`, {
            frames: [job.text],
            queueLimit: o.queueLimit,
          }),
        });
        return EMPTY;
      };
      const sub = jobs$
        .pipe(
          mergeMap((job) => {
            if (pending.size >= o.queueLimit + o.concurrency) return refuse(job);
            pending.add(job);
            return of(job);
          }),
          mergeMap(run, o.concurrency),
        )
        .subscribe(subscriber);
      return () => {
        const stopped = new OneBotError(ErrorCode.ClientClosed, 'client stopped before the event was POSTed', {});
        for (const job of pending) job.done(stopped);
        pending.clear();
        sub.unsubscribe();
        abort.abort();
      };
    });

  return { kind: 'http-post', urls: [...o.urls], post };
};
