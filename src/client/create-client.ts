import { BehaviorSubject, EMPTY, Subject, lastValueFrom, timer, type Observable, type Subscription } from 'rxjs';
import type { HeartbeatStatus, MessageEvent } from '../protocol/codecs/events';
import type { ActionName } from '../protocol/codecs/api';
import { createConnectEvent, createHeartbeatEvent, createMessageIdGenerator, createTextMessage, type BuilderOptions } from '../protocol/builders';
import { encodeFrame } from '../protocol/frame';
import { ErrorCode, OneBotError, ProtocolError } from '../protocol/errors';
import { createConsoleLogger, redactString, withLevel, type Logger } from '../logging/logger';
import { createSocketFactory, type SocketFactory } from '../transport/socket-factory';
import type { Transport } from '../transport/adapter';
import type { Link } from '../transport/reverse-ws';
import { reconnectDelay } from './backoff';
import type { SentMessage } from './builtins';
import { ApiHandlerTable } from './api-handlers';
import { answeringOf } from './api';
import { callbackFacade, type CallbackFacade } from './callbacks';
import { connection$, type LinkEnd } from './connection';
import { Delivery } from './delivery';
import { LossLog, stoppedError } from './losses';
import { resolveOptions, type ClientOptions, type ResolvedClientOptions } from './options';
import { encodeOutgoingText } from './outgoing';
import { INITIAL_STATE, reduce, type ClientState, type Happening, type ReconnectPolicy } from './state';
import { ClientStreams } from './streams';
import type { Composed, Listeners } from './transports';
import type { ClientApiHandler, OneBotClient, OutgoingFrame, TextMessageOf, TextTarget } from './types';

/** How long `disconnect()` waits for the server to answer the close before dropping the socket. */
const CLOSE_TIMEOUT = 5000;

/**
 * The client: one state (reduced in {@link dispatch}), one outbox, one retrying connection, and the
 * streams and methods users see. The connection itself is `connection.ts`; delivery bookkeeping is
 * `delivery.ts`; API answering is `api.ts`.
 */
class Client extends ClientStreams implements OneBotClient {
  readonly selfId: number;
  readonly state$: Observable<ClientState>;
  readonly errors$: Observable<OneBotError>;
  readonly sent$: Observable<SentMessage>;

  private readonly options: ResolvedClientOptions;
  private readonly logger: Logger;
  /** Reverse WebSocket, when `url` is given. */
  private readonly factory: SocketFactory | undefined;
  private readonly safeUrl: string;
  /** The listening transports, when `transports` names any. */
  private readonly listeners: Listeners | undefined;
  private listening: Subscription | undefined;
  private readonly builder: Required<BuilderOptions>;
  private readonly policy: ReconnectPolicy;
  private readonly current = new BehaviorSubject<ClientState>(INITIAL_STATE);
  private readonly errors = new Subject<OneBotError>();
  private readonly sentMessages = new Subject<SentMessage>();
  private readonly queued = new Subject<void>();
  private readonly delivery: Delivery;
  /** The API handlers: the built-ins, the user's and the world's. */
  private readonly apiHandlers: ApiHandlerTable;
  private callbacks: CallbackFacade | undefined;
  /** The retrying connection, while it runs. */
  private connection: Subscription | undefined;
  /** The open link, while there is one (for `disconnect()`'s clean close). */
  private link: Link | undefined;
  private closeTimer: Subscription | undefined;
  private readonly losses: LossLog;

  constructor(options: ClientOptions) {
    super();
    const o = resolveOptions(options);
    this.options = o;
    this.selfId = o.selfId;
    this.logger = withLevel(o.logger ?? createConsoleLogger('info'), 'debug');
    this.factory = o.url === undefined ? undefined : createSocketFactory({ ...o, url: o.url });
    // The URL as dialed (with ?access_token= where headers cannot carry the token), token masked.
    this.safeUrl = this.factory === undefined ? transportNames(o.transports) : redactString(this.factory.url);
    this.builder = { now: () => o.scheduler.now(), nextMessageId: createMessageIdGenerator() };
    this.policy = {
      maxReconnectAttempts: o.maxReconnectAttempts,
      minUptime: o.minUptime,
      delay: (attempt) => reconnectDelay({ interval: o.reconnectInterval, backoff: o.backoff }, attempt, o.random),
    };
    this.delivery = new Delivery(o);
    this.losses = new LossLog(this.logger, { url: this.safeUrl, selfId: this.selfId }, o, (e) => this.report(e));
    this.apiHandlers = new ApiHandlerTable(o, { selfId: o.selfId, nickname: o.nickname, status: o.status, nextMessageId: this.builder.nextMessageId }, (m) => this.sentMessages.next(m), this.send);
    this.state$ = this.current.asObservable();
    this.errors$ = this.errors.asObservable();
    this.sent$ = this.sentMessages.asObservable();
    this.listeners = o.transports.length === 0 ? undefined : this.createListeners(o);
  }

  get state(): ClientState {
    return this.current.value;
  }

  private get stopped(): boolean {
    return this.current.value.status === 'closed';
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  connect = (): void => {
    if (this.state.status !== 'idle') return;
    this.dispatch({ type: 'connect' });
    this.listening = this.listeners?.run$.subscribe({ next: () => this.listenersReady(), error: (e: unknown) => this.listenFailed(e) });
    if (this.factory !== undefined) this.dial(this.factory);
  };

  /** Reverse WebSocket: the retrying connection. */
  private dial(factory: SocketFactory): void {
    const o = this.options;
    this.logger.info(`connecting to ${this.safeUrl}`, { selfId: this.selfId, role: o.role });
    const speaksEvents = o.role !== 'API';
    this.connection = connection$({
      transport: { factory, scheduler: o.scheduler, handshakeTimeout: o.handshakeTimeout, pingInterval: o.pingInterval, pongTimeout: o.pongTimeout, highWaterMark: o.highWaterMark },
      scheduler: o.scheduler,
      delivery: this.delivery,
      queued: this.queued,
      confirmDelivery: o.confirmDelivery,
      validate: o.validate,
      maxPayload: o.maxPayload,
      connectEvent: speaksEvents ? () => encodeFrame(createConnectEvent(this.selfId, this.builder)) : undefined,
      heartbeat: speaksEvents ? { interval: o.heartbeatInterval, frame: () => encodeFrame(this.createHeartbeatEvent()) } : undefined,
      answering: o.role === 'Event' ? undefined : this.answering(),
      report: (e) => this.report(e),
      dialing: () => this.logger.debug(`dialing ${this.safeUrl}`, { selfId: this.selfId, attempt: this.state.attempt }),
      opened: (link) => this.opened(link),
      ended: () => {
        this.link = undefined;
      },
      lost: (end) => this.lost(end),
    }).subscribe({
      next: (frame) => this.inbound.next(frame),
      complete: () => this.dispatch({ type: 'stopped' }),
    });
  }

  private createListeners(o: ResolvedClientOptions): Listeners {
    // The composition comes with the transports (onebot-rx/server), never from this module's imports.
    const { compose } = o.transports[0] as Transport & Composed;
    return compose(o.transports, {
      ...o,
      connectEvent: () => encodeFrame(createConnectEvent(this.selfId, this.builder)),
      heartbeat: () => encodeFrame(this.createHeartbeatEvent()),
      answering: this.answering(),
      received: (frame) => this.inbound.next(frame),
      report: (e) => this.report(e),
      logger: this.logger,
    });
  }

  /** Every listening transport is bound: without reverse WebSocket, that is the client's `open`. */
  private listenersReady(): void {
    this.logger.info(`transports running: ${this.safeUrl}`, { selfId: this.selfId });
    if (this.factory === undefined) this.dispatch({ type: 'opened' });
  }

  /** A port could not be bound: the client stops (the user asked for that port). */
  private listenFailed(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.report(new OneBotError(ErrorCode.ListenFailed, `a transport cannot listen: ${message}`, { code: (e as { code?: unknown }).code }, { cause: e }));
    this.stopNow();
  }

  disconnect = (): Promise<void> => {
    if (this.state.status === 'closed') return Promise.resolve();
    const done = lastValueFrom(this.current).then(() => undefined);
    this.dispatch({ type: 'disconnect' });
    const link = this.link;
    if (link !== undefined && link.writable) {
      // Frames written since the last ping get one now, ahead of the close frame, so the server's
      // pong confirms them before it answers the close.
      if (link.liveness !== undefined && this.delivery.hasUncovered()) link.liveness.ping((seq) => this.delivery.pinged(seq));
      link.close(1000, 'client disconnect');
      if (!this.stopped) this.closeTimer = timer(CLOSE_TIMEOUT, this.options.scheduler).subscribe(() => this.stopNow());
    } else {
      this.stopNow();
    }
    return done;
  };

  run = (): Promise<ClientState> => {
    if (this.stopped) return Promise.resolve(this.state);
    const final = lastValueFrom(this.current);
    this.connect();
    return final;
  };

  /** Drops the connection without waiting (the clean close was not answered, or there was none). */
  private stopNow(): void {
    this.connection?.unsubscribe();
    this.dispatch({ type: 'stopped' });
  }

  /** Applies what happened to the one state; the stopped client releases everything once. */
  private dispatch(happening: Happening): ClientState {
    const before = this.state;
    const next = reduce(before, happening, this.policy);
    if (next === before) return next;
    this.current.next(next);
    if (next.status === 'closed') this.finish(next);
    return next;
  }

  private opened(link: Link): void {
    this.link = link;
    // What waited for this connection goes out now, right behind its connect event.
    this.queued.next();
    const state = this.dispatch({ type: 'opened' });
    this.logger.info(`connected to ${this.safeUrl}`, { selfId: this.selfId, attempt: state.attempt });
  }

  /** A connection ended or a dial failed: the delay before the next dial, or the end. */
  private lost({ error, uptime }: LinkEnd): Observable<unknown> {
    const close = typeof error.data.code === 'number' ? { code: error.data.code, reason: String(error.data.reason ?? '') } : undefined;
    // Reported while the client still runs: a plain close is no error, a refusal or failure is.
    if (error.code !== ErrorCode.ConnectionClosed) this.report(error);
    const state = this.dispatch({ type: 'lost', error, close, uptime });
    this.losses.record(error, close, uptime, state);
    return state.status === 'reconnecting' ? timer(state.delay!, this.options.scheduler) : EMPTY;
  }

  private finish(final: ClientState): void {
    this.closeTimer?.unsubscribe();
    this.connection?.unsubscribe();
    this.listening?.unsubscribe();
    const error = stoppedError(final);
    const dropped = this.delivery.close();
    for (const frame of dropped) frame.settle?.reject(error);
    this.logger.info(`client stopped (${final.reason ?? 'disconnected'})`, { selfId: this.selfId, pendingSendsRejected: dropped.length });
    this.apiHandlers.detach();
    this.inbound.complete();
    this.sentMessages.complete();
    this.errors.complete();
    this.current.complete();
  }

  /** An API call failed (handler, encoding, bounds): logged and reported; it was answered with a failure. */
  private apiFailed(error: OneBotError): void {
    this.logger.warn(error.message, { code: error.code });
    this.report(error);
  }

  private report(error: OneBotError): void {
    if (this.state.status !== 'closed') this.errors.next(error);
  }

  // --- sending ------------------------------------------------------------------------------------

  send = (frame: OutgoingFrame): Promise<void> => {
    const encoded = encodeOutgoingText(frame, this.options.maxPayload, this.selfId);
    return typeof encoded === 'string' ? this.enqueue(encoded, undefined) : Promise.reject(encoded);
  };

  sendText = <T extends 'private' | 'group'>(text: string, messageType: T, target?: TextTarget): Promise<TextMessageOf<T>> => {
    let event: TextMessageOf<T>;
    let encoded: string | ProtocolError;
    try {
      event = this.createTextMessage(text, messageType, target);
      encoded = encodeOutgoingText(event, this.options.maxPayload);
    } catch (e) {
      return Promise.reject(e instanceof OneBotError ? e : new ProtocolError(ErrorCode.InvalidOutgoing, String(e)));
    }
    return typeof encoded === 'string' ? this.enqueue(encoded, event) : Promise.reject(encoded);
  };

  /**
   * Sends an event through every transport: into the reverse WebSocket outbox (it leaves on the
   * current link, or after the next one's connect event), and to the listening transports' sinks.
   */
  private enqueue<T>(text: string, value: T): Promise<T> {
    // A stopped client refuses every send the same way, whatever its transports.
    if (this.listeners === undefined || this.state.status === 'closed') return this.enqueueReverse(text, value);
    if (this.factory === undefined) return this.listeners.deliver(text).then(() => value);
    // With reverse WebSocket in the mix, its outbox holds the event: nobody listening elsewhere is no failure.
    const elsewhere = this.listeners.deliver(text).catch((e: unknown) => (e instanceof OneBotError && e.code === ErrorCode.NoRecipient ? undefined : Promise.reject(e)));
    return Promise.all([this.enqueueReverse(text, value), elsewhere]).then(() => value);
  }

  private enqueueReverse<T>(text: string, value: T): Promise<T> {
    if (this.state.status === 'closed') return Promise.reject(stoppedError(this.state));
    return new Promise<T>((resolve, reject) => {
      if (!this.delivery.offer({ text, kind: 'send', settle: { resolve: () => resolve(value), reject } })) {
        const o = this.options;
        const error = new OneBotError(ErrorCode.OutboxOverflow, `outbox full (${this.delivery.waitingCount} frames waiting; outboxLimit ${o.outboxLimit}, outboxBytes ${o.outboxBytes}): send rejected`, {
          outboxLimit: o.outboxLimit,
          outboxBytes: o.outboxBytes,
        });
        this.report(error);
        reject(error);
        return;
      }
      this.queued.next();
    });
  }

  createConnectEvent = (): ReturnType<OneBotClient['createConnectEvent']> => createConnectEvent(this.selfId, this.builder);

  createHeartbeatEvent = (status?: HeartbeatStatus): ReturnType<OneBotClient['createHeartbeatEvent']> =>
    createHeartbeatEvent(this.selfId, this.options.heartbeatInterval, status ?? (this.options.status() as HeartbeatStatus), this.builder);

  createTextMessage = <T extends 'private' | 'group'>(text: string, messageType: T, target?: TextTarget): TextMessageOf<T> =>
    createTextMessage({
      selfId: this.selfId,
      messageType,
      text,
      messageFormat: this.options.messageFormat,
      now: this.builder.now,
      nextMessageId: this.builder.nextMessageId,
      targetId: target?.targetId,
      groupId: target?.groupId,
      userId: target?.userId,
    }) as TextMessageOf<T>;

  // --- API calls and callbacks ----------------------------------------------------------------------

  /** The answering engine's settings, wired to this client's handlers and reports. */
  private answering(): ReturnType<typeof answeringOf> {
    return answeringOf(this.options, { handlers: () => this.apiHandlers.answering(), report: (e) => this.apiFailed(e), logger: this.logger });
  }

  handle = <A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): (() => void) => this.apiHandlers.handle(action, handler);

  private get facade(): CallbackFacade {
    return (this.callbacks ??= callbackFacade({ messages$: this.messages$, errors$: this.errors$, state$: this.state$, report: (e) => this.report(e) }));
  }

  onMessage = (callback: (message: MessageEvent) => unknown): (() => void) => this.facade.onMessage(callback);
  onError = (callback: (error: OneBotError) => unknown): (() => void) => this.facade.onError(callback);
  onConnect: OneBotClient['onConnect'] = (callback) => this.facade.onConnect(callback);
  onDisconnect: OneBotClient['onDisconnect'] = (callback) => this.facade.onDisconnect(callback);
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
export const createClient = (options: ClientOptions): OneBotClient => new Client(options);

/** `forward-ws, http-post` for logs. */
const transportNames = (transports: readonly Transport[]): string => transports.map((t) => t.kind).join(', ');
