import type { OneBotMessageEvent as MessageEvent, MessageEventInput, OutgoingFrame } from 'onebot-rx';
import { builtInAnswerer, type Answerer } from './answering';
import { BotConnection, BotPool, type BotSpec, type CreateClient, type MetricSink } from './bots';
import { ReplyTimeout, TooManyWaiters, type Expectation, type Pending } from './conversations';
import { StepError, nameOfThrown } from './errors';
import { IdRange, workerSlot, type WorkerSlot } from './ids';
import { ErrorName, Metric } from './metrics';
import { durationMs, resolveOptions, type ResolvedOptions } from './options';

/**
 * `artillery-engine-onebot`: every virtual user runs real onebot-rx code.
 *
 * Artillery constructs the engine once per worker with `(script, events, helpers)` and calls
 * `createScenario(spec, events)` once per scenario; the function it returns runs one VU:
 * `(context, callback)`. The script reference is docs/guides/load-testing.md.
 */

/** What the engine uses of Artillery's event emitter (a fake one in the unit tests). */
export interface EventsLike {
  emit(event: string, ...args: unknown[]): unknown;
}

/** What the engine uses of Artillery's helpers (`engine_util`): its template renderer. */
export interface HelpersLike {
  template(value: unknown, context: VuContext): unknown;
}

/** The onebot-rx functions the engine calls (the entry file passes the real ones). */
export interface OneBotDeps {
  readonly createClient: CreateClient;
  readonly createMessageEvent: (input: MessageEventInput) => MessageEvent;
}

export interface ScriptLike {
  readonly config: {
    readonly target?: unknown;
    readonly phases?: ReadonlyArray<{ worker?: unknown; totalWorkers?: unknown }>;
    readonly engines?: Readonly<Record<string, unknown>>;
    readonly processor?: Readonly<Record<string, unknown>>;
  };
}

/** What a VU's context holds for the engine: `context.onebot`, also usable from `function` steps. */
export interface VuState {
  /** This VU's user account (sender of its messages unless a step says `from`). */
  userId: number;
  /** The bot account this VU talks through, once connected. */
  selfId: number | undefined;
  bot: BotConnection | undefined;
  shared: boolean;
  /** Sends any frame through the VU's bot connection (for `function` steps). */
  send(frame: OutgoingFrame): Promise<void>;
}

export interface VuContext {
  vars: Record<string, unknown>;
  onebot?: VuState;
  [key: string]: unknown;
}

type Step = (context: VuContext) => Promise<void>;
type StepSpec = Record<string, unknown>;

const STEP_KINDS = ['connect', 'privateMessage', 'groupMessage', 'think', 'loop', 'hold', 'function', 'log'] as const;

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function';

const toId = (value: unknown, what: string): number => {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new StepError(ErrorName.invalidStep, `${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
};

const toBool = (value: unknown): boolean => value === true || value === 'true';

/** `expectReply`: `any`, a text, `{ text }`, or `{ regex, flags }` (after templating). */
export const parseExpectation = (value: unknown): Expectation | undefined => {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === 'any' || value === true) return { kind: 'any' };
  if (typeof value === 'string' || typeof value === 'number') return { kind: 'text', text: String(value) };
  if (typeof value === 'object') {
    const o = value as { text?: unknown; regex?: unknown; flags?: unknown; any?: unknown };
    if (o.any !== undefined) return { kind: 'any' };
    if (o.text !== undefined) return { kind: 'text', text: String(o.text) };
    if (o.regex !== undefined) {
      try {
        return { kind: 'regex', regex: new RegExp(String(o.regex), o.flags === undefined ? '' : String(o.flags)) };
      } catch (e) {
        throw new StepError(ErrorName.invalidStep, `expectReply.regex: ${(e as Error).message}`);
      }
    }
  }
  throw new StepError(ErrorName.invalidStep, `expectReply must be any, a text, {text} or {regex, flags}; got ${JSON.stringify(value)}`);
};

export class OneBotEngine {
  readonly options: ResolvedOptions;
  readonly slot: WorkerSlot;
  private readonly selfIds: IdRange;
  private readonly userIds: IdRange;
  private readonly pool = new BotPool();
  private readonly answerer: Answerer;
  private readonly processor: Readonly<Record<string, unknown>>;
  private vuCount = 0;
  /** Local worker threads of this `artillery run` (Artillery writes it into each worker's phases). */
  private readonly localWorkers: number;
  private warnedPayloadIds = false;

  constructor(
    script: ScriptLike,
    _events: EventsLike,
    private readonly helpers: HelpersLike,
    private readonly deps: OneBotDeps,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.options = resolveOptions(script.config.engines?.['onebot'], script.config.target);
    this.slot = workerSlot(script.config.phases, env, this.options.cloudSlots);
    this.selfIds = new IdRange(this.options.selfIdBase, this.slot.slot, this.options.idStride);
    this.userIds = new IdRange(this.options.userIdBase, this.slot.slot, this.options.idStride);
    const total = script.config.phases?.[0]?.totalWorkers;
    this.localWorkers = typeof total === 'number' && total > 1 ? total : 1;
    this.processor = (script.config.processor ?? {}) as Record<string, unknown>;
    this.answerer = this.loadAnswerer();
  }

  /** Compiles a scenario; the returned function runs one VU. */
  createScenario(spec: { flow?: unknown[]; name?: string }, events: EventsLike): (context: VuContext, callback: (err: Error | null, context: VuContext) => void) => void {
    const flow = Array.isArray(spec.flow) ? spec.flow : [];
    const steps = flow.map((s) => this.compile(s as StepSpec, events));
    return (context, callback) => {
      events.emit('started');
      const vu = this.newVu();
      context.onebot = vu;
      void (async () => {
        let failure: Error | null = null;
        try {
          for (const step of steps) await step(context);
        } catch (e) {
          failure = e instanceof Error ? e : new Error(String(e));
          events.emit('error', nameOfThrown(e));
        }
        await this.leave(vu);
        callback(failure, context);
      })();
    };
  }

  private newVu(): VuState {
    const userId = this.userIds.take();
    const index = this.vuCount++;
    const vu: VuState = {
      userId: userId ?? 0,
      selfId: undefined,
      bot: undefined,
      shared: false,
      send: (frame) => {
        if (vu.bot === undefined) return Promise.reject(new StepError(ErrorName.noConnection));
        return vu.bot.send(frame);
      },
    };
    (vu as VuState & { index: number }).index = index;
    return vu;
  }

  private async leave(vu: VuState): Promise<void> {
    const bot = vu.bot;
    vu.bot = undefined;
    if (bot === undefined) return;
    try {
      if (vu.shared) await this.pool.release(bot);
      else await bot.close();
    } catch {
      // closing is best effort: the VU's result is already decided
    }
  }

  private loadAnswerer(): Answerer {
    const name = this.options.answerer;
    if (name === undefined) return builtInAnswerer;
    const factory = this.processor[name];
    if (typeof factory !== 'function') throw new Error(`config.engines.onebot.answerer: no processor function named ${JSON.stringify(name)}`);
    const answerer = (factory as (o: ResolvedOptions) => unknown)(this.options) as Answerer | undefined;
    if (answerer === undefined || typeof answerer.attach !== 'function') throw new Error(`config.engines.onebot.answerer: ${name}() must return an object with attach(client, bot)`);
    return answerer;
  }

  private metricsFor(events: EventsLike): MetricSink {
    return {
      counter: (name, value) => events.emit('counter', name, value),
      histogram: (name, value) => events.emit('histogram', name, value),
    };
  }

  private render(spec: unknown, context: VuContext): Record<string, unknown> {
    const out = this.helpers.template(spec, context);
    return (typeof out === 'object' && out !== null ? out : {}) as Record<string, unknown>;
  }

  private compile(raw: StepSpec, events: EventsLike): Step {
    if (typeof raw !== 'object' || raw === null) throw new Error(`onebot engine: a step must be an object, got ${JSON.stringify(raw)}`);
    const kind = STEP_KINDS.find((k) => k in raw);
    switch (kind) {
      case 'connect':
        return this.connectStep(raw, events);
      case 'privateMessage':
        return this.messageStep('private', raw, events);
      case 'groupMessage':
        return this.messageStep('group', raw, events);
      case 'think':
        return async (context) => {
          const ms = durationMs(this.helpers.template(raw['think'], context), 'think');
          await new Promise<void>((resolve) => setTimeout(resolve, ms));
        };
      case 'hold':
        return async (context) => {
          const ms = durationMs(this.helpers.template(raw['hold'], context), 'hold');
          const vu = context.onebot!;
          if (vu.bot === undefined) throw new StepError(ErrorName.noConnection, 'hold needs a connect step before it');
          await vu.bot.hold(ms);
        };
      case 'loop':
        return this.loopStep(raw, events);
      case 'function':
        return this.functionStep(raw, events);
      case 'log':
        return async (context) => {
          console.log(String(this.helpers.template(raw['log'], context)));
        };
      default:
        throw new Error(`onebot engine: unknown step ${JSON.stringify(Object.keys(raw))}; steps are ${STEP_KINDS.join(', ')}`);
    }
  }

  private connectStep(raw: StepSpec, events: EventsLike): Step {
    const metrics = this.metricsFor(events);
    const selfIdSpec = (raw['connect'] as Record<string, unknown> | null | undefined)?.['selfId'];
    if (typeof selfIdSpec === 'string' && selfIdSpec.includes('{{') && this.localWorkers > 1 && !this.warnedPayloadIds) {
      // Artillery 2.0.21 hands every local worker the whole payload (see ids.ts): say so once.
      this.warnedPayloadIds = true;
      console.warn(
        `artillery-engine-onebot: connect.selfId is templated (${selfIdSpec}) and this run has ${this.localWorkers} local workers; ` +
          'Artillery gives each worker every payload row, so self ids from a payload will collide. ' +
          'Let the engine generate self ids (omit connect.selfId), or run one worker per process.',
      );
    }
    return async (context) => {
      const vu = context.onebot!;
      const spec = raw['connect'] === null || raw['connect'] === true ? {} : this.render(raw['connect'], context);
      if (vu.bot !== undefined) throw new StepError(ErrorName.invalidStep, 'this VU is already connected');
      const url = spec['url'] !== undefined ? String(spec['url']) : this.options.url;
      if (url === undefined) throw new StepError(ErrorName.invalidStep, 'connect: no url (set config.target or connect.url)');
      if (spec['userId'] !== undefined) vu.userId = toId(spec['userId'], 'connect.userId');
      else if (vu.userId === 0) throw new StepError(ErrorName.selfIdExhausted, `more than ${this.options.idStride} users in this worker (idStride)`);
      const pool = spec['pool'] === undefined ? undefined : toId(spec['pool'], 'connect.pool');
      const shared = pool !== undefined || toBool(spec['shared']);
      let selfId: number | undefined;
      if (spec['selfId'] !== undefined) selfId = toId(spec['selfId'], 'connect.selfId');
      else if (pool !== undefined) {
        // Pool bots take the top of this worker's range, one-VU bots the bottom: they never meet.
        const index = (vu as VuState & { index: number }).index % pool;
        selfId = this.selfIds.at(this.options.idStride - 1 - index);
      } else selfId = this.selfIds.take();
      if (selfId === undefined) throw new StepError(ErrorName.selfIdExhausted, `more than ${this.options.idStride} bots in this worker (idStride)`);
      const botSpec: BotSpec = {
        url,
        selfId,
        accessToken: spec['accessToken'] !== undefined ? String(spec['accessToken']) : this.options.accessToken,
        messageFormat: spec['messageFormat'] === 'string' ? 'string' : spec['messageFormat'] === 'array' ? 'array' : this.options.messageFormat,
        heartbeatInterval: spec['heartbeatInterval'] !== undefined ? Number(spec['heartbeatInterval']) : this.options.heartbeatInterval,
        connectTimeoutMs: spec['timeout'] !== undefined ? durationMs(spec['timeout'], 'connect.timeout') : this.options.connectTimeoutMs,
        maxWaiters: this.options.maxWaitersPerBot,
        clientOptions: this.options.client,
      };
      const make = () => new BotConnection(botSpec, this.deps.createClient, metrics, this.answerer);
      const bot = shared ? this.pool.acquire(botSpec, make) : make();
      vu.bot = bot;
      vu.shared = shared;
      vu.selfId = selfId;
      context.vars['selfId'] ??= selfId;
      context.vars['userId'] ??= vu.userId;
      await bot.open();
    };
  }

  private messageStep(messageType: 'private' | 'group', raw: StepSpec, events: EventsLike): Step {
    const key = messageType === 'private' ? 'privateMessage' : 'groupMessage';
    const metrics = this.metricsFor(events);
    return async (context) => {
      const vu = context.onebot!;
      const bot = vu.bot;
      if (bot === undefined || vu.selfId === undefined) throw new StepError(ErrorName.noConnection, `${key} needs a connect step before it`);
      const spec = this.render(raw[key], context);
      const userId = spec['from'] !== undefined ? toId(spec['from'], `${key}.from`) : vu.userId;
      const groupId = messageType === 'group' ? toId(spec['groupId'], `${key}.groupId`) : undefined;
      let message: MessageEventInput['message'];
      if (spec['text'] !== undefined) message = [{ type: 'text', data: { text: String(spec['text']) } }];
      else if (spec['message'] !== undefined) message = spec['message'] as MessageEventInput['message'];
      else throw new StepError(ErrorName.invalidStep, `${key} needs text or message`);
      if (messageType === 'group' && toBool(spec['atBot'])) {
        const list = typeof message === 'string' ? [{ type: 'text', data: { text: message } }] : Array.isArray(message) ? message : [message];
        // A CQ string keeps its meaning: prefix the at segment in CQ form instead.
        message = typeof message === 'string' ? `[CQ:at,qq=${vu.selfId}] ${message}` : [{ type: 'at', data: { qq: String(vu.selfId) } }, ...(list as never[])];
      }
      let event: MessageEvent;
      try {
        event = this.deps.createMessageEvent({
          selfId: vu.selfId,
          messageType,
          userId,
          ...(messageType === 'private' ? { targetId: vu.selfId } : { groupId }),
          message,
          messageFormat: bot.spec.messageFormat,
        });
      } catch (e) {
        throw new StepError(ErrorName.invalidStep, `${key}: ${(e as Error).message}`);
      }
      const expectation = parseExpectation(spec['expectReply']);
      const timeoutMs = spec['timeout'] !== undefined ? durationMs(spec['timeout'], `${key}.timeout`) : this.options.replyTimeoutMs;
      let pending: Pending | undefined;
      if (expectation !== undefined) {
        try {
          pending = bot.conversations.expect(messageType, messageType === 'group' ? groupId! : userId, expectation, timeoutMs);
        } catch (e) {
          if (e instanceof TooManyWaiters) throw new StepError(ErrorName.invalidStep, e.message);
          throw e;
        }
      }
      try {
        await bot.send(event);
      } catch (e) {
        pending?.cancel();
        throw e;
      }
      metrics.counter(Metric.messagesSent, 1);
      if (pending === undefined) return;
      try {
        const matched = await pending.promise;
        metrics.histogram(Metric.replyMs, matched.elapsedMs);
        if (typeof spec['capture'] === 'string' && spec['capture'] !== '') context.vars[spec['capture']] = matched.reply.text;
      } catch (e) {
        if (!(e instanceof ReplyTimeout)) throw e;
        metrics.counter(Metric.replyTimeout, 1);
        if (spec['onTimeout'] !== 'continue') throw new StepError(ErrorName.replyTimeout, e.message);
      }
    };
  }

  private loopStep(raw: StepSpec, events: EventsLike): Step {
    const body = raw['loop'];
    if (!Array.isArray(body)) throw new Error('onebot engine: loop must be a list of steps');
    const steps = body.map((s) => this.compile(s as StepSpec, events));
    const indexVar = typeof raw['loopValue'] === 'string' ? raw['loopValue'] : '$loopCount';
    const elementVar = typeof raw['loopElement'] === 'string' ? raw['loopElement'] : '$loopElement';
    const whileName = raw['whileTrue'];
    return async (context) => {
      let over: unknown[] | undefined;
      if (Array.isArray(raw['over'])) over = raw['over'];
      else if (typeof raw['over'] === 'string') {
        const value = context.vars[raw['over']];
        if (!Array.isArray(value)) return; // Artillery skips a loop over a missing list
        over = value;
      }
      const countRaw = raw['count'] === undefined ? undefined : this.helpers.template(raw['count'], context);
      const count = countRaw === undefined ? (over?.length ?? -1) : Number(countRaw);
      if (!Number.isFinite(count)) throw new StepError(ErrorName.invalidStep, `loop.count must be a number, got ${JSON.stringify(countRaw)}`);
      const check = whileName === undefined ? undefined : this.processor[String(whileName)];
      if (whileName !== undefined && typeof check !== 'function') throw new StepError(ErrorName.invalidStep, `loop.whileTrue: no processor function ${JSON.stringify(whileName)}`);
      if (count < 0 && check === undefined) throw new StepError(ErrorName.invalidStep, 'loop needs count, over or whileTrue (an endless loop never ends the VU)');
      for (let i = 0; count < 0 || i < count; i++) {
        if (over !== undefined && i >= over.length) break;
        if (check !== undefined) {
          const go = await new Promise<boolean>((resolve) => {
            const r = (check as (c: VuContext, next: (b: boolean) => void) => unknown)(context, (b) => resolve(Boolean(b)));
            if (isThenable(r)) void Promise.resolve(r).then((b) => resolve(Boolean(b)));
          });
          if (!go) break;
        }
        context.vars[indexVar] = i;
        if (over !== undefined) context.vars[elementVar] = over[i];
        for (const step of steps) await step(context);
      }
    };
  }

  private functionStep(raw: StepSpec, events: EventsLike): Step {
    const name = String(raw['function']);
    return async (context) => {
      const fn = this.processor[name];
      if (typeof fn !== 'function') throw new StepError(ErrorName.invalidStep, `function: no processor function ${JSON.stringify(name)} (config.processor)`);
      await new Promise<void>((resolve, reject) => {
        const done = (err?: unknown) => (err ? reject(err instanceof Error ? err : new StepError(ErrorName.functionFailed, String(err))) : resolve());
        try {
          const r = (fn as (c: VuContext, e: EventsLike, next: (err?: unknown) => void) => unknown)(context, events, done);
          if (isThenable(r)) Promise.resolve(r).then(() => resolve(), reject);
          else if (fn.length < 3) resolve();
        } catch (e) {
          reject(e);
        }
      });
    };
  }
}
