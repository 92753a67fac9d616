import { filter, type OperatorFunction } from 'rxjs';

/**
 * Type guards and a narrowing operator for event streams, so
 * `client.messages$.pipe(filter(isGroup))` is an `Observable<GroupMessageEvent>`.
 */

/** Anything with a `message_type` (message and message_sent events). */
type WithMessageType = { readonly message_type: string };

/**
 * A group message (or group `message_sent`).
 *
 * @example
 * import { createTextMessage, isGroup } from 'onebot-rx';
 * import { filter, from, lastValueFrom, toArray } from 'rxjs';
 * const messages = [
 *   createTextMessage({ selfId: 1, messageType: 'group', groupId: 3, text: 'hi all' }),
 *   createTextMessage({ selfId: 1, messageType: 'private', targetId: 2, text: 'hi you' }),
 * ];
 * // As with client.messages$.pipe(filter(isGroup)): the result is typed GroupMessageEvent.
 * const groups = await lastValueFrom(from(messages).pipe(filter(isGroup), toArray()));
 * groups.map((m) => m.group_id); // [3]
 *
 * @since 0.1.0
 * @category client
 */
export const isGroup = <E extends WithMessageType>(e: E): e is Extract<E, { message_type: 'group' }> => e.message_type === 'group';

/** A private message (or private `message_sent`). @since 0.1.0 @category client */
export const isPrivate = <E extends WithMessageType>(e: E): e is Extract<E, { message_type: 'private' }> => e.message_type === 'private';

/** @internal Detail-type field of each `post_type`. */
const DETAIL: Readonly<Record<string, string>> = {
  message: 'message_type',
  message_sent: 'message_type',
  notice: 'notice_type',
  request: 'request_type',
  meta_event: 'meta_event_type',
};

/** Events whose `post_type` is `P` and, when given, whose detail type is `D`. @since 0.1.0 @category client */
export type EventOf<E, P extends string, D extends string | undefined> = Extract<
  E,
  { post_type: P } & (D extends string
    ? P extends 'message' | 'message_sent'
      ? { message_type: D }
      : P extends 'notice'
        ? { notice_type: D }
        : P extends 'request'
          ? { request_type: D }
          : P extends 'meta_event'
            ? { meta_event_type: D }
            : unknown
    : unknown)
>;

/**
 * Keeps the events of one `post_type` (and optionally one detail type), narrowing the type.
 *
 * @example
 * import { createNoticeEvent, createTextMessage, ofType, type OneBotEvent } from 'onebot-rx';
 * import { from, lastValueFrom, toArray } from 'rxjs';
 * const events: OneBotEvent[] = [
 *   createTextMessage({ selfId: 1, messageType: 'private', userId: 2, text: 'hi' }),
 *   createNoticeEvent(1, { notice_type: 'group_increase', sub_type: 'approve', group_id: 3, operator_id: 4, user_id: 5 }),
 * ];
 * // As with client.events$.pipe(ofType('notice', 'group_increase')): typed GroupIncreaseNotice.
 * const joined = await lastValueFrom(from(events).pipe(ofType('notice', 'group_increase'), toArray()));
 * joined.map((n) => n.user_id); // [5]
 *
 * @since 0.1.0
 * @category client
 */
export const ofType = <E extends { readonly post_type: string }, P extends E['post_type'], D extends string | undefined = undefined>(
  postType: P,
  detailType?: D,
): OperatorFunction<E, EventOf<E, P, D>> => {
  const field = DETAIL[postType];
  return filter(
    (e: E): e is EventOf<E, P, D> =>
      e.post_type === postType &&
      (detailType === undefined || (field !== undefined && (e as unknown as Record<string, unknown>)[field] === detailType)),
  );
};
