import { filter, firstValueFrom, map, startWith, switchMap, take, timeout, timer, type Subscription } from 'rxjs';
import { createClient } from '../client/create-client';
import type { ClientOptions } from '../client/options';
import type { OneBotClient } from '../client/types';
import type { MessageEvent, NoticeEvent } from '../protocol/codecs/events';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { simulate, describeChat, toReply, type Reply, type Simulation } from './conversation';
import { replyProblems, type ReplyExpectation } from './expect';
import type { MessageRef, Script, Step, ExpectStep } from './script';
import { WorldError, createWorld, type Chat, type Said } from './world';

/**
 * Runs a conversation file against a live application (`onebot-rx test <file> --url <server>`):
 * connects as the world's bot, waits until the application is ready, then plays the steps in order
 * and checks each expected reply. Stops at the first failed step (later steps would only read the
 * wrong replies); they are reported as skipped.
 */

/** One line of the transcript. @since 0.2.0 @category world */
export type TranscriptEntry =
  | { readonly kind: 'info'; readonly text: string }
  | { readonly kind: 'said'; readonly text: string; readonly event: MessageEvent }
  | { readonly kind: 'notice'; readonly text: string; readonly event: NoticeEvent }
  | { readonly kind: 'reply'; readonly text: string; readonly reply: Reply }
  | { readonly kind: 'step'; readonly text: string; readonly result: StepResult };

/** @since 0.2.0 @category world */
export interface StepResult {
  /** 1-based. */
  readonly index: number;
  readonly status: 'pass' | 'fail' | 'skip';
  /** What the step does, e.g. `20001 in group 30001 says "/echo hi", expects text "hi"`. */
  readonly description: string;
  /** Why it failed, one line each. */
  readonly problems: readonly string[];
  readonly ms: number;
}

/** @since 0.2.0 @category world */
export interface ConversationResult {
  readonly name: string;
  readonly passed: boolean;
  readonly steps: readonly StepResult[];
  /** Set when the run could not start (connection, readiness). */
  readonly error?: string;
}

/** @since 0.2.0 @category world */
export interface RunConversationOptions {
  /** The application's reverse WebSocket URL. */
  readonly url: string;
  /** Every transcript line as it happens. */
  readonly onEntry?: (entry: TranscriptEntry) => void;
  /** More client options (token, logger...); `url` and `selfId` come from the run. */
  readonly client?: Omit<ClientOptions, 'url' | 'selfId'>;
  /** The clock of the world. @defaultValue Date.now */
  readonly now?: () => number;
}

const quote = (s: string): string => JSON.stringify(s);
const chatOfStep = (where: { group?: number; user?: number } | undefined, fallback: Chat | undefined): Chat | undefined =>
  where?.group !== undefined ? { groupId: where.group } : where?.user !== undefined ? { userId: where.user } : fallback;

/** How a step reads in the transcript. @internal */
export const describeStep = (step: Step): string => {
  switch (step.kind) {
    case 'say': {
      const where = step.group !== undefined ? ` in group ${step.group}` : ' to the bot';
      const text = typeof step.say === 'string' ? step.say : JSON.stringify(step.say);
      const parts = [`${step.from}${where} says ${quote(text)}${step.quote !== undefined ? ` quoting ${step.quote}` : ''}`];
      if (step.expect !== undefined) parts.push(describeExpect(step.expect));
      if (step.no_reply !== undefined && step.no_reply !== false) parts.push('expects no reply');
      return parts.join(', ');
    }
    case 'expect':
      return describeExpect(step.expect);
    case 'no_reply':
      return 'expects no reply';
    case 'join':
      return `${step.join.user} joins group ${step.join.group}`;
    case 'leave':
      return `${step.leave.user} leaves group ${step.leave.group}`;
    case 'recall':
      return `${step.by ?? 'the sender'} recalls ${step.recall}`;
    case 'poke':
      return `${step.poke.from} pokes ${step.poke.target ?? 'the bot'}${step.poke.group !== undefined ? ` in group ${step.poke.group}` : ''}`;
    case 'wait':
      return `waits ${step.wait} ms`;
  }
};

const describeExpect = (e: ExpectStep): string => {
  const parts: string[] = [];
  if (e.text !== undefined) parts.push(`text ${quote(e.text)}`);
  if (e.contains !== undefined) parts.push(`text containing ${quote(e.contains)}`);
  if (e.regex !== undefined) parts.push(`text matching /${e.regex}/`);
  if (e.segments !== undefined) parts.push(`segments ${e.segments.map((s) => s.type).join(', ')}`);
  if (e.quotes !== undefined) parts.push(e.quotes === false ? 'no quote' : `a quote${e.quotes === true ? '' : ` of ${e.quotes}`}`);
  if (e.mentions !== undefined) parts.push(`mentions ${e.mentions.map((m) => `@${m}`).join(' ')}`);
  return `expects a reply${parts.length > 0 ? ` with ${parts.join(', ')}` : ''}`;
};

/** Resolves once the client is open and the application made no API call for `settle` ms. */
const whenReady = (client: OneBotClient, settle: number, readyTimeout: number): Promise<void> =>
  firstValueFrom(
    client.state$.pipe(
      filter((s) => s.status === 'open' || s.status === 'closed'),
      take(1),
      switchMap((s) => {
        if (s.status === 'closed') throw new OneBotError(ErrorCode.ClientClosed, `the client stopped before connecting${s.error ? `: ${s.error.message}` : ''}`);
        // The quiet period restarts with every API call the application makes on connect.
        return client.requests$.pipe(startWith(null), switchMap(() => timer(settle)), take(1));
      }),
      timeout({
        first: readyTimeout,
        with: () => {
          const why = client.state.error?.message ?? `status ${client.state.status}`;
          throw new OneBotError(ErrorCode.HandshakeTimeout, `the application was not ready within ${readyTimeout} ms (${why})`);
        },
      }),
      map(() => undefined),
    ),
  );

/**
 * Runs `script` against the application at `options.url`.
 *
 * @example
 * import { decodeScript, runConversation } from 'onebot-rx/world';
 * import { createReferenceServer } from 'onebot-rx/server';
 * const app = await createReferenceServer({ port: 0 });
 * app.on('event', ({ event }) => {
 *   if (event.post_type === 'message' && event.message_type === 'group') void app.callApi(10001, 'send_group_msg', { group_id: event.group_id, message: 'pong' });
 * });
 * const script = decodeScript({ world: { bot: { user_id: 10001 } }, settle: 50, steps: [{ say: 'ping', from: 2, group: 3, expect: 'pong' }] });
 * const result = script._tag === 'Right' ? await runConversation(script.right, { url: app.url }) : undefined;
 * result?.passed === true;
 * await app.close();
 *
 * @since 0.2.0
 * @category world
 */
export const runConversation = async (script: Script, options: RunConversationOptions): Promise<ConversationResult> => {
  const emit = options.onEntry ?? (() => undefined);
  const world = createWorld(script.world, { now: options.now ?? Date.now });
  const client = createClient({ ...options.client, url: options.url, selfId: world.bot.user_id });
  const sim: Simulation = simulate(client, world, { replyTimeout: script.timeout });
  const subscriptions: Subscription[] = [
    sim.attachment.events$.subscribe((event) => {
      if (event.post_type === 'message') emit({ kind: 'said', text: `${event.user_id}${event.message_type === 'group' ? ` in group ${event.group_id}` : ''}: ${event.raw_message}`, event });
      else emit({ kind: 'notice', text: describeNotice(event), event });
    }),
    sim.attachment.botMessages$.subscribe((sent) => {
      const reply = toReply(world, sent);
      emit({ kind: 'reply', text: `bot in ${describeChat(reply.chat)}: ${reply.raw}`, reply });
    }),
  ];
  const results: StepResult[] = [];
  try {
    client.connect();
    emit({ kind: 'info', text: `connecting to ${options.url} as bot ${world.bot.user_id}` });
    try {
      await whenReady(client, script.settle, script.readyTimeout);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      return { name: script.name, passed: false, steps: script.steps.map((s, i) => ({ index: i + 1, status: 'skip', description: describeStep(s), problems: [], ms: 0 })), error };
    }
    emit({ kind: 'info', text: 'connected; the application is ready' });
    const run = new ScriptRun(sim);
    let failed = false;
    for (const [i, step] of script.steps.entries()) {
      const description = describeStep(step);
      if (failed) {
        results.push({ index: i + 1, status: 'skip', description, problems: [], ms: 0 });
        continue;
      }
      const started = Date.now();
      let problems: string[];
      try {
        problems = await run.step(step);
      } catch (e) {
        problems = [e instanceof Error ? e.message : String(e)];
      }
      const result: StepResult = { index: i + 1, status: problems.length === 0 ? 'pass' : 'fail', description, problems, ms: Date.now() - started };
      results.push(result);
      emit({ kind: 'step', text: description, result });
      failed = problems.length > 0;
    }
    return { name: script.name, passed: !failed, steps: results };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    sim.close();
    await client.disconnect();
  }
};

const describeNotice = (n: NoticeEvent): string => {
  const body = n as unknown as Record<string, unknown>;
  const fields = ['group_id', 'user_id', 'operator_id', 'target_id', 'message_id', 'duration'].filter((k) => body[k] !== undefined).map((k) => `${k}=${String(body[k])}`);
  return `notice ${String(body.notice_type)}${body.sub_type !== undefined ? `/${String(body.sub_type)}` : ''} ${fields.join(' ')}`;
};

/** The state of one run: the current chat and the messages steps may refer to. */
class ScriptRun {
  private chat: Chat | undefined;
  private lastSaid: Said | undefined;
  private lastReply: Reply | undefined;
  private readonly labels = new Map<string, number>();

  constructor(private readonly sim: Simulation) {}

  private resolve(ref: MessageRef): number {
    if (typeof ref === 'number') return ref;
    if (ref === 'last') return this.lastSaid?.stored.message_id ?? fail('"last" refers to no message: nobody said anything yet');
    if (ref === 'reply') return this.lastReply?.messageId ?? fail('"reply" refers to no message: the bot has not replied yet');
    const id = this.labels.get(ref);
    if (id !== undefined) return id;
    if (/^\d+$/.test(ref)) return Number(ref);
    return fail(`unknown message label ${quote(ref)} (labels are set with "as")`);
  }

  async step(step: Step): Promise<string[]> {
    switch (step.kind) {
      case 'say': {
        const chat: Chat = step.group !== undefined ? { groupId: step.group } : { userId: step.from };
        this.chat = chat;
        const who = chat.groupId !== undefined ? this.sim.member(chat.groupId, step.from) : this.sim.friend(step.from);
        const said = await who.say(step.say, step.quote !== undefined ? { quote: this.resolve(step.quote) } : {});
        this.lastSaid = said;
        if (step.as !== undefined) this.labels.set(step.as, said.stored.message_id);
        if (step.expect !== undefined) return this.expect(chat, step.expect);
        if (step.no_reply !== undefined && step.no_reply !== false) return this.noReply(chat, step.no_reply);
        return [];
      }
      case 'expect': {
        const chat = chatOfStep(step.in, this.chat) ?? fail('expect: no chat yet (say something first, or give "in")');
        const problems = await this.expect(chat, step.expect);
        if (problems.length === 0 && step.as !== undefined) this.labels.set(step.as, this.lastReply!.messageId);
        return problems;
      }
      case 'no_reply':
        if (step.no_reply === false) return [];
        return this.noReply(chatOfStep(step.in, this.chat) ?? fail('no_reply: no chat yet (say something first, or give "in")'), step.no_reply);
      case 'join':
        await this.sim.perform((w) => w.join(step.join.group, step.join.user, { subType: step.join.invite === true ? 'invite' : 'approve', ...(step.join.by !== undefined ? { operatorId: step.join.by } : {}), ...(step.join.card !== undefined ? { card: step.join.card } : {}) }));
        return [];
      case 'leave':
        await this.sim.perform((w) => w.memberLeave(step.leave.group, step.leave.user));
        return [];
      case 'recall': {
        const id = this.resolve(step.recall);
        await this.sim.perform((w) => w.recall(id, step.by ?? w.message(id).user_id));
        return [];
      }
      case 'poke':
        await this.sim.perform((w) => w.poke(step.poke.from, step.poke.target ?? w.bot.user_id, step.poke.group));
        return [];
      case 'wait':
        await new Promise((r) => setTimeout(r, step.wait));
        return [];
    }
  }

  private async expect(chat: Chat, e: ExpectStep): Promise<string[]> {
    let reply: Reply;
    try {
      reply = await this.sim.nextReply(chat, e.within !== undefined ? { within: e.within } : {});
    } catch (err) {
      if (err instanceof OneBotError && err.code === ErrorCode.ReplyTimeout) return [err.message];
      throw err;
    }
    this.lastReply = reply;
    const expectation: ReplyExpectation = {
      ...(e.text !== undefined ? { text: e.text } : {}),
      ...(e.contains !== undefined ? { contains: e.contains } : {}),
      ...(e.regex !== undefined ? { regex: e.regex } : {}),
      ...(e.segments !== undefined ? { segments: e.segments } : {}),
      ...(e.mentions !== undefined ? { mentions: e.mentions } : {}),
      ...(e.quotes !== undefined ? { quotes: typeof e.quotes === 'boolean' ? e.quotes : this.resolve(e.quotes) } : {}),
    };
    return replyProblems(reply, expectation);
  }

  private async noReply(chat: Chat, within: number | true): Promise<string[]> {
    const ms = within === true ? 1000 : within;
    try {
      const reply = await this.sim.nextReply(chat, { within: ms });
      this.lastReply = reply;
      return [`expected no reply in ${describeChat(chat)} within ${ms} ms, got ${quote(reply.raw)}`];
    } catch (err) {
      if (err instanceof OneBotError && err.code === ErrorCode.ReplyTimeout) return [];
      throw err;
    }
  }
}

const fail = (message: string): never => {
  throw new WorldError('no_such_message', message);
};
