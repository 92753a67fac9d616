import type { ApiRequest } from '../protocol/codecs/frames';
import type { ActionParams } from '../protocol/codecs/api';
import type { Segment } from '../protocol/codecs/segments';
import type { ApiHandler, ApiHandlers } from '../protocol/answer';
import { messageToCQ, normalizeMessage } from '../protocol/cq';
import { segment } from '../protocol/segment';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { LIBRARY_VERSION } from '../transport/socket-factory';
import type { ClientStatus } from './options';

/**
 * The API actions a client answers out of the box. A user's `client.handle()` overrides any of them.
 */

/**
 * A message the server asked the bot to send (`send_msg`, `send_private_msg`, `send_group_msg`, or
 * the `reply` of `.handle_quick_operation`), emitted on `client.sent$` by the built-in handlers.
 *
 * @since 0.1.0
 * @category client
 */
export interface SentMessage {
  /** The action as called (suffix included). */
  readonly action: string;
  readonly messageType: 'private' | 'group';
  readonly userId: number | undefined;
  readonly groupId: number | undefined;
  /** The message as segments (a CQ string is parsed unless `auto_escape`). */
  readonly message: Segment[];
  /** CQ-code form of `message`. */
  readonly rawMessage: string;
  /** The id answered to the server. */
  readonly messageId: number;
  readonly request: ApiRequest;
}

/** What the built-ins need from their client. @internal */
export interface BuiltinContext {
  readonly selfId: number;
  readonly nickname: string;
  readonly status: () => ClientStatus;
  readonly nextMessageId: () => number;
  /** Told of every message the server asked the bot to send. */
  readonly sent: (message: SentMessage) => void;
}

const invalidParams = (action: string, message: string): OneBotError =>
  new OneBotError(ErrorCode.InvalidParams, `invalid params for ${action}: ${message}`, { retcode: 1400 });

/** The built-in handlers of one client. @internal */
export const createBuiltins = (ctx: BuiltinContext): ApiHandlers => {
  const emitSent = (request: ApiRequest, messageType: 'private' | 'group', userId: number | undefined, groupId: number | undefined, message: Segment[]): number => {
    const messageId = ctx.nextMessageId();
    ctx.sent({ action: request.action, messageType, userId, groupId, message, rawMessage: messageToCQ(message), messageId, request });
    return messageId;
  };

  /** `send_msg` and friends: report the message on `sent$`, answer a fresh message id. */
  const sendMessage =
    (fixed: 'private' | 'group' | undefined): ApiHandler =>
    (p, request) => {
      const params = p as Record<string, unknown>;
      const userId = params.user_id as number | undefined;
      const groupId = params.group_id as number | undefined;
      // send_msg: honour message_type; without it go-cqhttp's rule (user_id present → private).
      const messageType = fixed ?? (params.message_type as 'private' | 'group' | undefined) ?? (userId !== undefined ? 'private' : 'group');
      if (messageType === 'private' ? userId === undefined : groupId === undefined) {
        throw invalidParams(request.action, `${messageType === 'private' ? 'user_id' : 'group_id'} is required`);
      }
      const message = normalizeMessage(params.message as Parameters<typeof normalizeMessage>[0], params.auto_escape === true);
      return { message_id: emitSent(request, messageType, userId, messageType === 'group' ? groupId : undefined, message) };
    };

  /**
   * `.handle_quick_operation` (docs/protocol.md §3.7, §5.3; aiocqhttp sends it for every handler
   * that returns a dict): a `reply` to a message event is sent like `send_msg`, to the sender of a
   * private message or the group of a group message, with an @ of the sender first when `at_sender`
   * (the spec's default) unless the sender was anonymous. The other operations have no effect to
   * carry out on the bot side and are accepted.
   */
  const quickOperation: ApiHandler = (p, request) => {
    const { context, operation } = p as ActionParams<'.handle_quick_operation'>;
    if (context.post_type !== 'message' || operation.reply === undefined) return null;
    const isGroupMessage = context.message_type === 'group';
    const userId = typeof context.user_id === 'number' ? context.user_id : undefined;
    const groupId = typeof context.group_id === 'number' ? context.group_id : undefined;
    if (isGroupMessage ? groupId === undefined : userId === undefined) {
      throw invalidParams(request.action, `context.${isGroupMessage ? 'group_id' : 'user_id'} is required to reply`);
    }
    let message = normalizeMessage(operation.reply, operation.auto_escape);
    const anonymous = context.anonymous !== undefined && context.anonymous !== null;
    if (isGroupMessage && operation.at_sender && !anonymous && userId !== undefined) {
      message = [segment.at(userId), segment.text(' '), ...message];
    }
    emitSent(request, isGroupMessage ? 'group' : 'private', userId, isGroupMessage ? groupId : undefined, message);
    return null;
  };

  return {
    get_login_info: () => ({ user_id: ctx.selfId, nickname: ctx.nickname }),
    get_status: () => ctx.status(),
    get_version_info: () => ({ app_name: 'onebot-rx', app_version: LIBRARY_VERSION, protocol_version: 'v11' }),
    can_send_image: () => ({ yes: true }),
    can_send_record: () => ({ yes: true }),
    send_msg: sendMessage(undefined),
    send_private_msg: sendMessage('private'),
    send_group_msg: sendMessage('group'),
    '.handle_quick_operation': quickOperation,
  } as ApiHandlers;
};
