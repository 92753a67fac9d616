import { Subject, type Observable } from 'rxjs';
import type { ActionName } from '../protocol/codecs/api';
import type { MessageEvent, NoticeEvent } from '../protocol/codecs/events';
import type { MessageInput } from '../protocol/codecs/segments';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { OneBotClient } from '../client/types';
import { WORLD_ACTIONS, runWorldAction, type BotMessage } from './actions';
import type { Chat, Outcome, Said, World } from './world';

/**
 * The client glue of the world (docs/guides/conversations.md): registers every world-backed action
 * with `client.handle` (so a handler registered later still overrides it), sends the notices the
 * world emits with `client.send`, and reports the messages the bot sends. Uses only the client's
 * public API.
 */

/** The part of a client the world needs. @since 0.2.0 @category world */
export type WorldHost = Pick<OneBotClient, 'selfId' | 'handle' | 'send'>;

/** @since 0.2.0 @category world */
export interface AttachWorldOptions {
  /**
   * Actions to leave to the client (its built-ins or the user's handlers), e.g. `['get_login_info']`.
   * @defaultValue none: every action in {@link WORLD_ACTIONS}
   */
  readonly except?: readonly string[];
}

/**
 * An attached world: call it to detach (restores the handlers it replaced, completes its streams).
 * @since 0.2.0 @category world
 */
export interface WorldAttachment {
  (): void;
  readonly world: World;
  /** Every message the bot sent through the world-backed send actions, once stored. */
  readonly botMessages$: Observable<BotMessage>;
  /** Every event the world emitted (user messages, notices), as handed to `client.send`. */
  readonly events$: Observable<MessageEvent | NoticeEvent>;
  /** Sends the world emitted that failed (not delivered), and refusals inside quick operations. */
  readonly errors$: Observable<OneBotError>;
  /** A simulated user says something: stored, then sent to the application; resolves once sent. */
  say(userId: number, chat: Chat, message: MessageInput): Promise<Said>;
  /**
   * Runs a world command (`w => w.join(g, u)`, `w => w.recall(id, u)`...) and sends the events it
   * caused, in order; resolves with its outcome once they were sent.
   */
  perform<D>(command: (world: World) => Outcome<D>): Promise<Outcome<D>>;
  /** `true` once detached. */
  readonly detached: boolean;
}

/**
 * Makes `client` answer from `world`: `get_msg`, `delete_msg` (with its recall notice), the
 * friend/group/member queries, group management (with its notices), forwards, and the send actions,
 * which store every message the bot sends. Throws `ONEBOT_INVALID_WORLD` when the world's bot is not
 * the client's `selfId`.
 *
 * The send actions are answered by the world, not by the client's built-ins, so while attached the
 * messages they carry are reported on the attachment's `botMessages$` (with the world's
 * `message_id`), not on `client.sent$`.
 *
 * @example
 * import { createClient } from 'onebot-rx';
 * import { createWorld, attachWorld } from 'onebot-rx/world';
 * import { createReferenceServer } from 'onebot-rx/server';
 * const app = await createReferenceServer({ port: 0 }); // stands in for NoneBot2, Koishi...
 * const client = createClient({ url: app.url, selfId: 10001 });
 * const world = createWorld({ bot: { user_id: 10001, nickname: 'Bot' }, groups: [{ group_id: 1, members: [{ user_id: 2, role: 'admin' }] }] });
 * const detach = attachWorld(client, world);
 * client.connect();
 * await app.waitForBot(10001);
 * const answer = await app.callApi(10001, 'get_group_member_info', { group_id: 1, user_id: 2 });
 * (answer.data as { role: string }).role === 'admin';
 * detach();
 * await client.disconnect();
 * await app.close();
 *
 * @since 0.2.0
 * @category world
 */
export const attachWorld = (client: WorldHost, world: World, options: AttachWorldOptions = {}): WorldAttachment => {
  if (world.bot.user_id !== client.selfId) {
    throw new OneBotError(ErrorCode.InvalidWorld, `the world's bot ${world.bot.user_id} is not the client's selfId ${client.selfId}`, {
      errors: [`bot.user_id: expected ${client.selfId} (the client's selfId), got ${world.bot.user_id}`],
    });
  }
  const botMessages = new Subject<BotMessage>();
  const events = new Subject<MessageEvent | NoticeEvent>();
  const errors = new Subject<OneBotError>();
  const except = new Set(options.except ?? []);
  let detached = false;

  const emit = (event: MessageEvent | NoticeEvent): Promise<void> => {
    events.next(event);
    return client.send(event).catch((e: unknown) => {
      const error = e instanceof OneBotError ? e : new OneBotError(ErrorCode.HandlerFailed, String(e), {}, { cause: e });
      errors.next(error);
      throw error;
    });
  };

  const undos = Object.keys(WORLD_ACTIONS)
    .filter((action) => !except.has(action))
    .map((action) =>
      client.handle(action as ActionName, (params, request) => {
        const out = runWorldAction(world, action, params as Record<string, unknown>, request.action)!;
        for (const sent of out.sent) botMessages.next({ ...sent, request });
        // Notices go out in order; a failed send is reported on errors$, never thrown at the caller.
        for (const event of out.events) emit(event).catch(() => undefined);
        for (const refused of out.refused) errors.next(refused);
        return out.data;
      }),
    );

  const detach = (): void => {
    if (detached) return;
    detached = true;
    for (const undo of undos.reverse()) undo();
    botMessages.complete();
    events.complete();
    errors.complete();
  };

  const attachment = Object.assign(detach, {
    world,
    botMessages$: botMessages.asObservable(),
    events$: events.asObservable(),
    errors$: errors.asObservable(),
    async say(userId: number, chat: Chat, message: MessageInput): Promise<Said> {
      const said = world.say(userId, chat, message);
      await emit(said.event);
      return said;
    },
    async perform<D>(command: (w: World) => Outcome<D>): Promise<Outcome<D>> {
      const outcome = command(world);
      for (const event of outcome.events) await emit(event);
      return outcome;
    },
  });
  // A live getter (Object.assign would copy its value once).
  Object.defineProperty(attachment, 'detached', { get: () => detached, enumerable: true });
  return attachment as WorldAttachment;
};
