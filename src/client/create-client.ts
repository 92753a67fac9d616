import { BehaviorSubject, EMPTY, Subject, lastValueFrom, retry, throwError, timer, type Observable, type SchedulerAction, type Subscription } from 'rxjs';
import type { HeartbeatStatus, MessageEvent } from '../protocol/codecs/events';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import { createConnectEvent, createHeartbeatEvent, createMessageIdGenerator, createTextMessage, type BuilderOptions } from '../protocol/builders';
import { encodeFrame, type Frame } from '../protocol/frame';
import { ErrorCode, OneBotError, ProtocolError } from '../protocol/errors';
import { failedResponse, Retcode } from '../protocol/answer';
import type { Json } from '../protocol/codecs/common';
import { createConsoleLogger, redactString, withLevel, type Logger } from '../logging/logger';
import { classifyFailure, closeInfoOf } from '../transport/close-reason';
import { createSocketFactory, type SocketFactory } from '../transport/socket-factory';
import { ApiResponder, type ClientApiHandler, type SentMessage } from './api-responder';
import { failuresAfterClose, reconnectDelay } from './backoff';
import { binaryFrameError, decodeTrusting, decodeValidated, InboundStreams, type DecodeResult, type InboundKey } from './inbound';
import { resolveOptions, type ClientOptions, type ResolvedClientOptions } from './options';
import { Outbox } from './outbox';
import { connectOnce, type Session, type SessionConfig, type SessionHooks } from './session';
import type { ClientState, OneBotClient, OutgoingFrame, TextTarget } from './types';
import { encodeOutgoingText } from './outgoing';
import { callbackRunner, type CallbackRunner } from './callbacks';
import type { CloseInfo } from '../transport/close-reason';
import type { ActionName } from '../protocol/codecs/api';

/** How long `disconnect()` waits for the server to answer the close before dropping the socket. */
const CLOSE_TIMEOUT = 5000;
/** Re-check period of a backpressured socket. */
const DRAIN_POLL = 10;

/** One settled promise shared by every `send()` written at once (a promise is immutable once settled). */
const RESOLVED: Promise<void> = Promise.resolve();

// Scheduled tasks take the client as their state: no closure per schedule.
function drainTask(this: SchedulerAction<Client>, client?: Client): void {
  client!.drained();
}
function closeTimeoutTask(this: SchedulerAction<Client>, client?: Client): void {
  client!.closeTimedOut();
}

/** The public streams that are views of the inbound ones. */
const INBOUND_VIEWS = {
  frames$: 'frames',
  events$: 'events',
  messages$: 'messages',
  privateMessages$: 'privateMessages',
  groupMessages$: 'groupMessages',
  meta$: 'meta',
  notices$: 'notices',
  requestEvents$: 'requestEvents',
  requests$: 'requests',
  responses$: 'responses',
} as const satisfies Record<string, InboundKey>;

type ViewName = keyof typeof INBOUND_VIEWS | 'state$' | 'sent$' | 'errors$';

/**
 * The client. One object per client with its methods on the prototype (an idle client holds its
 * state and no per-client closures); Subjects, views, the API responder and the callback runner
 * are created on first use. Public methods are bound on first access (see the loop below), so
 * `const { send } = client` keeps working.
 */
class Client implements OneBotClient, SessionHooks {
  // Fields are declared, then assigned in the constructor: no class-field initializers, which a
  // bundler targeting ES2020 would turn into one defineProperty call per field per client.
  declare readonly selfId: number;
  private declare readonly o: ResolvedClientOptions;
  private declare readonly logger: Logger;
  private declare readonly factory: SocketFactory;
  private declare readonly safeUrl: string;
  private declare readonly builder: BuilderOptions;
  private declare readonly decode: (text: string, maxPayload: number) => DecodeResult;
  private declare readonly speaksEvents: boolean;
  private declare readonly answersApi: boolean;
  private declare readonly state$$: BehaviorSubject<ClientState>;
  private declare readonly inbound: InboundStreams;
  private declare readonly outbox: Outbox;
  private declare errorsSubject: Subject<OneBotError> | undefined;
  private declare sentSubject: Subject<SentMessage> | undefined;
  private declare apiResponder: ApiResponder | undefined;
  private declare callbacks: CallbackRunner | undefined;
  private declare views: Partial<Record<ViewName, Observable<unknown>>> | undefined;
  private declare sessionConfig: SessionConfig | undefined;
  private declare started: boolean;
  /** The retrying connection (dialing, open, or waiting to redial). */
  private declare connection: Subscription | undefined;
  private declare session: Session | undefined;
  private declare handshaken: boolean;
  private declare stopping: boolean;
  private declare finished: boolean;
  private declare failures: number;
  private declare lastOpenedAt: number | undefined;
  private declare drain: Subscription | undefined;
  private declare closeTimer: Subscription | undefined;

  constructor(options: ClientOptions) {
    const o = resolveOptions(options);
    this.o = o;
    this.selfId = o.selfId;
    this.logger = withLevel(o.logger ?? createConsoleLogger('info'), 'debug');
    this.factory = createSocketFactory(o);
    this.safeUrl = redactString(this.factory.url);
    const scheduler = o.scheduler;
    this.builder = { now: () => scheduler.now(), nextMessageId: createMessageIdGenerator() };
    this.decode = o.validate ? decodeValidated : decodeTrusting;
    this.speaksEvents = o.role !== 'API';
    this.answersApi = o.role !== 'Event';
    this.state$$ = new BehaviorSubject<ClientState>({ status: 'idle', attempt: 0 });
    this.inbound = new InboundStreams();
    this.outbox = new Outbox(o.outboxLimit);
    this.errorsSubject = undefined;
    this.sentSubject = undefined;
    this.apiResponder = undefined;
    this.callbacks = undefined;
    this.views = undefined;
    this.sessionConfig = undefined;
    this.started = false;
    this.connection = undefined;
    this.session = undefined;
    this.handshaken = false;
    this.stopping = false;
    this.finished = false;
    this.failures = 0;
    this.lastOpenedAt = undefined;
    this.drain = undefined;
    this.closeTimer = undefined;
  }

  // --- streams ------------------------------------------------------------------------------------

  get state(): ClientState {
    return this.state$$.value;
  }

  private view(name: ViewName, make: () => Observable<unknown>): Observable<never> {
    const views = (this.views ??= {});
    return (views[name] ??= make()) as Observable<never>;
  }

  get state$(): Observable<ClientState> {
    return this.view('state$', () => this.state$$.asObservable());
  }
  get sent$(): Observable<SentMessage> {
    return this.view('sent$', () => this.sentStream().asObservable());
  }
  get errors$(): Observable<OneBotError> {
    return this.view('errors$', () => this.errorStream().asObservable());
  }
  get frames$(): Observable<Frame> {
    return this.inboundView('frames$');
  }
  get events$(): OneBotClient['events$'] {
    return this.inboundView('events$');
  }
  get messages$(): OneBotClient['messages$'] {
    return this.inboundView('messages$');
  }
  get privateMessages$(): OneBotClient['privateMessages$'] {
    return this.inboundView('privateMessages$');
  }
  get groupMessages$(): OneBotClient['groupMessages$'] {
    return this.inboundView('groupMessages$');
  }
  get meta$(): OneBotClient['meta$'] {
    return this.inboundView('meta$');
  }
  get notices$(): OneBotClient['notices$'] {
    return this.inboundView('notices$');
  }
  get requestEvents$(): OneBotClient['requestEvents$'] {
    return this.inboundView('requestEvents$');
  }
  get requests$(): Observable<ApiRequest> {
    return this.inboundView('requests$');
  }
  get responses$(): Observable<ApiResponse> {
    return this.inboundView('responses$');
  }

  private inboundView(name: keyof typeof INBOUND_VIEWS): Observable<never> {
    return this.view(name, () => this.inbound.observable(INBOUND_VIEWS[name]));
  }

  /** `errors$`'s Subject, created on first use (completed at once if the client already stopped). */
  private errorStream(): Subject<OneBotError> {
    if (this.errorsSubject === undefined) {
      this.errorsSubject = new Subject<OneBotError>();
      if (this.finished) this.errorsSubject.complete();
    }
    return this.errorsSubject;
  }

  private sentStream(): Subject<SentMessage> {
    if (this.sentSubject === undefined) {
      this.sentSubject = new Subject<SentMessage>();
      if (this.finished) this.sentSubject.complete();
    }
    return this.sentSubject;
  }

  private report(error: OneBotError): void {
    if (!this.finished) this.errorsSubject?.next(error);
  }

  private setState(next: ClientState): void {
    if (!this.finished) this.state$$.next(next);
  }

  /** The API responder, created with the first API call or `handle()`. */
  private responder(): ApiResponder {
    if (this.apiResponder === undefined) {
      const o = this.o;
      this.apiResponder = new ApiResponder({
        selfId: o.selfId,
        nickname: o.nickname,
        status: o.status,
        nextMessageId: this.builder.nextMessageId!,
        scheduler: o.scheduler,
        apiTimeout: o.apiTimeout,
        rateLimitInterval: o.rateLimitInterval,
        onSent: (m) => {
          if (!this.finished) this.sentSubject?.next(m);
        },
        onError: (e) => {
          this.logger.warn(e.message, { code: e.code });
          this.report(e);
        },
        reply: (response, to) => this.reply(response, to as Session),
      });
      if (this.finished) this.apiResponder.dispose();
    }
    return this.apiResponder;
  }

  // --- writing ------------------------------------------------------------------------------------

  /** Writes queued frames while the socket takes them; polls again while it is congested. */
  private flush(): void {
    const s = this.session;
    if (s === undefined || !this.handshaken) return;
    const outbox = this.outbox;
    const acks = s.acks;
    for (let e = outbox.peek(); e !== undefined; e = outbox.peek()) {
      if (!s.writer.ready || !s.writer.write(e.text)) break;
      outbox.shift();
      // Written; with acknowledgement the send settles when the peer confirms it (or the link dies).
      if (acks !== undefined && e.resolve !== undefined) acks.track(e.resolve, e.reject!, undefined);
      else e.resolve?.();
    }
    if (outbox.size > 0 && s.writer.open && this.drain === undefined) {
      this.drain = this.o.scheduler.schedule(drainTask, DRAIN_POLL, this);
    }
  }

  /** @internal */
  drained(): void {
    this.drain = undefined;
    this.flush();
  }

  /**
   * Writes `text` now when nothing waits ahead of it, else queues it; settles with `value` once
   * written (`confirmDelivery: 'write'`) or confirmed by the peer (`'ack'`).
   */
  private enqueue<T>(text: string, value: T): Promise<T> {
    if (this.finished) return Promise.reject(this.closedError());
    const s = this.session;
    const acks = s?.acks;
    // Unconfirmed sends count toward the bound: they are not settled yet either.
    if (acks !== undefined && this.outbox.size + acks.unconfirmed >= this.o.outboxLimit) return Promise.reject(this.overflow());
    if (s !== undefined && this.handshaken && this.outbox.size === 0 && s.writer.ready) {
      if (acks === undefined) {
        s.writer.write(text);
        return value === undefined ? (RESOLVED as Promise<T>) : Promise.resolve(value);
      }
      return new Promise<T>((resolve, reject) => {
        s.writer.write(text);
        acks.track(resolve, reject, value);
      });
    }
    return new Promise<T>((resolve, reject) => {
      if (!this.outbox.push({ text, resolve: () => resolve(value), reject })) {
        reject(this.overflow());
        return;
      }
      if (s !== undefined) this.flush();
    });
  }

  /** The error of a send beyond `outboxLimit` (reported on `errors$`). */
  private overflow(): OneBotError {
    const limit = this.o.outboxLimit;
    const error = new OneBotError(ErrorCode.OutboxOverflow, `outbox full (${limit} frames waiting): send rejected`, { outboxLimit: limit });
    this.report(error);
    return error;
  }

  /**
   * The connection ended with sends written but not confirmed: reject them (they may or may not have
   * arrived; re-sending could duplicate them) and report it once on `errors$`.
   */
  private abandon(s: Session, cause: OneBotError | undefined): void {
    const acks = s.acks;
    const frames = acks?.unconfirmed ?? 0;
    if (frames === 0) return;
    const error = new OneBotError(
      ErrorCode.DeliveryUnknown,
      `connection ended before the server confirmed ${frames} written frame(s): they may or may not have arrived, and are not sent again`,
      cause === undefined ? { frames } : { frames, cause: cause.code },
    );
    acks!.rejectAll(error);
    this.logger.warn(error.message, { code: error.code, frames });
    this.report(error);
  }

  private closedError(): OneBotError {
    return this.state$$.value.reason === 'attempts-exhausted'
      ? new OneBotError(ErrorCode.AttemptsExhausted, 'client stopped: reconnect attempts exhausted', { attempts: this.failures - 1 })
      : new OneBotError(ErrorCode.ClientClosed, 'client closed', {});
  }

  /** An answer belongs to the connection that asked; after a reconnect nobody waits for it. */
  private reply(response: ApiResponse, s: Session): void {
    if (this.session === s) s.writer.write(encodeFrame(response));
  }

  // --- one connection (SessionHooks) --------------------------------------------------------------

  /** @internal */
  opened(s: Session): void {
    this.session = s;
    this.lastOpenedAt = s.openedAt;
    // The handshake is the first frame on the wire; queued frames follow it, in order.
    if (this.speaksEvents) s.writer.write(encodeFrame(createConnectEvent(this.selfId, this.builder)));
    this.handshaken = true;
    this.flush();
    this.logger.info(`connected to ${this.safeUrl}`, { selfId: this.selfId, attempt: this.failures });
    this.setState({ status: 'open', attempt: this.failures });
  }

  /** @internal */
  received(data: unknown, s: Session): void {
    if (typeof data !== 'string') {
      this.report(binaryFrameError(data));
      return;
    }
    const decoded = this.decode(data, this.o.maxPayload);
    if (decoded._tag === 'Left') {
      const error = decoded.left;
      this.report(error);
      // A malformed API call still gets an answer (1400) so the server does not wait it out.
      if (this.answersApi && error.code === ErrorCode.InvalidRequest && error.data.echo !== undefined) {
        this.reply(failedResponse(Retcode.BadRequest, error.message, error.data.echo as Json), s);
      }
      return;
    }
    const frame = decoded.right;
    this.inbound.dispatch(frame);
    if (frame.kind === 'request' && this.answersApi) {
      const pending = this.responder().answer(frame.request, s);
      if (pending !== undefined) s.work.add(pending);
    }
  }

  /** @internal */
  ended(s: Session): void {
    this.abandon(s, undefined);
    if (this.session === s) {
      this.session = undefined;
      this.handshaken = false;
      this.drain?.unsubscribe();
      this.drain = undefined;
    }
  }

  /** @internal */
  heartbeat(): string | undefined {
    const o = this.o;
    return encodeFrame(createHeartbeatEvent(this.selfId, o.heartbeatInterval, o.status() as HeartbeatStatus, this.builder));
  }

  // --- the reconnect loop -------------------------------------------------------------------------

  /**
   * Subscribes the retrying connection: each (re)subscription of {@link connectOnce} dials once
   * (an RxJS `webSocket` subject); RxJS `retry({ delay })` resubscribes after {@link lost} decides
   * the delay. `retry` unsubscribes the failed attempt (closing its socket) before the delay starts,
   * so there is one socket at a time. The chain ends with an error (attempts exhausted) or completes
   * (`disconnect()`), and either way the client finishes.
   */
  private dial(): void {
    const o = this.o;
    const config = (this.sessionConfig ??= {
      factory: this.factory,
      scheduler: o.scheduler,
      handshakeTimeout: o.handshakeTimeout,
      heartbeatInterval: this.speaksEvents ? o.heartbeatInterval : 0,
      pingInterval: o.pingInterval,
      pongTimeout: o.pongTimeout,
      highWaterMark: o.highWaterMark,
      confirmDelivery: o.confirmDelivery,
      hooks: this,
    });
    const connection = connectOnce(config)
      .pipe(retry({ delay: (raw: unknown) => this.lost(raw) }))
      .subscribe({ error: () => this.finish(), complete: () => this.finish() });
    // A chain that already ended (synchronously) has finished the client.
    if (!connection.closed) this.connection = connection;
  }

  /** The connection failed or ended: the delay before the next dial, or the end (stop or give up). */
  private lost(raw: unknown): Observable<unknown> {
    const o = this.o;
    const error = classifyFailure(raw);
    // First settle what this connection left unconfirmed (before any newer send can fail).
    if (this.session !== undefined) this.abandon(this.session, error);
    const close = closeInfoOf(error.data);
    const wasOpen = this.lastOpenedAt !== undefined;
    const uptime = wasOpen ? o.scheduler.now() - this.lastOpenedAt! : undefined;
    this.lastOpenedAt = undefined;
    if (this.stopping) return EMPTY;
    this.failures = failuresAfterClose(this.failures, uptime, o.minUptime) + 1;
    const failures = this.failures;
    this.logger.warn(`${wasOpen ? 'connection lost' : 'connection failed'}: ${error.message}`, { url: this.safeUrl, code: error.code, attempt: failures });
    if (error.code !== ErrorCode.ConnectionClosed) this.report(error);
    if (o.maxReconnectAttempts > 0 && failures > o.maxReconnectAttempts) {
      this.setState(close ? { status: 'closed', attempt: failures - 1, lastClose: close, error, reason: 'attempts-exhausted' } : { status: 'closed', attempt: failures - 1, error, reason: 'attempts-exhausted' });
      return throwError(() => error);
    }
    const delay = reconnectDelay({ interval: o.reconnectInterval, backoff: o.backoff }, failures, o.random);
    this.setState(close ? { status: 'reconnecting', attempt: failures, lastClose: close, error, delay } : { status: 'reconnecting', attempt: failures, error, delay });
    return timer(delay, o.scheduler);
  }

  /** Stops dialing: the current attempt (closing its socket) or the pending reconnect. */
  private stopDialing(): void {
    const c = this.connection;
    this.connection = undefined;
    c?.unsubscribe();
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  private finish(): void {
    if (this.finished) return;
    const state$ = this.state$$;
    const last = state$.value;
    const final: ClientState =
      last.status === 'closed' ? last : last.lastClose ? { status: 'closed', attempt: last.attempt, reason: 'disconnected', lastClose: last.lastClose } : { status: 'closed', attempt: last.attempt, reason: 'disconnected' };
    if (last.status !== 'closed') state$.next(final);
    const error = this.closedError();
    this.finished = true;
    this.closeTimer?.unsubscribe();
    this.drain?.unsubscribe();
    this.connection = undefined;
    const dropped = this.outbox.rejectAll(error);
    this.logger.info(`client stopped (${final.reason ?? 'disconnected'})`, { selfId: this.selfId, pendingSendsRejected: dropped });
    this.apiResponder?.dispose();
    this.inbound.complete();
    this.sentSubject?.complete();
    this.errorsSubject?.complete();
    state$.complete();
  }

  /** @internal */
  closeTimedOut(): void {
    this.stopDialing();
    this.finish();
  }

  connect(): void {
    if (this.started || this.finished || this.stopping) return;
    this.started = true;
    this.setState({ status: 'connecting', attempt: 0 });
    this.logger.info(`connecting to ${this.safeUrl}`, { selfId: this.selfId, role: this.o.role });
    this.dial();
  }

  disconnect(): Promise<void> {
    if (this.finished) return Promise.resolve();
    const done = lastValueFrom(this.state$$, { defaultValue: undefined }).then(() => undefined);
    this.stopping = true;
    const s = this.session;
    if (!this.started) this.finish();
    else if (s !== undefined && s.writer.open && this.connection !== undefined) {
      // Sends written since the last ping get one now, ahead of the close frame, so the server's
      // pongs confirm them before it answers the close.
      s.acks?.flush();
      // Clean close; the close event ends the connection, `lost` sees `stopping` and `retry` completes.
      s.socket.close(1000, 'client disconnect');
      // A socket may report the close synchronously (then the client already finished).
      if (!this.finished) this.closeTimer = this.o.scheduler.schedule(closeTimeoutTask, CLOSE_TIMEOUT, this);
    } else {
      this.stopDialing();
      this.finish();
    }
    return done;
  }

  run(): Promise<ClientState> {
    if (this.finished) return Promise.resolve(this.state$$.value);
    const final = lastValueFrom(this.state$$);
    this.connect();
    return final;
  }

  send(frame: OutgoingFrame): Promise<void> {
    const encoded = encodeOutgoingText(frame, this.o.maxPayload, this.o.selfId);
    return typeof encoded === 'string' ? this.enqueue(encoded, undefined) : Promise.reject(encoded);
  }

  sendText(text: string, messageType: 'private' | 'group', target?: TextTarget): Promise<MessageEvent> {
    let event: MessageEvent;
    let encoded: string | ProtocolError;
    try {
      event = this.createTextMessage(text, messageType, target);
      encoded = encodeOutgoingText(event, this.o.maxPayload);
    } catch (e) {
      return Promise.reject(e instanceof OneBotError ? e : new ProtocolError(ErrorCode.InvalidOutgoing, String(e)));
    }
    return typeof encoded === 'string' ? this.enqueue(encoded, event) : Promise.reject(encoded);
  }

  createConnectEvent(): ReturnType<OneBotClient['createConnectEvent']> {
    return createConnectEvent(this.selfId, this.builder);
  }

  createHeartbeatEvent(status?: HeartbeatStatus): ReturnType<OneBotClient['createHeartbeatEvent']> {
    return createHeartbeatEvent(this.selfId, this.o.heartbeatInterval, status ?? (this.o.status() as HeartbeatStatus), this.builder);
  }

  createTextMessage(text: string, messageType: 'private' | 'group', target?: TextTarget): MessageEvent {
    const b = this.builder;
    // An explicit literal, not `{ ...builder, ...target }`: this runs for every sendText.
    return createTextMessage({
      selfId: this.selfId,
      messageType,
      text,
      messageFormat: this.o.messageFormat,
      now: b.now,
      nextMessageId: b.nextMessageId,
      targetId: target?.targetId,
      groupId: target?.groupId,
      userId: target?.userId,
    });
  }

  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void {
    return this.responder().handle(action, handler);
  }

  private runner(): CallbackRunner {
    return (this.callbacks ??= callbackRunner((e) => this.report(e)));
  }

  onMessage(callback: (message: MessageEvent) => unknown): () => void {
    return this.runner().subscribe(this.inbound.subject('messages'), callback, 'onMessage');
  }

  onError(callback: (error: OneBotError) => unknown): () => void {
    return this.runner().subscribe(this.errorStream(), callback, 'onError');
  }

  onConnect(callback: (state: ClientState) => unknown): () => void {
    return this.runner().onTransition(this.state$$, (prev, next) => next.status === 'open' && prev?.status !== 'open', (s) => callback(s), 'onConnect');
  }

  onDisconnect(callback: (close: CloseInfo | undefined, state: ClientState) => unknown): () => void {
    return this.runner().onTransition(
      this.state$$,
      (prev, next) => prev?.status === 'open' && next.status !== 'open',
      (s) => callback(s.lastClose, s),
      'onDisconnect',
    );
  }
}

/**
 * The public methods, bound to their client on first access (then cached as an own property), so
 * they work detached (`const { send } = client`, `map(client.sendText)`) without a closure per
 * method per client up front.
 */
const BOUND_METHODS = [
  'connect',
  'disconnect',
  'run',
  'send',
  'sendText',
  'createConnectEvent',
  'createHeartbeatEvent',
  'createTextMessage',
  'handle',
  'onMessage',
  'onError',
  'onConnect',
  'onDisconnect',
] as const satisfies readonly (keyof OneBotClient)[];

for (const name of BOUND_METHODS) {
  const method = Client.prototype[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(Client.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Client) {
      const bound = method.bind(this);
      Object.defineProperty(this, name, { value: bound, configurable: true, enumerable: false, writable: true });
      return bound;
    },
  });
}

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
export const createClient = (options: ClientOptions = {}): OneBotClient => new Client(options);
