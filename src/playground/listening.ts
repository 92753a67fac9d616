import { randomBytes } from 'node:crypto';
import { Subject, Subscription, type Observable } from 'rxjs';
import { failedResponse, Retcode } from '../protocol/answer';
import { createConnectEvent } from '../protocol/builders';
import type { Json } from '../protocol/codecs/common';
import type { HttpCall, ListenAddress, PostJob, Refusal, WsPeer } from '../transport/adapter';
import { httpStatusOf, quickOperationCall } from '../transport/calls';
import { forwardWsAdapter } from '../transport/forward-ws';
import { httpApiAdapter } from '../transport/http-api';
import { httpPostAdapter } from '../transport/http-post';
import { redactString } from '../logging/logger';

/**
 * The listening transports of `onebot-rx play` (docs/guides/playground.md, "Forward WebSocket and
 * HTTP in the playground"). A browser cannot listen, so this process holds the listening side, with
 * the transport adapters the client uses (`forwardWsAdapter`, `httpApiAdapter`, `httpPostAdapter`);
 * the page's client, and its world, stay in the page, behind the relay's one socket:
 *
 * ```
 * page events (post_type)  → every `/` and `/event` socket, every POST URL
 * forward WS `/` `/api`    → call, echo replaced by a relay echo → page → answer, original echo back
 * HTTP API `/:action`      → call with a relay echo → page → answer, its HTTP status
 * HTTP POST answer {…}     → `.handle_quick_operation` call → page (a failure is reported)
 * ```
 *
 * Bounds: calls waiting for the page, in count and bytes (past either: a failed answer, 1429); each
 * waits at most `callTimeout`; events waiting to be POSTed, in bytes (and the adapter's count);
 * bytes unsent on an application socket (past it the socket is closed, 1013).
 */

/** Retcode of a relayed call the page cannot answer: no page connected, the page went, or it did not answer in time. @internal */
export const PAGE_UNAVAILABLE = 1503;

/** What `onebot-rx play` listens on and posts to. @internal */
export interface PlayListenOptions {
  /** Forward WebSocket (`/`, `/api`, `/event`) on this address. */
  readonly wsListen?: { readonly host: string; readonly port: number } | undefined;
  /** HTTP API (`/:action`) on this address. */
  readonly httpListen?: { readonly host: string; readonly port: number } | undefined;
  /** HTTP POST: every event of the page to these URLs. */
  readonly httpPost?: readonly string[] | undefined;
  /** Signs the POSTs (`X-Signature`). */
  readonly secret?: string | undefined;
  /** Required from applications on forward WS and HTTP API; sent with the POSTs. */
  readonly accessToken?: string | undefined;
  /** The page's frames also go to a reverse-WS bot server (`--url`): an event no listening sink takes still reaches it. */
  readonly alsoReverseWs?: boolean | undefined;
}

/** The relay's bounds on the listening side. @internal */
export interface ListeningBounds {
  /** Relayed calls waiting for the page's answer, at most. */
  readonly maxCalls: number;
  /** Their frames' total size (characters), at most. */
  readonly maxCallBytes: number;
  /** A relayed call the page has not answered in this time gets a failed answer (ms). */
  readonly callTimeout: number;
  /** Unsent bytes an application socket may hold; past it the socket is closed (1013). */
  readonly maxBufferedBytes: number;
  /** Characters of events waiting to be POSTed or in flight, at most; past it an event is not POSTed (reported). */
  readonly maxPostBytes: number;
  /** Largest WebSocket message or HTTP body taken from an application. */
  readonly maxFrameBytes: number;
}

/** What the listening side reports, for the terminal. @internal */
export type ListeningActivity =
  | { readonly kind: 'listening'; readonly transport: 'forward WS' | 'HTTP API'; readonly url: string }
  | { readonly kind: 'app-connected'; readonly path: string; readonly remote: string }
  | { readonly kind: 'app-disconnected'; readonly path: string; readonly remote: string }
  | { readonly kind: 'app-refused'; readonly transport: 'forward WS' | 'HTTP API'; readonly status: number; readonly remote: string; readonly reason: string }
  | { readonly kind: 'app-dropped'; readonly path: string; readonly remote: string; readonly why: string }
  | { readonly kind: 'app-ignored'; readonly path: string; readonly remote: string; readonly why: string }
  | { readonly kind: 'post-failed'; readonly text: string }
  | { readonly kind: 'quick-failed'; readonly text: string }
  | { readonly kind: 'calls-failed'; readonly count: number; readonly why: string }
  /** Events of the page reached no application (no `/` or `/event` socket, no POST URL, no `--url`): the first, then how many when one connects. */
  | { readonly kind: 'events-unheard'; readonly dropped: number; readonly first: boolean };

/** One page session as the listening side sees it. @internal */
export interface PageLink {
  /** A frame the page sent. `true` when it answered a relayed call, so it is not for the bot server. */
  fromPage(text: string): boolean;
  /** The page went: the calls relayed to it get a failed answer saying `why`. */
  close(why: string): void;
}

/** The running listening side. @internal */
export interface ListeningRelay {
  /** What runs, readable: `forward WS ws://127.0.0.1:6700/`, `HTTP API http://…`, `HTTP POST → http://…`. */
  readonly links: readonly string[];
  /** A page connected: relayed calls go to it through `send` (`false`: it could not take the frame). */
  attach(send: (text: string) => boolean): PageLink;
  /** Stops listening; the calls still waiting get a failed answer. */
  close(): void;
}

type Caller = { readonly via: 'ws'; readonly peer: WsPeer; readonly path: string; readonly echo: Json | undefined; readonly hasEcho: boolean } | { readonly via: 'http'; readonly call: HttpCall } | { readonly via: 'quick' };

interface Waiting {
  readonly caller: Caller;
  readonly bytes: number;
  readonly page: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

const pathOf = (peer: WsPeer): string => (peer.role === 'universal' ? '/' : `/${peer.role}`);

/**
 * Starts the listening transports the options ask for; resolves once every one is bound (rejects
 * with the bind error, nothing left running). `undefined` when the options ask for none.
 * @internal
 */
export const startListening = async (
  options: PlayListenOptions,
  selfId: number,
  bounds: ListeningBounds,
  report: (activity: ListeningActivity) => void,
): Promise<ListeningRelay | undefined> => {
  const posting = options.httpPost !== undefined && options.httpPost.length > 0;
  if (options.wsListen === undefined && options.httpListen === undefined && !posting) return undefined;
  const token = options.accessToken ? { accessToken: options.accessToken } : {};
  const listenLimits = { maxPayload: bounds.maxFrameBytes, ...token };
  // A relay echo cannot be mistaken for the bot server's own (the page answers both on one socket).
  const prefix = `onebot-rx-play:${randomBytes(6).toString('hex')}:`;
  const subs = new Subscription();
  const eventSockets = new Set<WsPeer>();
  const dropped = new WeakSet<WsPeer>();
  const waiting = new Map<string, Waiting>();
  const jobs = new Subject<PostJob>();
  let waitingBytes = 0;
  let postBytes = 0;
  let nextId = 0;
  let pages = 0;
  let page: { readonly id: number; readonly send: (text: string) => boolean } | undefined;

  /** Writes to an application socket, unless it holds too much unsent already (then it is closed). */
  const write = (peer: WsPeer, path: string, text: string): void => {
    if (dropped.has(peer)) return;
    if (peer.buffered > bounds.maxBufferedBytes) {
      dropped.add(peer);
      eventSockets.delete(peer);
      peer.close(1013, 'too slow: frames pile up unread');
      report({ kind: 'app-dropped', path, remote: peer.remote, why: `${peer.buffered} bytes waited unread (bound ${bounds.maxBufferedBytes})` });
      return;
    }
    peer.write(text);
  };

  /** Hands an answer to whoever made the call, as its transport answers. */
  const answer = (caller: Caller, response: Record<string, unknown>): void => {
    if (caller.via === 'ws') {
      const out = { ...response };
      if (caller.hasEcho) out.echo = caller.echo;
      else delete out.echo;
      return write(caller.peer, caller.path, JSON.stringify(out));
    }
    if (caller.via === 'http') {
      const { echo: _relayEcho, ...body } = response;
      if (!caller.call.aborted) caller.call.respond(httpStatusOf(typeof body.retcode === 'number' ? body.retcode : 0), JSON.stringify(body));
      return;
    }
    if (response.status !== 'ok') report({ kind: 'quick-failed', text: `quick operation not performed: ${String(response.message || response.wording || JSON.stringify(response))}` });
  };

  const fail = (caller: Caller, retcode: number, message: string): void => answer(caller, { ...failedResponse(retcode, message) });

  /** Takes a waiting call out of the table and answers it. */
  const settle = (id: string, response: Record<string, unknown>): void => {
    const w = waiting.get(id);
    if (w === undefined) return;
    waiting.delete(id);
    waitingBytes -= w.bytes;
    clearTimeout(w.timer);
    answer(w.caller, response);
  };

  /** Fails every call waiting for page `pageId` (every call when undefined). */
  const failWaiting = (pageId: number | undefined, why: string): void => {
    const ids = [...waiting].filter(([, w]) => pageId === undefined || w.page === pageId).map(([id]) => id);
    for (const id of ids) settle(id, { ...failedResponse(PAGE_UNAVAILABLE, why) });
    if (ids.length > 0) report({ kind: 'calls-failed', count: ids.length, why });
  };

  /** Sends one call to the page with a relay echo, or answers it failed at once. */
  const relay = (caller: Caller, call: Record<string, unknown>): void => {
    if (page === undefined) return fail(caller, PAGE_UNAVAILABLE, 'no playground page is connected: open the address onebot-rx play printed');
    const id = `${prefix}${++nextId}`;
    const text = JSON.stringify({ ...call, echo: id });
    if (waiting.size >= bounds.maxCalls || waitingBytes + text.length > bounds.maxCallBytes) {
      return fail(caller, Retcode.Busy, `too many calls wait for the playground page (${waiting.size} calls, ${waitingBytes} characters; bounds ${bounds.maxCalls} and ${bounds.maxCallBytes})`);
    }
    if (!page.send(text)) return fail(caller, PAGE_UNAVAILABLE, 'the playground page is gone');
    const timer = setTimeout(() => settle(id, { ...failedResponse(PAGE_UNAVAILABLE, `the playground page did not answer within ${bounds.callTimeout} ms`) }), bounds.callTimeout);
    timer.unref?.();
    waiting.set(id, { caller, bytes: text.length, page: page.id, timer });
    waitingBytes += text.length;
  };

  /** One message from an application socket (`/` or `/api`): an API call is relayed; anything else is not for us. */
  const fromApp = (peer: WsPeer, path: string, data: unknown): void => {
    const ignore = (why: string): void => report({ kind: 'app-ignored', path, remote: peer.remote, why });
    if (typeof data !== 'string') return ignore('binary frame (OneBot v11 frames are JSON text)');
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return ignore('not JSON');
    }
    if (!isObject(frame)) return ignore('not a JSON object');
    const caller: Caller = { via: 'ws', peer, path, echo: frame.echo as Json | undefined, hasEcho: 'echo' in frame };
    if (!('action' in frame)) {
      if (caller.hasEcho) return fail(caller, Retcode.BadRequest, 'not an API call: no action');
      return ignore('not an API call: no action');
    }
    relay(caller, frame);
  };

  /**
   * One event of the page, to every event sink. The page's lifecycle connect event is POSTed but not
   * written to the sockets: each got its own when it connected, and a second one reads as a reconnect.
   */
  const fanOut = (text: string, isConnect: boolean): void => {
    if (!isConnect) for (const peer of eventSockets) write(peer, pathOf(peer), text);
    if (!posting && eventSockets.size === 0 && !options.alsoReverseWs && !isConnect) unheard();
    if (!posting) return;
    if (postBytes + text.length > bounds.maxPostBytes) {
      report({ kind: 'post-failed', text: `event not POSTed: ${postBytes} characters of events already wait or are in flight (bound ${bounds.maxPostBytes})` });
      return;
    }
    postBytes += text.length;
    let done = false;
    jobs.next({
      text,
      done: () => {
        if (done) return;
        done = true;
        postBytes -= text.length;
      },
    });
  };

  /**
   * Events that reached no application are not lost silently: the first is reported at once, the
   * rest are counted and reported when an application connects to take events again.
   */
  let unheardCount = 0;
  const unheard = (): void => {
    if (unheardCount++ === 0) report({ kind: 'events-unheard', dropped: 1, first: true });
  };
  const heardAgain = (): void => {
    if (unheardCount > 0) report({ kind: 'events-unheard', dropped: unheardCount, first: false });
    unheardCount = 0;
  };

  const refused = (transport: 'forward WS' | 'HTTP API', r: Refusal): void => report({ kind: 'app-refused', transport, status: r.status, remote: r.remote, reason: r.reason });

  /** Subscribes to a transport's `listen()`; resolves with its address once bound. */
  const bound = <E extends { readonly type: string }>(transport: 'forward WS' | 'HTTP API', listen$: Observable<E | { readonly type: 'listening'; readonly address: ListenAddress }>, each: (e: E) => void): Promise<string> =>
    new Promise((resolve, reject) => {
      subs.add(
        listen$.subscribe({
          next: (e) => {
            if (e.type !== 'listening') return each(e as E);
            const url = (e as { address: ListenAddress }).address.url;
            report({ kind: 'listening', transport, url });
            resolve(url);
          },
          error: reject,
        }),
      );
    });

  const started: Promise<string>[] = [];
  if (options.wsListen !== undefined) {
    const ws = forwardWsAdapter({ ...options.wsListen, ...listenLimits });
    const serve = (peer: WsPeer): void => {
      const path = pathOf(peer);
      report({ kind: 'app-connected', path, remote: peer.remote });
      // As the client's forward WS does: every new event socket gets its own lifecycle connect first.
      if (peer.role !== 'api') {
        peer.write(JSON.stringify(createConnectEvent(selfId)));
        eventSockets.add(peer);
        heardAgain();
      }
      subs.add(
        peer.data$.subscribe({
          // Nothing an `/event` socket sends is acted upon.
          next: (data) => (peer.role === 'event' ? undefined : fromApp(peer, path, data)),
          complete: () => {
            eventSockets.delete(peer);
            report({ kind: 'app-disconnected', path, remote: peer.remote });
          },
        }),
      );
    };
    started.push(bound('forward WS', ws.listen(), (e) => (e.type === 'peer' ? serve(e.peer) : refused('forward WS', e))).then((url) => `forward WS ${url} (/, /api, /event)`));
  }
  if (options.httpListen !== undefined) {
    const api = httpApiAdapter({ ...options.httpListen, ...listenLimits });
    started.push(
      bound('HTTP API', api.listen(), (e) => (e.type === 'call' ? relay({ via: 'http', call: e.call }, { action: e.call.action, params: e.call.params }) : refused('HTTP API', e))).then(
        (url) => `HTTP API ${url}`,
      ),
    );
  }
  if (posting) {
    const post = httpPostAdapter({ urls: options.httpPost!, ...token, ...(options.secret ? { secret: options.secret } : {}) });
    subs.add(
      post.post(jobs, selfId).subscribe((outcome) => {
        if (outcome.type === 'failed') return report({ kind: 'post-failed', text: outcome.error.message });
        relay({ via: 'quick' }, quickOperationCall(outcome.text, outcome.operation));
      }),
    );
  }

  const close = (): void => {
    failWaiting(undefined, 'the playground stopped');
    page = undefined;
    subs.unsubscribe();
    jobs.complete();
  };

  let links: string[];
  try {
    links = await Promise.all(started);
  } catch (e) {
    close();
    throw e;
  }
  if (posting) links.push(`HTTP POST → ${options.httpPost!.map((u) => redactString(u)).join(', ')}${options.secret ? ' (signed)' : ''}`);

  return {
    links,
    attach: (send) => {
      if (page !== undefined) failWaiting(page.id, 'another playground page took over');
      const id = ++pages;
      page = { id, send };
      return {
        fromPage: (text) => {
          // Cheap test first: most frames are neither an event nor an answer to a relayed call.
          const relayed = text.includes(prefix);
          if (!relayed && !text.includes('"post_type"')) return false;
          let frame: unknown;
          try {
            frame = JSON.parse(text);
          } catch {
            return false;
          }
          if (!isObject(frame)) return false;
          if (typeof frame.post_type === 'string') {
            fanOut(text, frame.post_type === 'meta_event' && frame.meta_event_type === 'lifecycle' && frame.sub_type === 'connect');
            return false;
          }
          if (typeof frame.echo !== 'string' || !frame.echo.startsWith(prefix)) return false;
          if (waiting.get(frame.echo)?.page === id) settle(frame.echo, frame);
          return true;
        },
        close: (why) => {
          if (page?.id === id) page = undefined;
          failWaiting(id, why);
        },
      };
    },
    close,
  };
};
