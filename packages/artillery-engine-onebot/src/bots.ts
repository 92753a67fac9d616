import type { ClientOptions, ClientState, OneBotClient, OutgoingFrame, SentMessage } from 'onebot-rx';
import type { Subscription } from 'rxjs';
import { timedWebSocket } from './api-timing';
import type { Answerer, ReplyMessage } from './answering';
import { Conversations, type Reply } from './conversations';
import { StepError, errorNameOf } from './errors';
import { ErrorName, Metric } from './metrics';

/** Where metrics go: an Artillery event emitter in a run, a recorder in tests. */
export interface MetricSink {
  counter(name: string, value: number): void;
  histogram(name: string, value: number): void;
}

export type CreateClient = (options: ClientOptions) => OneBotClient;

export interface BotSpec {
  readonly url: string;
  readonly selfId: number;
  readonly accessToken: string | undefined;
  readonly messageFormat: 'array' | 'string';
  readonly heartbeatInterval: number;
  readonly connectTimeoutMs: number;
  readonly maxWaiters: number;
  /** More createClient options, passed through (advanced). */
  readonly clientOptions: Readonly<Record<string, unknown>>;
}

const noLog = { debug() {}, info() {}, warn() {}, error() {} };

const replyOf = (m: SentMessage | ReplyMessage): Reply => {
  let text = '';
  for (const s of m.message) if (s.type === 'text') text += String((s.data as { text?: unknown }).text ?? '');
  return { messageType: m.messageType, userId: m.userId, groupId: m.groupId, text, rawMessage: m.rawMessage ?? '' };
};

/**
 * One bot connection: a real onebot-rx client (handshake, heartbeats, answering API calls), plus
 * reply correlation and metrics. A connection that fails or is lost is not redialed: the failure
 * is the measurement. It is reported under a stable name (`handshake_403`, `closed_1006`...) to
 * every step that uses the connection from then on, and to every step waiting for a reply on it.
 */
export class BotConnection {
  readonly conversations: Conversations;
  /** Stable error name once the connection failed; undefined while healthy. */
  failure: string | undefined;
  /** VU's using this connection (shared connections close when it drops to 0). */
  users = 0;
  private readonly client: OneBotClient;
  private readonly subscriptions: Subscription[] = [];
  private readonly detach: () => void;
  private opened = false;
  private closing = false;
  private readyPromise: Promise<void> | undefined;
  private settleReady: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private startedAt = 0;

  constructor(
    readonly spec: BotSpec,
    createClient: CreateClient,
    private readonly metrics: MetricSink,
    answerer: Answerer,
  ) {
    this.conversations = new Conversations(spec.selfId, spec.maxWaiters);
    this.client = createClient({
      ...spec.clientOptions,
      url: spec.url,
      selfId: spec.selfId,
      ...(spec.accessToken !== undefined && spec.accessToken !== '' ? { accessToken: spec.accessToken } : {}),
      messageFormat: spec.messageFormat,
      heartbeatInterval: spec.heartbeatInterval,
      // A lost connection ends the VU's use of it; the engine stops the client before a redial.
      reconnectInterval: 60_000,
      logger: noLog,
      WebSocketCtor: timedWebSocket({ answered: (ms) => metrics.histogram(Metric.apiAnswerMs, ms) }) as unknown as ClientOptions['WebSocketCtor'],
    });
    const onReply = (m: SentMessage | ReplyMessage): void => {
      if (!this.conversations.offer(replyOf(m))) metrics.counter(Metric.replyUnmatched, 1);
    };
    this.detach = answerer.attach(this.client, { selfId: spec.selfId }, onReply);
    this.subscriptions.push(
      this.client.sent$.subscribe(onReply),
      this.client.requests$.subscribe((r) => metrics.counter(`${Metric.apiPrefix}${r.action}`, 1)),
      this.client.state$.subscribe((s) => this.onState(s)),
    );
  }

  get selfId(): number {
    return this.spec.selfId;
  }

  /** Connects once; later calls return the same promise. Rejects with a named {@link StepError}. */
  open(): Promise<void> {
    if (this.readyPromise !== undefined) return this.readyPromise;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    if (this.failure !== undefined) {
      this.settleReady!.reject(new StepError(this.failure));
      return this.readyPromise;
    }
    this.startedAt = performance.now();
    this.connectTimer = setTimeout(() => this.fail(ErrorName.handshakeTimeout), this.spec.connectTimeoutMs);
    this.client.connect();
    return this.readyPromise;
  }

  /** Sends a frame over the open connection; a failed connection fails the step with its name. */
  async send(frame: OutgoingFrame): Promise<void> {
    if (this.failure !== undefined) throw new StepError(this.failure);
    await this.client.send(frame);
  }

  /** Resolves after `ms`, or rejects as soon as the connection fails (hold). */
  hold(ms: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(new StepError(this.failure));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        resolve();
      }, ms);
      const sub = this.client.state$.subscribe(() => {
        if (this.failure !== undefined) {
          clearTimeout(timer);
          queueMicrotask(() => sub.unsubscribe());
          reject(new StepError(this.failure));
        }
      });
    });
  }

  /** Clean close (1000). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.conversations.failAll(new StepError(ErrorName.noConnection, 'connection closed by the engine'));
    try {
      await this.client.disconnect();
    } finally {
      for (const s of this.subscriptions) s.unsubscribe();
      this.detach();
    }
  }

  private onState(state: ClientState): void {
    if (this.closing) return;
    if (state.status === 'open' && !this.opened) {
      this.opened = true;
      if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
      this.metrics.histogram(Metric.handshakeMs, performance.now() - this.startedAt);
      this.metrics.counter(Metric.connectionsOpened, 1);
      this.settleReady?.resolve();
      return;
    }
    if (state.status === 'reconnecting' || (state.status === 'closed' && this.failure === undefined)) {
      this.fail(errorNameOf(state));
    }
  }

  private fail(name: string): void {
    if (this.failure !== undefined || this.closing) return;
    this.failure = name;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    if (this.opened) this.metrics.counter(Metric.connectionsLost, 1);
    const error = new StepError(name);
    this.settleReady?.reject(error);
    this.conversations.failAll(error);
    // Stop the client's own redial: a load test reports a lost connection, it does not hide it.
    void this.client.disconnect().catch(() => undefined);
  }
}

/**
 * Connections shared by several VU's of one worker ("many users behind a few bots"), by url and
 * self id. Reference-counted: the last VU to leave closes it.
 */
export class BotPool {
  private readonly bots = new Map<string, BotConnection>();

  get size(): number {
    return this.bots.size;
  }

  acquire(spec: BotSpec, make: () => BotConnection): BotConnection {
    const key = `${spec.url}#${spec.selfId}`;
    let bot = this.bots.get(key);
    if (bot === undefined || bot.failure !== undefined) {
      bot = make();
      this.bots.set(key, bot);
    }
    bot.users++;
    return bot;
  }

  async release(bot: BotConnection): Promise<void> {
    bot.users--;
    if (bot.users > 0) return;
    const key = `${bot.spec.url}#${bot.spec.selfId}`;
    if (this.bots.get(key) === bot) this.bots.delete(key);
    await bot.close();
  }
}
