import * as E from 'fp-ts/Either';
import { EMPTY, Observable, Subject, endWith, filter, finalize, ignoreElements, interval, map, merge, mergeMap, of, takeUntil, tap, type SchedulerLike } from 'rxjs';
import { encodeResponse, failedResponse, Retcode } from '../protocol/answer';
import { httpStatusOfText, quickOperationCall } from '../transport/calls';
import type { Json } from '../protocol/codecs/common';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { Frame } from '../protocol/frame';
import type { Logger } from '../logging/logger';
import type { ForwardWsTransport, HttpApiTransport, HttpCall, HttpPostTransport, PostJob, Refusal, Transport, WsPeer } from '../transport/adapter';
import { answerCalls, type AnsweringConfig, type IncomingCall } from './api';
import { decodeData } from './decode';

/**
 * The listening transports of one client (forward WebSocket, HTTP API, HTTP POST), composed over the
 * client's one answering engine, handlers and events (docs/guides/transports.md):
 *
 * ```
 * forward WS:  listen() → per socket: startWith(connect event) · events · heartbeats → write
 *                                     data$ → decode → answerCalls(…) → write            (per socket)
 * HTTP API:    listen() → calls → answerCalls(…) → respond(status, answer)              (one engine)
 * HTTP POST:   events · heartbeats → post() → quick operations → answerCalls(…)         (one engine)
 * ```
 *
 * An event is delivered once to every event sink (each `/` or `/event` socket, each POST URL); an
 * API call is answered on the transport and the connection it came by.
 */

/** What the composition needs from its client. @internal */
export interface TransportsContext {
  readonly selfId: number;
  readonly scheduler: SchedulerLike;
  readonly validate: boolean;
  readonly maxPayload: number;
  /** A socket holding more unsent bytes than this is too slow: it is closed and reported. */
  readonly highWaterMark: number;
  readonly heartbeatInterval: number;
  readonly connectEvent: () => string;
  readonly heartbeat: () => string;
  readonly answering: Omit<AnsweringConfig, 'pause' | 'resume'>;
  /** Every decoded inbound frame (API calls included), for the client's streams. */
  readonly received: (frame: Frame) => void;
  readonly report: (error: OneBotError) => void;
  readonly logger: Logger;
}

/** The composition's handle: run it, and deliver events through it. @internal */
export interface Listeners {
  /** Runs every transport while subscribed; emits once every listening one is bound; errors when one cannot bind. */
  readonly run$: Observable<void>;
  /**
   * Hands one encoded event to every event sink running now. Resolves once each took it (written to
   * the sockets, every POST answered or failed and reported); rejects when nothing could take it.
   */
  deliver(text: string): Promise<void>;
}

/** `{…,"echo":<n>}` as the answering engine writes it (echo last): the id, and the answer without it. */
const ECHO = ',"echo":';
const splitEcho = (text: string): { id: number; text: string } => {
  const at = text.lastIndexOf(ECHO);
  return { id: Number(text.slice(at + ECHO.length, -1)), text: `${text.slice(0, at)}}` };
};

/**
 * What a listening transport made by `onebot-rx/server` carries: the composition above, handed to
 * the client with the transports so that the root entry never imports this module.
 * @internal
 */
export interface Composed {
  readonly compose: typeof createListeners;
}

/** @internal */
export const createListeners = (transports: readonly Transport[], c: TransportsContext): Listeners => {
  const eventSockets = new Set<WsPeer>();
  const posts = new Subject<PostJob>();
  const hasPost = transports.some((t) => t.kind === 'http-post');
  let running = false;

  const slow = (peer: WsPeer): boolean => {
    if (peer.buffered <= c.highWaterMark) return false;
    peer.close(1008, 'too slow: frames pile up unread');
    c.report(
      new OneBotError(ErrorCode.SlowPeer, `application socket ${peer.remote} (${peer.role}) closed: ${peer.buffered} bytes waited unread (highWaterMark ${c.highWaterMark})`, {
        remote: peer.remote,
        buffered: peer.buffered,
        highWaterMark: c.highWaterMark,
      }),
    );
    return true;
  };

  const write = (peer: WsPeer, text: string): void => {
    if (!slow(peer)) peer.write(text);
  };

  const deliver = (text: string): Promise<void> => {
    for (const peer of eventSockets) write(peer, text);
    if (running && hasPost) return new Promise((resolve, reject) => posts.next({ text, done: (stopped) => (stopped ? reject(stopped) : resolve()) }));
    if (eventSockets.size > 0) return Promise.resolve();
    return Promise.reject(new OneBotError(ErrorCode.NoRecipient, running ? 'no application is connected to receive the event (no /event or / socket)' : 'the transports are not running: call connect() first', {}));
  };

  /** One accepted socket: the connect event and the events if it takes them; its API calls answered on it. */
  const servePeer = (peer: WsPeer): Observable<never> => {
    c.logger.info(`application connected to forward WebSocket ${peer.role === 'universal' ? '/' : `/${peer.role}`}`, { remote: peer.remote, id: peer.id });
    if (peer.role !== 'api') {
      peer.write(c.connectEvent());
      eventSockets.add(peer);
    }
    const gone = (): void => {
      eventSockets.delete(peer);
      c.logger.info('application disconnected from forward WebSocket', { remote: peer.remote, id: peer.id });
    };
    const closed$ = peer.data$.pipe(ignoreElements(), endWith(undefined));
    // Nothing an `/event` socket sends is acted upon (docs/guides/transports.md).
    if (peer.role === 'event') return closed$.pipe(ignoreElements(), finalize(gone));
    const calls = peer.data$.pipe(
      map((data) => inbound(data, (text) => write(peer, text))),
      filter((call): call is IncomingCall => call !== undefined),
    );
    return answerCalls(calls, { ...c.answering, pause: () => peer.pause(), resume: () => peer.resume() }).pipe(
      tap((text) => write(peer, text)),
      ignoreElements(),
      // The engine runs until the socket closes (unsubscribing drops its running handlers).
      takeUntil(closed$),
      finalize(gone),
    );
  };

  /** One frame from an application socket: decoded and emitted; an API call becomes an {@link IncomingCall}. */
  const inbound = (data: unknown, answer: (text: string) => void): IncomingCall | undefined => {
    const decoded = decodeData(data, c.validate, c.maxPayload);
    if (E.isLeft(decoded)) {
      const error = decoded.left;
      c.report(error);
      const echo = error.data.echo as Json | undefined;
      if (error.code === ErrorCode.InvalidRequest && echo !== undefined) answer(encodeResponse(failedResponse(Retcode.BadRequest, error.message, echo), c.maxPayload).text);
      return undefined;
    }
    const frame = decoded.right;
    c.received(frame);
    return frame.kind === 'request' ? { request: frame.request, size: typeof data === 'string' ? data.length : 0 } : undefined;
  };

  /** An application turned away (a wrong token, most often): worth knowing on the bot side too. */
  const refused = (kind: string, r: Refusal): Observable<never> => {
    const code = r.status === 401 ? ErrorCode.Unauthorized : r.status === 403 ? ErrorCode.Forbidden : ErrorCode.SocketError;
    c.report(new OneBotError(code, `${kind} refused ${r.remote} with HTTP ${r.status}: ${r.reason}`, { status: r.status, remote: r.remote }));
    return EMPTY;
  };

  const forward = (t: ForwardWsTransport): Observable<'listening'> =>
    t.listen().pipe(mergeMap((e) => (e.type === 'listening' ? of('listening' as const) : e.type === 'refused' ? refused('forward WebSocket', e) : servePeer(e.peer))));

  /** Every HTTP call through one engine; a per-server id as `echo` pairs each answer with its call. */
  const httpApi = (t: HttpApiTransport): Observable<'listening'> => {
    const waiting = new Map<number, HttpCall>();
    let nextId = 0;
    const calls = new Subject<IncomingCall>();
    const answers$ = answerCalls(calls, c.answering).pipe(
      tap((answer) => {
        const { id, text } = splitEcho(answer);
        const call = waiting.get(id);
        waiting.delete(id);
        call?.respond(httpStatusOfText(text), text);
      }),
      ignoreElements(),
    );
    const served$ = t.listen().pipe(
      tap((e) => {
        if (e.type === 'refused') return void refused('HTTP API', e);
        if (e.type !== 'call') return;
        const id = ++nextId;
        waiting.set(id, e.call);
        const request = { action: e.call.action, params: e.call.params };
        c.received({ kind: 'request', request });
        calls.next({ request: { action: request.action, params: request.params, echo: id }, size: e.call.size });
      }),
      filter((e) => e.type === 'listening'),
      map(() => 'listening' as const),
    );
    return merge(answers$, served$);
  };

  /** Events and heartbeats POSTed; the quick operations that come back performed by the same handlers. */
  const httpPost = (t: HttpPostTransport): Observable<never> => {
    const quick = new Subject<IncomingCall>();
    const outcomes$ = t.post(posts, c.selfId).pipe(
      tap((outcome) => {
        if (outcome.type === 'failed') return c.report(outcome.error);
        const request = quickOperationCall(outcome.text, outcome.operation);
        c.received({ kind: 'request', request });
        quick.next({ request, size: outcome.text.length });
      }),
      ignoreElements(),
    );
    const performed$ = answerCalls(quick, c.answering).pipe(
      tap((answer) => {
        if (answer.startsWith('{"status":"ok"')) return;
        c.report(new OneBotError(ErrorCode.PostFailed, `quick operation not performed: ${(JSON.parse(answer) as { message?: string }).message ?? answer}`, { answer }));
      }),
      ignoreElements(),
    );
    return merge(outcomes$, performed$);
  };

  const listening = transports.filter((t) => t.kind !== 'http-post').length;
  const heartbeats$ =
    c.heartbeatInterval > 0 && transports.some((t) => t.kind !== 'http-api')
      ? interval(c.heartbeatInterval, c.scheduler).pipe(
          tap(() => void deliver(c.heartbeat()).catch(() => undefined)),
          ignoreElements(),
        )
      : EMPTY;

  const run$ = new Observable<void>((subscriber) => {
    running = true;
    let bound = 0;
    const work = merge(...transports.map((t): Observable<unknown> => (t.kind === 'forward-ws' ? forward(t) : t.kind === 'http-api' ? httpApi(t) : httpPost(t))), heartbeats$).subscribe({
      next: (x) => {
        if (x === 'listening' && ++bound === listening) subscriber.next();
      },
      error: (e: unknown) => subscriber.error(e),
    });
    // Only POSTing: ready once subscribed (after, so a send from an `opened` callback finds the POSTs running).
    if (listening === 0) subscriber.next();
    return () => {
      running = false;
      work.unsubscribe();
      eventSockets.clear();
    };
  });

  return { run$, deliver };
};
