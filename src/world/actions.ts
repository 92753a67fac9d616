import { ErrorCode, OneBotError } from '../protocol/errors';
import type { ActionName, ActionParams } from '../protocol/codecs/api';
import type { ApiRequest } from '../protocol/codecs/frames';
import type { Segment } from '../protocol/codecs/segments';
import { normalizeMessage } from '../protocol/cq';
import { segment } from '../protocol/segment';
import type { StoredMessage } from './spec';
import { WorldError, type Chat, type Outcome, type World } from './world';

/**
 * The API actions the world answers (docs/protocol.md §5), as pure functions of the world and the
 * decoded params (defaults filled by `ApiActions`): each returns its `data` and the events it
 * caused, or throws a {@link WorldError} (answered with retcode 100). The client glue
 * (`attachWorld`) registers each with `client.handle`.
 */

/** A message the bot sent, as the send actions stored it. @since 0.2.0 @category world */
export interface BotMessage {
  /** The action as called, suffix included. */
  readonly action: string;
  readonly stored: StoredMessage;
  /** The API request that carried it (set by `attachWorld`). */
  readonly request?: ApiRequest;
}

/** What a world action returns: {@link Outcome} plus the bot messages it stored. @since 0.2.0 @category world */
export interface ActionOutcome<D = unknown> extends Outcome<D> {
  readonly sent: readonly BotMessage[];
  /** Parts of a quick operation the world refused (the rest was carried out). */
  readonly refused: readonly WorldError[];
}

/** One world-backed action: the world, the decoded params and the action as called. @since 0.2.0 @category world */
export type WorldAction<A extends ActionName> = (world: World, params: ActionParams<A>, action: string) => ActionOutcome;

const done = <D>(data: D, outcome: Partial<ActionOutcome> = {}): ActionOutcome<D> => ({ data, events: outcome.events ?? [], sent: outcome.sent ?? [], refused: outcome.refused ?? [] });
const fromOutcome = (o: Outcome<unknown>): ActionOutcome => done(o.data, { events: o.events });

const chatOf = (messageType: 'private' | 'group', userId: number | undefined, groupId: number | undefined): Chat =>
  messageType === 'group' ? { groupId: groupId! } : { userId: userId! };

const send = (world: World, action: string, chat: Chat, message: Parameters<typeof normalizeMessage>[0], autoEscape: boolean): ActionOutcome<{ message_id: number }> => {
  const stored = world.botSend(chat, normalizeMessage(message, autoEscape));
  return done({ message_id: stored.message_id }, { sent: [{ action, stored }] });
};

/**
 * `.handle_quick_operation` (§3.7): for a message event, `reply` (with an @ of a group sender when
 * `at_sender`, the spec's default), then `delete`, `kick` and `ban` of the triggering message's
 * sender, each carried out as the bot. A part the world refuses is reported in `refused`; the rest
 * still happens. Request events have nothing to change in the world.
 */
const quickOperation: WorldAction<'.handle_quick_operation'> = (world, { context, operation }, action) => {
  if (context.post_type !== 'message') return done(null);
  const isGroup = context.message_type === 'group';
  const userId = typeof context.user_id === 'number' ? context.user_id : undefined;
  const groupId = typeof context.group_id === 'number' ? context.group_id : undefined;
  const anonymous = context.anonymous !== undefined && context.anonymous !== null;
  const sent: BotMessage[] = [];
  const events: ActionOutcome['events'][number][] = [];
  const refused: WorldError[] = [];
  const attempt = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (e instanceof WorldError) refused.push(e);
      else throw e;
    }
  };
  if (operation.reply !== undefined && (isGroup ? groupId : userId) === undefined) {
    // Nowhere to reply to: a bad request (1400), as the client's built-in answers it.
    throw new OneBotError(ErrorCode.InvalidParams, `invalid params for ${action}: context.${isGroup ? 'group_id' : 'user_id'} is required to reply`, { retcode: 1400 });
  }
  if (operation.reply !== undefined) {
    let message: Segment[] = normalizeMessage(operation.reply, operation.auto_escape);
    if (isGroup && operation.at_sender && !anonymous && userId !== undefined) message = [segment.at(userId), segment.text(' '), ...message];
    const chat: Chat = isGroup ? { groupId: groupId! } : { userId: userId! };
    attempt(() => sent.push({ action, stored: world.botSend(chat, message) }));
  }
  if (isGroup && groupId !== undefined) {
    const messageId = typeof context.message_id === 'number' ? context.message_id : undefined;
    if (operation.delete && messageId !== undefined) attempt(() => events.push(...world.recall(messageId).events));
    if (operation.kick && !anonymous && userId !== undefined) attempt(() => events.push(...world.kick(groupId, userId).events));
    if (operation.ban && !anonymous && userId !== undefined) attempt(() => events.push(...world.ban(groupId, userId, operation.ban_duration).events));
  }
  return done(null, { sent, events, refused });
};

/**
 * Every world-backed action. `get_login_info` answers the world's bot; the send actions store what
 * the bot sends (and answer its id); the rest read or change the world.
 *
 * @since 0.2.0
 * @category world
 */
export const WORLD_ACTIONS: { readonly [A in ActionName]?: WorldAction<A> } = {
  get_login_info: (w) => done(w.loginInfo()),
  send_msg: (w, p, action) => send(w, action, chatOf(p.message_type, p.user_id, p.group_id), p.message, p.auto_escape),
  send_private_msg: (w, p, action) => send(w, action, { userId: p.user_id }, p.message, p.auto_escape),
  send_group_msg: (w, p, action) => send(w, action, { groupId: p.group_id }, p.message, p.auto_escape),
  '.handle_quick_operation': quickOperation,
  get_msg: (w, p) => done(w.getMsg(p.message_id)),
  delete_msg: (w, p) => fromOutcome(w.recall(p.message_id)),
  get_forward_msg: (w, p) => done(w.getForward(p.id)),
  send_group_forward_msg: (w, p, action) => forward(w, action, { groupId: p.group_id }, p.messages),
  send_private_forward_msg: (w, p, action) => forward(w, action, { userId: p.user_id }, p.messages),
  get_stranger_info: (w, p) => done(w.strangerInfo(p.user_id)),
  get_friend_list: (w) => done(w.friendList()),
  get_group_info: (w, p) => done(w.groupInfo(p.group_id)),
  get_group_list: (w) => done(w.groupList()),
  get_group_member_info: (w, p) => done(w.memberInfo(p.group_id, p.user_id)),
  get_group_member_list: (w, p) => done(w.memberList(p.group_id)),
  set_group_kick: (w, p) => fromOutcome(w.kick(p.group_id, p.user_id)),
  set_group_ban: (w, p) => fromOutcome(w.ban(p.group_id, p.user_id, p.duration)),
  set_group_whole_ban: (w, p) => fromOutcome(w.wholeBan(p.group_id, p.enable)),
  set_group_card: (w, p) => fromOutcome(w.setCard(p.group_id, p.user_id, p.card)),
  set_group_admin: (w, p) => fromOutcome(w.setAdmin(p.group_id, p.user_id, p.enable)),
  set_group_name: (w, p) => fromOutcome(w.setName(p.group_id, p.group_name)),
  set_group_leave: (w, p) => fromOutcome(w.leave(p.group_id, p.is_dismiss)),
  set_group_special_title: (w, p) => fromOutcome(w.setTitle(p.group_id, p.user_id, p.special_title)),
};

function forward(world: World, action: string, chat: Chat, messages: Parameters<typeof normalizeMessage>[0]): ActionOutcome {
  const { message_id, forward_id, stored } = world.sendForward(chat, normalizeMessage(messages));
  return done({ message_id, forward_id }, { sent: [{ action, stored }] });
}

/**
 * Runs one world action by base name; `undefined` for an action the world does not answer.
 *
 * @example
 * import { createWorld, runWorldAction } from 'onebot-rx/world';
 * const w = createWorld({ bot: { user_id: 1 } }, { now: () => 0 });
 * runWorldAction(w, 'get_login_info', {})?.data; // { user_id: 1, nickname: 'onebot-rx' }
 *
 * @since 0.2.0
 * @category world
 */
export const runWorldAction = (world: World, action: string, params: Record<string, unknown>, calledAs: string = action): ActionOutcome | undefined => {
  if (!Object.prototype.hasOwnProperty.call(WORLD_ACTIONS, action)) return undefined;
  const run = WORLD_ACTIONS[action as ActionName] as WorldAction<ActionName> | undefined;
  return run?.(world, params as never, calledAs);
};
