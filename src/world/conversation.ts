import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { MessageInput, Segment } from '../protocol/codecs/segments';
import { normalizeMessage, toCQ } from '../protocol/cq';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { segment } from '../protocol/segment';
import type { BotMessage } from './actions';
import { attachWorld, type AttachWorldOptions, type WorldAttachment, type WorldHost } from './attach';
import type { StoredMessage } from './spec';
import type { Chat, Outcome, Said, World } from './world';

/**
 * Scripted conversations (docs/guides/conversations.md): simulated friends and group members say
 * things to the application under test, and the test awaits the bot's next reply in that chat, with
 * a time limit kept on an injectable scheduler. Replies are queued per chat from the moment the
 * simulation starts, so a reply that arrives before the test asks for it is never missed.
 */

/** @since 0.2.0 @category world */
export interface SimulationOptions extends AttachWorldOptions {
  /** Where reply time limits run (a `TestScheduler` or `VirtualTimeScheduler` in tests). @defaultValue asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Default time limit of {@link Conversation.nextReply}, ms. @defaultValue 5000 */
  readonly replyTimeout?: number;
  /** Replies kept per chat that nobody asked for yet; the oldest is dropped beyond it. @defaultValue 100 */
  readonly maxPendingReplies?: number;
}

/** @since 0.2.0 @category world */
export const DEFAULT_SIMULATION_OPTIONS = Object.freeze({ replyTimeout: 5000, maxPendingReplies: 100 });

/**
 * A message the bot sent, as a test sees it.
 * @since 0.2.0 @category world
 */
export interface Reply {
  readonly messageId: number;
  /** The action that sent it (`send_group_msg`, `.handle_quick_operation`...). */
  readonly action: string;
  readonly chat: Chat;
  readonly segments: Segment[];
  /** The text segments joined and trimmed (an @ prefix leaves a leading space otherwise). */
  readonly text: string;
  /** CQ-code form. */
  readonly raw: string;
  /** The `message_id` its `reply` segment quotes, if any. */
  readonly quoteId: number | undefined;
  /** The quoted message as the store held it when the reply arrived (absent if gone or none). */
  readonly quote: StoredMessage | undefined;
  /** The `qq` of every `at` segment. */
  readonly mentions: string[];
  readonly stored: StoredMessage;
}

/** Builds a {@link Reply} from a stored bot message. @since 0.2.0 @category world */
export const toReply = (world: World, sent: BotMessage): Reply => {
  const { stored } = sent;
  const segments = stored.message;
  const replySegment = segments.find((s) => s.type === 'reply');
  const quoteId = replySegment === undefined ? undefined : Number((replySegment.data as { id?: unknown }).id);
  return {
    messageId: stored.message_id,
    action: sent.action,
    chat: world.chatOf(stored),
    segments,
    text: textOf(segments),
    raw: toCQ(segments),
    quoteId: quoteId !== undefined && Number.isFinite(quoteId) ? quoteId : undefined,
    quote: quoteId === undefined ? undefined : world.store.getMessage(quoteId),
    mentions: segments.filter((s) => s.type === 'at').map((s) => String((s.data as { qq?: unknown }).qq)),
    stored,
  };
};

/** The text segments of a message, joined and trimmed. @since 0.2.0 @category world */
export const textOf = (segments: readonly Segment[]): string =>
  segments
    .filter((s) => s.type === 'text')
    .map((s) => String((s.data as { text?: unknown }).text ?? ''))
    .join('')
    .trim();

/** The key of a chat: `group:<id>` or `private:<user>`. @since 0.2.0 @category world */
export const chatKey = (chat: Chat): string => (chat.groupId !== undefined ? `group:${chat.groupId}` : `private:${chat.userId}`);

/** How a chat reads in messages: `group 30001` or `private chat with 20001`. @since 0.2.0 @category world */
export const describeChat = (chat: Chat): string => (chat.groupId !== undefined ? `group ${chat.groupId}` : `private chat with ${chat.userId}`);

/** Options of a wait for a reply. @since 0.2.0 @category world */
export interface WaitOptions {
  /** Time limit, ms. @defaultValue the simulation's `replyTimeout` */
  readonly within?: number;
}

/** Options of {@link Conversation.say}. @since 0.2.0 @category world */
export interface SayOptions {
  /** Quote an earlier message (its id, or anything with a `messageId` / `stored`): a `reply` segment goes first, as QQ puts it. */
  readonly quote?: number | { readonly messageId: number } | Said;
}

/**
 * One person in one chat: a group member in their group, or a friend in the private chat.
 * @since 0.2.0 @category world
 */
export interface Conversation {
  readonly userId: number;
  readonly chat: Chat;
  /** Says `message` (CQ string, segment or segments); resolves once delivered to the application. */
  say(message: MessageInput, options?: SayOptions): Promise<Said>;
  /** The bot's next message in this chat (queued ones first); rejects `ONEBOT_REPLY_TIMEOUT`. */
  nextReply(options?: WaitOptions): Promise<Reply>;
  /** `say`, then `nextReply`. */
  ask(message: MessageInput, options?: SayOptions & WaitOptions): Promise<Reply>;
  /** Resolves when the bot stays silent in this chat for `within` ms; rejects `ONEBOT_UNEXPECTED_REPLY` otherwise. */
  expectNoReply(options?: WaitOptions): Promise<void>;
  /** This person recalls one of their messages (a `group_recall` / `friend_recall` notice). */
  recall(messageId: number | Said): Promise<void>;
  /** This person pokes `targetId` (default: the bot). */
  poke(targetId?: number): Promise<void>;
}

/** @since 0.2.0 @category world */
export interface Simulation {
  readonly world: World;
  readonly attachment: WorldAttachment;
  /** A member of a group (added when unknown and the world's policy is `create`). */
  member(groupId: number, userId: number): Conversation;
  /** A private chat between `userId` and the bot. */
  friend(userId: number): Conversation;
  /** The bot's next message in `chat`. */
  nextReply(chat: Chat, options?: WaitOptions): Promise<Reply>;
  /** Runs a world command and delivers its events (join, leave, mute by a member...). */
  perform<D>(command: (world: World) => Outcome<D>): Promise<Outcome<D>>;
  /** Replies dropped because a chat's queue was full. */
  readonly dropped: number;
  /** Chats with replies queued or a wait pending (others are forgotten). */
  readonly pendingChats: number;
  /** Detaches the world and fails every pending wait. */
  close(): void;
}

interface Waiter {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: OneBotError) => void;
  readonly timer: Subscription;
}

interface ChatQueue {
  readonly replies: Reply[];
  readonly waiters: Waiter[];
}

/**
 * Attaches `world` to `client` and returns the handle a test scripts conversations with.
 *
 * @example
 * import { createClient } from 'onebot-rx';
 * import { createWorld, expectReply, simulate } from 'onebot-rx/world';
 * import { createReferenceServer } from 'onebot-rx/server';
 * // The application under test: here a reference server answering "got it", quoting the message.
 * const app = await createReferenceServer({ port: 0 });
 * app.on('event', ({ event }) => {
 *   if (event.post_type === 'message' && event.message_type === 'group') void app.callApi(10001, 'send_group_msg', { group_id: event.group_id, message: `[CQ:reply,id=${event.message_id}]got it` });
 * });
 * const client = createClient({ url: app.url, selfId: 10001 });
 * const world = createWorld({ bot: { user_id: 10001 }, groups: [{ group_id: 30001, members: [{ user_id: 20001, nickname: 'Alice' }] }] });
 * const sim = simulate(client, world, { replyTimeout: 3000 });
 * client.connect();
 * await app.waitForBot(10001);
 * const alice = sim.member(30001, 20001); // sim.friend(20001) would be a private chat
 * const reply = await alice.ask('hello');
 * reply.text === 'got it' && reply.quote?.user_id === 20001;
 * const again = await alice.ask('quoting you', { quote: reply, within: 2000 });
 * expectReply(again, { text: 'got it', quotes: again.quoteId, segments: [{ type: 'reply' }, { type: 'text' }] });
 * again.quote?.message[0]?.type === 'reply';
 * sim.close();
 * await client.disconnect();
 * await app.close();
 *
 * @since 0.2.0
 * @category world
 */
export const simulate = (client: WorldHost, world: World, options: SimulationOptions = {}): Simulation => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const replyTimeout = options.replyTimeout ?? DEFAULT_SIMULATION_OPTIONS.replyTimeout;
  const maxPending = options.maxPendingReplies ?? DEFAULT_SIMULATION_OPTIONS.maxPendingReplies;
  const attachment = attachWorld(client, world, options);
  const queues = new Map<string, ChatQueue>();
  let dropped = 0;
  let closed = false;

  const queueOf = (chat: Chat): ChatQueue => {
    const key = chatKey(chat);
    let q = queues.get(key);
    if (q === undefined) queues.set(key, (q = { replies: [], waiters: [] }));
    return q;
  };

  /** Forgets a chat with nothing queued and nobody waiting, so the map holds only live chats. */
  const tidy = (chat: Chat, q: ChatQueue): void => {
    if (q.replies.length === 0 && q.waiters.length === 0) queues.delete(chatKey(chat));
  };

  const subscription = attachment.botMessages$.subscribe((sent) => {
    const reply = toReply(world, sent);
    const q = queueOf(reply.chat);
    const waiter = q.waiters.shift();
    if (waiter !== undefined) {
      waiter.timer.unsubscribe();
      tidy(reply.chat, q);
      waiter.resolve(reply);
      return;
    }
    q.replies.push(reply);
    if (q.replies.length > maxPending) {
      q.replies.shift();
      dropped++;
    }
  });

  const nextReply = (chat: Chat, opts: WaitOptions = {}): Promise<Reply> => {
    const q = queueOf(chat);
    const queued = q.replies.shift();
    if (queued !== undefined) {
      tidy(chat, q);
      return Promise.resolve(queued);
    }
    if (closed) {
      tidy(chat, q);
      return Promise.reject(new OneBotError(ErrorCode.ClientClosed, 'the simulation is closed'));
    }
    const within = opts.within ?? replyTimeout;
    return new Promise<Reply>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: scheduler.schedule(() => {
          const i = q.waiters.indexOf(waiter);
          if (i >= 0) q.waiters.splice(i, 1);
          tidy(chat, q);
          reject(new OneBotError(ErrorCode.ReplyTimeout, `no reply from the bot in ${describeChat(chat)} within ${within} ms`, { chat, within }));
        }, within),
      };
      q.waiters.push(waiter);
    });
  };

  const expectNoReply = (chat: Chat, opts: WaitOptions = {}): Promise<void> =>
    nextReply(chat, opts).then(
      (reply) => {
        throw new OneBotError(ErrorCode.UnexpectedReply, `expected no reply in ${describeChat(chat)}, got ${JSON.stringify(reply.raw)}`, { chat, reply: reply.raw });
      },
      (e: unknown) => {
        if (e instanceof OneBotError && e.code === ErrorCode.ReplyTimeout) return;
        throw e;
      },
    );

  const quoteId = (q: SayOptions['quote']): number | undefined => {
    if (q === undefined) return undefined;
    if (typeof q === 'number') return q;
    return 'messageId' in q ? q.messageId : q.stored.message_id;
  };

  const conversation = (userId: number, chat: Chat): Conversation => {
    const self: Conversation = {
      userId,
      chat,
      say: (message, opts = {}) => {
        const quoted = quoteId(opts.quote);
        const content = quoted === undefined ? message : [segment.reply(quoted), ...normalizeMessage(message)];
        return attachment.say(userId, chat, content);
      },
      nextReply: (opts) => nextReply(chat, opts),
      ask: async (message, opts = {}) => {
        await self.say(message, opts);
        return nextReply(chat, opts);
      },
      expectNoReply: (opts) => expectNoReply(chat, opts),
      recall: async (message) => {
        const id = typeof message === 'number' ? message : message.stored.message_id;
        await attachment.perform((w) => w.recall(id, userId));
      },
      poke: async (targetId = world.bot.user_id) => {
        await attachment.perform((w) => w.poke(userId, targetId, chat.groupId));
      },
    };
    return self;
  };

  return {
    world,
    attachment,
    member: (groupId, userId) => conversation(userId, { groupId }),
    friend: (userId) => conversation(userId, { userId }),
    nextReply,
    perform: (command) => attachment.perform(command),
    get dropped() {
      return dropped;
    },
    get pendingChats() {
      return queues.size;
    },
    close: () => {
      if (closed) return;
      closed = true;
      subscription.unsubscribe();
      attachment();
      for (const q of queues.values()) {
        for (const w of q.waiters.splice(0)) {
          w.timer.unsubscribe();
          w.reject(new OneBotError(ErrorCode.ClientClosed, 'the simulation was closed while waiting for a reply'));
        }
      }
    },
  };
};
