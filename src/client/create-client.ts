import * as E from 'fp-ts/Either';
import { BehaviorSubject, EMPTY, Subject, defer, lastValueFrom, retry, throwError, timer, type Subscription } from 'rxjs';
import type { HeartbeatStatus, MessageEvent } from '../protocol/codecs/events';
import type { ApiResponse } from '../protocol/codecs/frames';
import { createConnectEvent, createHeartbeatEvent, createMessageIdGenerator, createTextMessage, type BuilderOptions } from '../protocol/builders';
import { encodeFrame } from '../protocol/frame';
import { ErrorCode, OneBotError, ProtocolError } from '../protocol/errors';
import { createConsoleLogger, redactString, withLevel } from '../logging/logger';
import { classifyFailure, closeInfoOf } from '../transport/close-reason';
import { createSocketFactory } from '../transport/socket-factory';
import { ApiResponder, type SentMessage } from './api-responder';
import { failuresAfterClose, reconnectDelay } from './backoff';
import { binaryFrameError, decodeTrusting, decodeValidated, InboundStreams } from './inbound';
import { resolveOptions, type ClientOptions } from './options';
import { Outbox } from './outbox';
import { connectOnce, type Session } from './session';
import type { ClientState, OneBotClient, OutgoingFrame, TextTarget } from './types';
import { encodeOutgoing } from './outgoing';
import { callbackRunner } from './callbacks';

/** How long `disconnect()` waits for the server to answer the close before dropping the socket. */
const CLOSE_TIMEOUT = 5000;
/** Re-check period of a backpressured socket. */
const DRAIN_POLL = 10;

/**
 * Creates a OneBot v11 bot client (reverse WebSocket). Nothing is dialed until `connect()`/`run()`.
 *
 * @example
 * import { createClient, isGroup } from 'onebot-rx';
 * import { createReferenceServer } from 'onebot-rx/server';
 * import { filter } from 'rxjs';
 *
 * const server = await createReferenceServer({ port: 0, accessToken: 'secret' }); // stands in for NoneBot2, Koishi...
 * const client = createClient({ url: server.url, selfId: 10001000, accessToken: 'secret' });
 * client.messages$.pipe(filter(isGroup)).subscribe((m) => console.log(m.group_id, m.raw_message));
 * client.handle('get_friend_list', () => []);
 * const stopped = client.run(); // connects; resolves after disconnect() or when attempts run out
 * await client.sendText('hello', 'private', { targetId: 20002000 }); // waits in the outbox until connected
 * (await server.waitForEvent((e) => e.event.post_type === 'message')).event.raw_message === 'hello';
 * (await server.callApi(10001000, 'get_friend_list')).retcode === 0;
 * await client.disconnect();
 * (await stopped).reason === 'disconnected';
 * await server.close();
 *
 * @since 0.1.0
 * @category client
 */
export const createClient = (options: ClientOptions = {}): OneBotClient => {
  const o = resolveOptions(options);
  const { scheduler, selfId } = o;
  const logger = withLevel(o.logger ?? createConsoleLogger('info'), 'debug');
  const factory = createSocketFactory({ ...o, url: o.url });
  const safeUrl = redactString(factory.url);
  const builder: BuilderOptions = { now: () => scheduler.now(), nextMessageId: createMessageIdGenerator() };
  const policy = { interval: o.reconnectInterval, backoff: o.backoff };
  const decode = o.validate ? decodeValidated : decodeTrusting;
  const speaksEvents = o.role !== 'API';
  const answersApi = o.role !== 'Event';

  const state$ = new BehaviorSubject<ClientState>({ status: 'idle', attempt: 0 });
  const errors$ = new Subject<OneBotError>();
  const sent$ = new Subject<SentMessage>();
  const inbound = new InboundStreams();
  const outbox = new Outbox(o.outboxLimit);

  let running: Subscription | undefined;
  let session: Session | undefined;
  let handshaken = false;
  let stopping = false;
  let finished = false;
  let failures = 0;
  let lastOpenedAt: number | undefined;
  let drain: Subscription | undefined;
  let closeTimer: Subscription | undefined;

  const report = (error: OneBotError): void => {
    if (finished) return;
    errors$.next(error);
  };
  const setState = (next: ClientState): void => {
    if (!finished) state$.next(next);
  };
  const callbacks = callbackRunner(report);

  const responder = new ApiResponder({
    selfId,
    nickname: o.nickname,
    status: o.status,
    nextMessageId: builder.nextMessageId!,
    scheduler,
    apiTimeout: o.apiTimeout,
    rateLimitInterval: o.rateLimitInterval,
    onSent: (m) => sent$.next(m),
    onError: (e) => {
      logger.warn(e.message, { code: e.code });
      report(e);
    },
  });

  // --- writing ----------------------------------------------------------------------------------

  /** Writes queued frames while the socket takes them; polls again while it is congested. */
  const flush = (): void => {
    const s = session;
    if (s === undefined || !handshaken) return;
    for (let e = outbox.peek(); e !== undefined; e = outbox.peek()) {
      if (!s.writer.ready || !s.writer.write(e.text)) break;
      outbox.shift();
      e.resolve?.();
    }
    if (outbox.size > 0 && s.writer.open && drain === undefined) {
      drain = scheduler.schedule(() => {
        drain = undefined;
        flush();
      }, DRAIN_POLL);
    }
  };

  const enqueue = (text: string): Promise<void> => {
    if (finished) return Promise.reject(closedError());
    const s = session;
    if (s !== undefined && handshaken && outbox.size === 0 && s.writer.ready && s.writer.write(text)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (!outbox.push({ text, resolve, reject })) {
        const error = new OneBotError(ErrorCode.OutboxOverflow, `outbox full (${o.outboxLimit} frames waiting): send rejected`, { outboxLimit: o.outboxLimit });
        report(error);
        reject(error);
        return;
      }
      if (s !== undefined) flush();
    });
  };

  const closedError = (): OneBotError =>
    state$.value.reason === 'attempts-exhausted'
      ? new OneBotError(ErrorCode.AttemptsExhausted, 'client stopped: reconnect attempts exhausted', { attempts: failures - 1 })
      : new OneBotError(ErrorCode.ClientClosed, 'client closed', {});

  // --- one connection -----------------------------------------------------------------------------

  const reply = (s: Session) => (response: ApiResponse): void => {
    // An answer belongs to the connection that asked; after a reconnect nobody waits for it.
    if (session === s) s.writer.write(encodeFrame(response));
  };

  const hooks = {
    opened(s: Session): void {
      session = s;
      lastOpenedAt = s.openedAt;
      // The handshake is the first frame on the wire; queued frames follow it, in order.
      if (speaksEvents) s.writer.write(encodeFrame(createConnectEvent(selfId, builder)));
      handshaken = true;
      flush();
      logger.info(`connected to ${safeUrl}`, { selfId, attempt: failures });
      setState({ status: 'open', attempt: failures });
    },
    received(data: unknown, s: Session): void {
      if (typeof data !== 'string') {
        report(binaryFrameError(data));
        return;
      }
      const decoded = decode(data, o.maxPayload);
      if (E.isLeft(decoded)) {
        const error = decoded.left;
        report(error);
        // A malformed API call still gets an answer (1400) so the server does not wait it out.
        if (answersApi && error.code === ErrorCode.InvalidRequest && error.data.echo !== undefined) {
          reply(s)({ status: 'failed', retcode: 1400, data: null, message: error.message, wording: error.message, echo: error.data.echo });
        }
        return;
      }
      const frame = decoded.right;
      inbound.dispatch(frame);
      if (frame.kind === 'request' && answersApi) {
        const pending = responder.answer(frame.request, reply(s));
        if (pending !== undefined) s.work.add(pending);
      }
    },
    ended(s: Session): void {
      if (session === s) {
        session = undefined;
        handshaken = false;
        drain?.unsubscribe();
        drain = undefined;
      }
    },
    heartbeat: (): string | undefined => encodeFrame(createHeartbeatEvent(selfId, o.heartbeatInterval, o.status() as HeartbeatStatus, builder)),
  };

  const connection$ = defer(() =>
    connectOnce({ ...o, factory, scheduler, heartbeatInterval: speaksEvents ? o.heartbeatInterval : 0, hooks }),
  ).pipe(
    retry({
      delay: (raw: unknown) => {
        const error = classifyFailure(raw);
        const close = closeInfoOf(error.data);
        const wasOpen = lastOpenedAt !== undefined;
        const uptime = wasOpen ? scheduler.now() - lastOpenedAt! : undefined;
        lastOpenedAt = undefined;
        if (stopping) return EMPTY;
        failures = failuresAfterClose(failures, uptime, o.minUptime) + 1;
        logger.warn(`${wasOpen ? 'connection lost' : 'connection failed'}: ${error.message}`, { url: safeUrl, code: error.code, attempt: failures });
        if (error.code !== ErrorCode.ConnectionClosed) report(error);
        const base: ClientState = { status: 'reconnecting', attempt: failures, ...(close ? { lastClose: close } : {}), error };
        if (o.maxReconnectAttempts > 0 && failures > o.maxReconnectAttempts) {
          setState({ ...base, status: 'closed', reason: 'attempts-exhausted', attempt: failures - 1 });
          return throwError(() => error);
        }
        const delay = reconnectDelay(policy, failures, o.random);
        setState({ ...base, delay });
        return timer(delay, scheduler);
      },
    }),
  );

  // --- lifecycle ----------------------------------------------------------------------------------

  const finish = (): void => {
    if (finished) return;
    const last = state$.value;
    const final: ClientState =
      last.status === 'closed' ? last : { status: 'closed', attempt: last.attempt, reason: 'disconnected', ...(last.lastClose ? { lastClose: last.lastClose } : {}) };
    if (last.status !== 'closed') state$.next(final);
    const error = closedError();
    finished = true;
    closeTimer?.unsubscribe();
    drain?.unsubscribe();
    const dropped = outbox.rejectAll(error);
    logger.info(`client stopped (${final.reason ?? 'disconnected'})`, { selfId, pendingSendsRejected: dropped });
    responder.dispose();
    inbound.complete();
    sent$.complete();
    errors$.complete();
    state$.complete();
  };

  const connect = (): void => {
    if (running !== undefined || finished || stopping) return;
    setState({ status: 'connecting', attempt: 0 });
    logger.info(`connecting to ${safeUrl}`, { selfId, role: o.role });
    running = connection$.subscribe({ error: finish, complete: finish });
  };

  const disconnect = (): Promise<void> => {
    if (finished) return Promise.resolve();
    const done = lastValueFrom(state$, { defaultValue: undefined }).then(() => undefined);
    stopping = true;
    const s = session;
    if (running === undefined) finish();
    else if (s !== undefined && s.writer.open) {
      // Clean close; the close event ends the connection and `retry` sees `stopping`.
      s.socket.close(1000, 'client disconnect');
      closeTimer = scheduler.schedule(() => {
        running?.unsubscribe();
        finish();
      }, CLOSE_TIMEOUT);
    } else {
      running.unsubscribe();
      finish();
    }
    return done;
  };

  const textMessage = (text: string, messageType: 'private' | 'group', target: TextTarget = {}): MessageEvent =>
    createTextMessage({ ...builder, selfId, messageType, text, messageFormat: o.messageFormat, ...target });

  const client: OneBotClient = {
    selfId,
    get state() {
      return state$.value;
    },
    state$: state$.asObservable(),
    frames$: inbound.frames.asObservable(),
    events$: inbound.events.asObservable(),
    messages$: inbound.messages.asObservable(),
    privateMessages$: inbound.privateMessages.asObservable(),
    groupMessages$: inbound.groupMessages.asObservable(),
    meta$: inbound.meta.asObservable(),
    notices$: inbound.notices.asObservable(),
    requestEvents$: inbound.requestEvents.asObservable(),
    requests$: inbound.requests.asObservable(),
    responses$: inbound.responses.asObservable(),
    sent$: sent$.asObservable(),
    errors$: errors$.asObservable(),
    connect,
    disconnect,
    run: () => {
      if (finished) return Promise.resolve(state$.value);
      const final = lastValueFrom(state$);
      connect();
      return final;
    },
    send: (frame: OutgoingFrame) => {
      const encoded = encodeOutgoing(frame, o.maxPayload);
      return E.isLeft(encoded) ? Promise.reject(encoded.left) : enqueue(encoded.right);
    },
    sendText: (text, messageType, target) => {
      let event: MessageEvent;
      try {
        event = textMessage(text, messageType, target);
      } catch (e) {
        return Promise.reject(e instanceof OneBotError ? e : new ProtocolError(ErrorCode.InvalidOutgoing, String(e)));
      }
      return client.send(event).then(() => event);
    },
    createConnectEvent: () => createConnectEvent(selfId, builder),
    createHeartbeatEvent: (status?: HeartbeatStatus) => createHeartbeatEvent(selfId, o.heartbeatInterval, status ?? (o.status() as HeartbeatStatus), builder),
    createTextMessage: textMessage,
    handle: (action, handler) => responder.handle(action, handler),
    onMessage: (cb) => callbacks.subscribe(inbound.messages, cb, 'onMessage'),
    onError: (cb) => callbacks.subscribe(errors$, cb, 'onError'),
    onConnect: (cb) => callbacks.onTransition(state$, (prev, next) => next.status === 'open' && prev?.status !== 'open', (s) => cb(s), 'onConnect'),
    onDisconnect: (cb) =>
      callbacks.onTransition(state$, (prev, next) => prev?.status === 'open' && next.status !== 'open', (s) => cb(s.lastClose, s), 'onDisconnect'),
  };
  return client;
};
