import type { SchedulerLike } from 'rxjs';
import { messageToCQ } from '../protocol/cq';
import { attachWorld, type WorldAttachment } from '../world/attach';
import type { WorldSpecInput } from '../world/spec';
import { World, createWorld } from '../world/world';
import type { SentMessage } from './builtins';
import type { OneBotClient } from './types';

/**
 * The simulated world a client answers from out of the box (docs/guides/conversations.md), so
 * `get_msg`, `get_group_member_info` and the group management actions work with no extra code.
 * Attached on the first API call, so an idle client holds no world; actions the user registered with
 * `handle()` before that keep the user's handler.
 */

/** The `world` option: a world, a declaration of one, or `false` for the plain built-ins. @since 0.2.0 @category client */
export type WorldOption = World | WorldSpecInput | false;

/** @internal */
export interface DefaultWorldHost extends Pick<OneBotClient, 'selfId' | 'handle' | 'send'> {
  readonly nickname: string;
  readonly scheduler: SchedulerLike;
  readonly messageFormat: 'array' | 'string';
}

/** For a group reply: the user it answers (`user_id`, or the quick operation's context). */
const senderOf = (request: { params: Record<string, unknown> } | undefined): number | undefined => {
  const direct = request?.params.user_id;
  if (typeof direct === 'number') return direct;
  const context = request?.params.context as { user_id?: unknown } | undefined;
  return typeof context?.user_id === 'number' ? context.user_id : undefined;
};

/** Builds the world of `option` (the default: just the bot account) and attaches it. @internal */
export const attachDefaultWorld = (
  option: WorldOption | undefined,
  host: DefaultWorldHost,
  userActions: ReadonlySet<string>,
  sent: (message: SentMessage) => void,
): WorldAttachment | undefined => {
  if (option === false) return undefined;
  const world =
    option instanceof World
      ? option
      : createWorld(
          { bot: { user_id: host.selfId, nickname: host.nickname }, ...option },
          { now: () => host.scheduler.now(), messageFormat: host.messageFormat },
        );
  const attachment = attachWorld(host, world, { except: [...userActions] });
  // The world answers the send actions: what they carry is still the client's `sent$`.
  attachment.botMessages$.subscribe(({ action, stored, request }) =>
    sent({
      action,
      messageType: stored.message_type,
      userId: stored.message_type === 'private' ? stored.peer_id : senderOf(request),
      groupId: stored.group_id,
      message: stored.message,
      rawMessage: messageToCQ(stored.message),
      messageId: stored.message_id,
      request: request ?? { action, params: {} },
    }),
  );
  return attachment;
};
