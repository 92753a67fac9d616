import * as E from 'fp-ts/Either';
import { EMPTY, Observable, Subject, catchError, connect, defer, filter, ignoreElements, interval, map, merge, mergeMap, retry, startWith, take, tap, throwError, type SchedulerLike } from 'rxjs';
import type { Frame } from '../protocol/frame';
import { encodeResponse, failedResponse, Retcode } from '../protocol/answer';
import type { Json } from '../protocol/codecs/common';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { classifyFailure } from '../transport/close-reason';
import { dialReverseWs, type Link, type LinkEvent, type ReverseWsConfig } from '../transport/reverse-ws';
import { answerCalls, type AnsweringConfig, type IncomingCall } from './api';
import { decodeData } from './decode';
import type { Delivery, Outgoing } from './delivery';

/**
 * The connection, as one Rx pipeline:
 *
 * ```
 * defer(() => dialReverseWs(…))         one dial: a webSocket subject
 *   .pipe(session(…))                   per connection: the outgoing stream, decoding, API answers
 *   .pipe(retry({ delay: lost }))       the reconnect loop; `lost` decides the delay, or the end
 * ```
 *
 * and per connection, the outgoing stream:
 *
 * ```
 * merge(outbox$, heartbeat$).pipe(startWith(connectEvent))   → link.write
 * ```
 *
 * It emits every decoded inbound frame; the client multicasts them to its typed streams.
 */

/** How a connection ended: the classified error, and how long it had been open. @internal */
export interface LinkEnd {
  readonly error: OneBotError;
  /** Absent when the dial never opened. */
  readonly uptime: number | undefined;
}

/** What the pipeline needs from its client. @internal */
export interface ConnectionContext {
  readonly transport: ReverseWsConfig;
  readonly scheduler: SchedulerLike;
  readonly delivery: Delivery;
  /** Fires when a frame was queued in the outbox (the client's sends, and API answers here). */
  readonly queued: Subject<void>;
  /** `'ack'`: sends settle on confirmation; `'write'`: on write. */
  readonly confirmDelivery: 'ack' | 'write';
  readonly validate: boolean;
  readonly maxPayload: number;
  /** `undefined` for an `API`-role socket, which sends no events of its own. */
  readonly connectEvent: (() => string) | undefined;
  readonly heartbeat: { readonly interval: number; readonly frame: () => string } | undefined;
  /** `undefined` for an `Event`-role socket, which answers no API calls. */
  readonly answering: Omit<AnsweringConfig, 'pause' | 'resume'> | undefined;
  readonly report: (error: OneBotError) => void;
  /** A dial starts (for the logs). */
  readonly dialing: () => void;
  /** The link opened and its connect event is written first; the client then wakes the outbox (`queued`). */
  readonly opened: (link: Link) => void;
  /** The link is over; its unconfirmed frames are already reported. */
  readonly ended: (link: Link) => void;
  /** After a connection ended: the delay before the next dial, or `EMPTY` to stop. */
  readonly lost: (end: LinkEnd) => Observable<unknown>;
}

/** The retrying connection. Subscribe to start; unsubscribe to drop it. @internal */
export const connection$ = (c: ConnectionContext): Observable<Frame> =>
  defer(() => {
    c.dialing();
    return dialReverseWs(c.transport);
  }).pipe(
    session(c),
    retry({ delay: (end: LinkEnd) => c.lost(end) }),
  );

type OpenEvent = Extract<LinkEvent, { type: 'open' }>;
type DataEvent = Extract<LinkEvent, { type: 'data' }>;

/** One connection: from its dial's events to decoded frames; its end becomes a {@link LinkEnd}. */
const session =
  (c: ConnectionContext) =>
  (events$: Observable<LinkEvent>): Observable<Frame> =>
    defer(() => {
      let opened: Link | undefined;
      let over = false;
      const calls = new Subject<IncomingCall>();
      const end = (cause?: unknown): void => {
        if (opened === undefined || over) return;
        over = true;
        linkLost(c, opened, cause === undefined ? undefined : classifyFailure(cause));
        c.ended(opened);
      };
      return events$.pipe(
        // The link's events, shared: its opening starts the live work, and its data become frames.
        connect((events) =>
          merge(
            events.pipe(
              filter((event): event is OpenEvent => event.type === 'open'),
              mergeMap((event) => live(c, (opened = event.link), calls)),
            ),
            events.pipe(
              filter((event): event is DataEvent => event.type === 'data'),
              map((event) => inbound(c, event.link, event.data, calls)),
              filter((frame): frame is Frame => frame !== undefined),
            ),
          ),
        ),
        // Settle the link's frames before anyone hears of its end (retry's delay runs next).
        tap({ error: (e: unknown) => end(e), complete: () => end(), unsubscribe: () => end() }),
        catchError((raw: unknown) =>
          throwError((): LinkEnd => ({ error: classifyFailure(raw), uptime: opened === undefined ? undefined : c.scheduler.now() - opened.openedAt })),
        ),
      );
    });

/** While the link is open: its outgoing stream, its confirmations and its API answers. Emits nothing. */
const live = (c: ConnectionContext, link: Link, calls: Subject<IncomingCall>): Observable<never> =>
  new Observable<never>((subscriber) => {
    const work = merge(writes(c, link), confirmations(c, link), answers(c, link, calls)).pipe(ignoreElements()).subscribe(subscriber);
    c.opened(link);
    return () => {
      // Dropped (not ended by the socket): `connect()` tears this down before the dial. Stop reading
      // first, so the handlers cancelled below, which release their budget and would resume
      // reading, let nothing the link held back into a session that is ending.
      link.pause('ended');
      work.unsubscribe();
    };
  });

/** The outgoing stream of one link, written in order: the connect event first, then the outbox and heartbeats. */
const outgoing$ = (c: ConnectionContext, link: Link): Observable<Outgoing> => {
  // Released when a frame is queued, when the link drains, and once at open (the client's `opened`).
  const outbox$ = released(c.delivery, link, merge(c.queued, link.drained$));
  const heartbeat$: Observable<Outgoing> =
    c.heartbeat === undefined || c.heartbeat.interval <= 0
      ? EMPTY
      : interval(c.heartbeat.interval, c.scheduler).pipe(
          // A congested link skips a beat: heartbeats are never queued.
          filter(() => !link.congested),
          map(() => ({ text: c.heartbeat!.frame(), kind: 'meta' }) as const),
        );
  const merged = merge(outbox$, heartbeat$);
  return c.connectEvent === undefined ? merged : merged.pipe(startWith({ text: c.connectEvent(), kind: 'meta' } as const));
};

/**
 * The outbox's frames, oldest first: on every `wake$`, as many as the link takes. A congested link
 * stops being read and is watched until it drains (which wakes the outbox again).
 */
const released = (delivery: Delivery, link: Link, wake$: Observable<unknown>): Observable<Outgoing> =>
  new Observable<Outgoing>((subscriber) => {
    const canWrite = (): boolean => link.writable && !link.congested;
    const release = (): void => {
      for (let frame = canWrite() ? delivery.take() : undefined; frame !== undefined; frame = canWrite() ? delivery.take() : undefined) {
        subscriber.next(frame);
      }
      if (link.writable && link.congested) {
        // Reading pauses until the socket drains, so the drain is watched even with nothing waiting.
        link.pause('congested');
        link.watchDrain();
      }
    };
    return wake$.subscribe(release);
  });

/** Writes the outgoing stream; settles and tracks what was written; pings for confirmations. */
const writes = (c: ConnectionContext, link: Link): Observable<unknown> => {
  const confirmable = link.liveness !== undefined;
  return outgoing$(c, link).pipe(
    tap((frame) => {
      link.write(frame.text);
      if (frame.kind === 'meta') return;
      c.delivery.wrote(frame, confirmable);
      if (!confirmable || c.confirmDelivery === 'write') frame.settle?.resolve();
      if (confirmable && c.delivery.shouldPing()) link.liveness!.ping((seq) => c.delivery.pinged(seq));
    }),
  );
};

/** Pongs confirm what was written before their ping. */
const confirmations = (c: ConnectionContext, link: Link): Observable<unknown> =>
  link.liveness === undefined
    ? EMPTY
    : link.liveness.pongs$.pipe(
        tap((seq) => {
          for (const frame of c.delivery.pong(seq)) if (c.confirmDelivery === 'ack') frame.settle?.resolve();
          if (c.delivery.shouldPing()) link.liveness!.ping((seq) => c.delivery.pinged(seq));
          // Confirmations make room for frames held back by the bound on unconfirmed ones.
          if (c.delivery.waitingCount > 0) c.queued.next();
        }),
      );

/**
 * The API answers of this link, queued behind what waits in the outbox (one write path). The
 * answering engine starts with the link's first call, so an idle bot holds none of it.
 */
const answers = (c: ConnectionContext, link: Link, calls: Subject<IncomingCall>): Observable<unknown> => {
  if (c.answering === undefined) return EMPTY;
  const config: AnsweringConfig = { ...c.answering, pause: () => link.pause('calls'), resume: () => link.resume('calls') };
  return calls.pipe(
    take(1),
    mergeMap((call) => answerCalls(calls.pipe(startWith(call)), config)),
    tap((text) => queueAnswer(c, link, text)),
  );
};

const queueAnswer = (c: ConnectionContext, link: Link, text: string): void => {
  // Nothing waits and the socket takes it without piling up: the answer goes out now, counted but
  // not kept (Delivery.wroteUntracked says why answers never wait for confirmations).
  if (c.delivery.waitingCount === 0 && link.writable && !link.congested) {
    link.write(text);
    c.delivery.wroteUntracked();
    if (link.liveness !== undefined && c.delivery.shouldPing()) link.liveness!.ping((seq) => c.delivery.pinged(seq));
    return;
  }
  // Else it waits its turn behind what waits (the write order is the order of answers and sends).
  if (c.delivery.offer({ text, kind: 'answer', linkId: link.id })) {
    c.queued.next();
    return;
  }
  // Else the socket is backed up: stop reading until it drains, and report the answer.
  if (link.writable && link.congested) {
    link.pause('congested');
    link.watchDrain();
  }
  c.report(new OneBotError(ErrorCode.OutboxOverflow, `outbox full (${c.delivery.count} frames, ${c.delivery.bytes} bytes) and the socket backed up: an API answer was dropped`, { frames: [text] }));
};

/** One frame from the socket: decoded (`undefined` when it cannot be); an API call also goes to the answering engine. */
const inbound = (c: ConnectionContext, link: Link, data: unknown, calls: Subject<IncomingCall>): Frame | undefined => {
  const decoded = decodeData(data, c.validate, c.maxPayload);
  if (E.isLeft(decoded)) {
    const error = decoded.left;
    c.report(error);
    // A malformed API call still gets an answer (1400), so the server does not wait it out.
    const echo = error.data.echo as Json | undefined;
    if (c.answering !== undefined && error.code === ErrorCode.InvalidRequest && echo !== undefined) {
      queueAnswer(c, link, encodeResponse(failedResponse(Retcode.BadRequest, error.message, echo), c.maxPayload).text);
    }
    return undefined;
  }
  const frame = decoded.right;
  if (frame.kind === 'request' && c.answering !== undefined) calls.next({ request: frame.request, size: typeof data === 'string' ? data.length : 0 });
  return frame;
};

/** The link died: what it wrote without confirmation is reported with the frames, never silently lost. */
const linkLost = (c: ConnectionContext, link: Link, cause: OneBotError | undefined): void => {
  const { unconfirmed, unsentAnswers, untrackedAnswers } = c.delivery.linkLost();
  const why = cause === undefined ? {} : { cause: cause.code };
  if (unconfirmed.length > 0) {
    const error = new OneBotError(
      ErrorCode.DeliveryUnknown,
      `connection ended before the server confirmed ${unconfirmed.length} written frame(s): they may or may not have arrived, and are not sent again`,
      { link: link.id, count: unconfirmed.length, ...why, frames: unconfirmed.map((f) => f.text) },
    );
    // 'ack' sends reject; 'write' sends were written, so they resolve (if they have not yet) and
    // the report tells what became of them.
    for (const frame of unconfirmed) {
      if (c.confirmDelivery === 'ack') frame.settle?.reject(error);
      else frame.settle?.resolve();
    }
    c.report(error);
  }
  if (unsentAnswers.length > 0) {
    c.report(
      new OneBotError(ErrorCode.DeliveryUnknown, `connection ended before ${unsentAnswers.length} API answer(s) could be written: dropped (they belong to that connection)`, {
        link: link.id,
        count: unsentAnswers.length,
        ...why,
        frames: unsentAnswers.map((f) => f.text),
      }),
    );
  }
  if (untrackedAnswers > 0) {
    c.report(
      new OneBotError(
        ErrorCode.DeliveryUnknown,
        `connection ended before the server confirmed ${untrackedAnswers} API answer(s) written while the outbox was full (not kept, so not listed): they may or may not have arrived`,
        { link: link.id, count: untrackedAnswers, ...why, frames: [] },
      ),
    );
  }
};
