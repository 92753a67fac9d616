import * as t from 'io-ts';
import { Message, dispatchCodec, replaceLast } from './segments';

/**
 * Event codecs (docs/protocol.md §3). Every event is a JSON object with the envelope of §2.2 (`time` in
 * seconds, numeric `self_id`, `post_type`) plus the fields of its kind. Numbers are strict JSON
 * numbers (every implementation sends numbers). Unknown fields are always kept: implementations add
 * plenty (`message_format`, `real_id`, `temp_source`...), and apps read them.
 */

// ---------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------

/** Enumeration codec: errors read `expected "a" | "b"`. */
const oneOf = <const K extends string>(keys: readonly K[], name = keys.map((k) => JSON.stringify(k)).join(' | ')) =>
  t.keyof(Object.fromEntries(keys.map((k) => [k, null])) as { [P in K]: null }, name);

/** The base fields of every event (§2.2), each post type with its literal. */
const base = <P extends string>(postType: P) => ({ time: t.number, self_id: t.number, post_type: t.literal(postType) });

/** An object codec with required and optional fields, extra fields kept. */
const struct = <R extends t.Props, O extends t.Props>(required: R, optional: O, name: string) =>
  t.intersection([t.type(required), t.partial(optional)], name);

/** `null`, or `codec`. A missing key decodes to `null` as well (see {@link GroupMessageEvent}). */
const nullable = <A, O>(codec: t.Type<A, O, unknown>) =>
  new t.Type<A | null, O | null, unknown>(
    `${codec.name} | null`,
    (u): u is A | null => u === null || codec.is(u),
    (u, c) => (u === null || u === undefined ? t.success(null) : codec.validate(u, replaceLast(c, codec))),
    (a) => (a === null ? null : codec.encode(a)),
  );

/**
 * `inner` (an intersection with `t.UnknownRecord`) that reports a non-object once, under `name`,
 * instead of once per intersection member.
 */
const objectWith = <A, O>(inner: t.Type<A, O, unknown>, name: string) =>
  new t.Type<A, O, unknown>(
    name,
    inner.is,
    (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? inner.validate(u, replaceLast(c, inner)) : t.failure(u, c)),
    inner.encode,
  );

type AnyCodec = t.Type<any, any, unknown>;

/**
 * A dispatching codec over the events of one `post_type` (`MessageEvent`, `NoticeEvent`...): like
 * {@link OneBotEvent}, errors name the exact field instead of listing every member's complaints.
 */
const family = <A>(postType: string, name: string, members: AnyCodec[]) => {
  const tag = t.type({ post_type: t.literal(postType) }, name);
  return dispatchCodec<A>(
    name,
    members,
    (u) => (u.post_type === postType ? eventCodecOf(u) : undefined),
    (u) => (u.post_type === postType ? discriminatorFor(u) : tag),
  );
};

// ---------------------------------------------------------------------------------------------------
// Envelope and extension events
// ---------------------------------------------------------------------------------------------------

/**
 * The fields every event carries (§2.2): `time` (Unix seconds), `self_id`, `post_type`.
 * @since 0.1.0 @category events
 */
export const EventEnvelope = t.type({ time: t.number, self_id: t.number, post_type: t.string }, 'EventEnvelope');
/** @since 0.1.0 @category events */
export type EventEnvelope = t.TypeOf<typeof EventEnvelope>;

/**
 * An event we have no codec for (an unknown `post_type`, detail type, or `notify` sub type): the
 * envelope plus any other fields, all kept.
 *
 * @example
 * import { ExtensionEvent } from 'onebot-rx/protocol';
 * ExtensionEvent.decode({ time: 1, self_id: 2, post_type: 'notice', notice_type: 'group_msg_emoji_like' });
 *
 * @since 0.1.0
 * @category events
 */
export const ExtensionEvent = objectWith(t.intersection([EventEnvelope, t.UnknownRecord]), 'ExtensionEvent');
/** @since 0.1.0 @category events */
export type ExtensionEvent = t.TypeOf<typeof ExtensionEvent>;

// ---------------------------------------------------------------------------------------------------
// §3.1 meta_event
// ---------------------------------------------------------------------------------------------------

/**
 * Lifecycle meta event; a reverse-WS implementation sends `sub_type: "connect"`.
 * @since 0.1.0 @category events
 */
export const LifecycleEvent = t.type(
  { ...base('meta_event'), meta_event_type: t.literal('lifecycle'), sub_type: oneOf(['enable', 'disable', 'connect']) },
  'LifecycleEvent',
);
/** @since 0.1.0 @category events */
export type LifecycleEvent = t.TypeOf<typeof LifecycleEvent>;

/**
 * The `status` of a heartbeat (same content as `get_status`, §5.2): `online` (a boolean, or `null` when
 * unknown) and `good` (a boolean), plus any implementation extras (go-cqhttp `stat`, `app_good`...),
 * kept. Note NoneBot2's model wants `online` as a boolean: report `null` only when it is truly unknown.
 * @since 0.1.0 @category events
 */
export const HeartbeatStatus = objectWith(t.intersection([t.type({ online: t.union([t.boolean, t.null]), good: t.boolean }), t.UnknownRecord]), 'HeartbeatStatus');
/** @since 0.1.0 @category events */
export type HeartbeatStatus = t.TypeOf<typeof HeartbeatStatus>;

/**
 * Heartbeat meta event; `interval` is the time in **ms** until the next one.
 * @since 0.1.0 @category events
 */
export const HeartbeatEvent = t.type(
  { ...base('meta_event'), meta_event_type: t.literal('heartbeat'), status: HeartbeatStatus, interval: t.number },
  'HeartbeatEvent',
);
/** @since 0.1.0 @category events */
export type HeartbeatEvent = t.TypeOf<typeof HeartbeatEvent>;

/** @since 0.1.0 @category events */
export const MetaEvent = family<MetaEvent>('meta_event', 'MetaEvent', [LifecycleEvent, HeartbeatEvent]);
/** @since 0.1.0 @category events */
export type MetaEvent = LifecycleEvent | HeartbeatEvent;

// ---------------------------------------------------------------------------------------------------
// §3.2–3.4 messages
// ---------------------------------------------------------------------------------------------------

const Sex = oneOf(['male', 'female', 'unknown']);
const Role = oneOf(['owner', 'admin', 'member']);

/**
 * `sender` of a private message. Every field is best-effort (may be missing); (ext) go-cqhttp adds
 * `group_id` for temporary chats.
 * @since 0.1.0 @category events
 */
export const PrivateSender = t.partial({ user_id: t.number, nickname: t.string, sex: Sex, age: t.number, group_id: t.number }, 'PrivateSender');
/** @since 0.1.0 @category events */
export type PrivateSender = t.TypeOf<typeof PrivateSender>;

/**
 * `sender` of a group message. Every field is best-effort; meaningless for anonymous messages.
 * @since 0.1.0 @category events
 */
export const GroupSender = t.partial(
  { user_id: t.number, nickname: t.string, card: t.string, sex: Sex, age: t.number, area: t.string, level: t.string, role: Role, title: t.string },
  'GroupSender',
);
/** @since 0.1.0 @category events */
export type GroupSender = t.TypeOf<typeof GroupSender>;

/**
 * The anonymous identity of a group message (`flag` goes to `set_group_anonymous_ban`).
 * @since 0.1.0 @category events
 */
export const Anonymous = t.type({ id: t.number, name: t.string, flag: t.string }, 'Anonymous');
/** @since 0.1.0 @category events */
export type Anonymous = t.TypeOf<typeof Anonymous>;

const MessageFormat = oneOf(['array', 'string']);

const privateMessage = <P extends string>(postType: P, name: string) =>
  struct(
    {
      ...base(postType),
      message_type: t.literal('private'),
      sub_type: oneOf(['friend', 'group', 'other']),
      message_id: t.number,
      user_id: t.number,
      message: Message,
      raw_message: t.string,
      font: t.number,
      sender: PrivateSender,
    },
    // (ext) target_id: the peer (message_sent, some private reports); temp_source: go-cqhttp temp chats.
    { target_id: t.number, temp_source: t.number, message_format: MessageFormat },
    name,
  );

const groupMessage = <P extends string>(postType: P, name: string) =>
  t.type(
    {
      ...base(postType),
      message_type: t.literal('group'),
      sub_type: oneOf(['normal', 'anonymous', 'notice']),
      message_id: t.number,
      group_id: t.number,
      user_id: t.number,
      // Spec: always sent, `null` for ordinary messages. A missing key is read as `null` (lenient).
      anonymous: nullable(Anonymous),
      message: Message,
      raw_message: t.string,
      font: t.number,
      sender: GroupSender,
    },
    name,
  );

/**
 * Private message (§3.2). (ext) `target_id` (the peer), `message_format`, `temp_source`.
 * @since 0.1.0 @category events
 */
export const PrivateMessageEvent = privateMessage('message', 'PrivateMessageEvent');
/** @since 0.1.0 @category events */
export type PrivateMessageEvent = t.TypeOf<typeof PrivateMessageEvent>;

/**
 * Group message (§3.3). `anonymous` is `null` for ordinary messages.
 *
 * @example
 * import { GroupMessageEvent } from 'onebot-rx/protocol';
 * GroupMessageEvent.decode(JSON.parse('{"time":1700000000,"self_id":10001000,"post_type":"message","message_type":"group","sub_type":"normal","message_id":1234,"group_id":123456,"user_id":20002000,"anonymous":null,"message":"hi","raw_message":"hi","font":0,"sender":{}}'));
 *
 * @since 0.1.0
 * @category events
 */
export const GroupMessageEvent = groupMessage('message', 'GroupMessageEvent');
/** @since 0.1.0 @category events */
export type GroupMessageEvent = t.TypeOf<typeof GroupMessageEvent>;

/** @since 0.1.0 @category events */
export const MessageEvent = family<MessageEvent>('message', 'MessageEvent', [PrivateMessageEvent, GroupMessageEvent]);
/** @since 0.1.0 @category events */
export type MessageEvent = PrivateMessageEvent | GroupMessageEvent;

/**
 * (ext) A private message sent by the bot account itself (§3.4): `user_id` is the bot, `target_id`
 * the peer.
 * @since 0.1.0 @category events
 */
export const PrivateMessageSentEvent = privateMessage('message_sent', 'PrivateMessageSentEvent');
/** @since 0.1.0 @category events */
export type PrivateMessageSentEvent = t.TypeOf<typeof PrivateMessageSentEvent>;

/** (ext) A group message sent by the bot account itself (§3.4). @since 0.1.0 @category events */
export const GroupMessageSentEvent = groupMessage('message_sent', 'GroupMessageSentEvent');
/** @since 0.1.0 @category events */
export type GroupMessageSentEvent = t.TypeOf<typeof GroupMessageSentEvent>;

/** (ext) `post_type: "message_sent"` (§3.4), reusing `message_type`. @since 0.1.0 @category events */
export const MessageSentEvent = family<MessageSentEvent>('message_sent', 'MessageSentEvent', [PrivateMessageSentEvent, GroupMessageSentEvent]);
/** @since 0.1.0 @category events */
export type MessageSentEvent = PrivateMessageSentEvent | GroupMessageSentEvent;

// ---------------------------------------------------------------------------------------------------
// §3.5 notices
// ---------------------------------------------------------------------------------------------------

const notice = <N extends string, P extends t.Props>(noticeType: N, props: P, name: string) =>
  t.type({ ...base('notice'), notice_type: t.literal(noticeType), ...props }, name);

const notify = <S extends string, R extends t.Props, O extends t.Props>(subType: S, required: R, optional: O, name: string) =>
  struct({ ...base('notice'), notice_type: t.literal('notify'), sub_type: t.literal(subType), ...required }, optional, name);

/**
 * Group file uploaded. `file`: `id`, `name`, `size` (bytes), `busid`; (ext) go-cqhttp adds `url`.
 * @since 0.1.0 @category events
 */
export const GroupUploadNotice = notice(
  'group_upload',
  {
    group_id: t.number,
    user_id: t.number,
    file: struct({ id: t.string, name: t.string, size: t.number, busid: t.number }, { url: t.string }, 'GroupFile'),
  },
  'GroupUploadNotice',
);
/** @since 0.1.0 @category events */
export type GroupUploadNotice = t.TypeOf<typeof GroupUploadNotice>;

/** Group admin set / unset. @since 0.1.0 @category events */
export const GroupAdminNotice = notice('group_admin', { sub_type: oneOf(['set', 'unset']), group_id: t.number, user_id: t.number }, 'GroupAdminNotice');
/** @since 0.1.0 @category events */
export type GroupAdminNotice = t.TypeOf<typeof GroupAdminNotice>;

/** Member left (`leave`), was removed (`kick`), or the bot was removed (`kick_me`). @since 0.1.0 @category events */
export const GroupDecreaseNotice = notice(
  'group_decrease',
  { sub_type: oneOf(['leave', 'kick', 'kick_me']), group_id: t.number, operator_id: t.number, user_id: t.number },
  'GroupDecreaseNotice',
);
/** @since 0.1.0 @category events */
export type GroupDecreaseNotice = t.TypeOf<typeof GroupDecreaseNotice>;

/** Member joined, approved (`approve`) or invited (`invite`). @since 0.1.0 @category events */
export const GroupIncreaseNotice = notice(
  'group_increase',
  { sub_type: oneOf(['approve', 'invite']), group_id: t.number, operator_id: t.number, user_id: t.number },
  'GroupIncreaseNotice',
);
/** @since 0.1.0 @category events */
export type GroupIncreaseNotice = t.TypeOf<typeof GroupIncreaseNotice>;

/** Member muted (`ban`, `duration` in **s**) or unmuted (`lift_ban`). @since 0.1.0 @category events */
export const GroupBanNotice = notice(
  'group_ban',
  { sub_type: oneOf(['ban', 'lift_ban']), group_id: t.number, operator_id: t.number, user_id: t.number, duration: t.number },
  'GroupBanNotice',
);
/** @since 0.1.0 @category events */
export type GroupBanNotice = t.TypeOf<typeof GroupBanNotice>;

/** New friend added. @since 0.1.0 @category events */
export const FriendAddNotice = notice('friend_add', { user_id: t.number }, 'FriendAddNotice');
/** @since 0.1.0 @category events */
export type FriendAddNotice = t.TypeOf<typeof FriendAddNotice>;

/** Group message recalled. @since 0.1.0 @category events */
export const GroupRecallNotice = notice(
  'group_recall',
  { group_id: t.number, user_id: t.number, operator_id: t.number, message_id: t.number },
  'GroupRecallNotice',
);
/** @since 0.1.0 @category events */
export type GroupRecallNotice = t.TypeOf<typeof GroupRecallNotice>;

/** Private message recalled. @since 0.1.0 @category events */
export const FriendRecallNotice = notice('friend_recall', { user_id: t.number, message_id: t.number }, 'FriendRecallNotice');
/** @since 0.1.0 @category events */
export type FriendRecallNotice = t.TypeOf<typeof FriendRecallNotice>;

/**
 * `notify`/`poke`: `user_id` poked `target_id`. `group_id` is absent for a private poke (ext, as
 * NoneBot models it); go-cqhttp adds `sender_id` there.
 * @since 0.1.0 @category events
 */
export const PokeNotice = notify('poke', { user_id: t.number, target_id: t.number }, { group_id: t.number, sender_id: t.number }, 'PokeNotice');
/** @since 0.1.0 @category events */
export type PokeNotice = t.TypeOf<typeof PokeNotice>;

/** `notify`/`lucky_king`: `user_id` sent the red packet, `target_id` got the most. @since 0.1.0 @category events */
export const LuckyKingNotice = notify('lucky_king', { group_id: t.number, user_id: t.number, target_id: t.number }, {}, 'LuckyKingNotice');
/** @since 0.1.0 @category events */
export type LuckyKingNotice = t.TypeOf<typeof LuckyKingNotice>;

/** `notify`/`honor`: `honor_type` `talkative` | `performer` | `emotion`. @since 0.1.0 @category events */
export const HonorNotice = notify(
  'honor',
  { group_id: t.number, honor_type: oneOf(['talkative', 'performer', 'emotion']), user_id: t.number },
  {},
  'HonorNotice',
);
/** @since 0.1.0 @category events */
export type HonorNotice = t.TypeOf<typeof HonorNotice>;

/** (ext) `notify`/`title`: a member got special title `title`. @since 0.1.0 @category events */
export const TitleNotice = notify('title', { group_id: t.number, user_id: t.number, title: t.string }, {}, 'TitleNotice');
/** @since 0.1.0 @category events */
export type TitleNotice = t.TypeOf<typeof TitleNotice>;

/** (ext) Group card changed: `card_new`, `card_old`. @since 0.1.0 @category events */
export const GroupCardNotice = notice('group_card', { group_id: t.number, user_id: t.number, card_new: t.string, card_old: t.string }, 'GroupCardNotice');
/** @since 0.1.0 @category events */
export type GroupCardNotice = t.TypeOf<typeof GroupCardNotice>;

/** (ext) Offline file received from `user_id`: `file.name`; `size`, `url` when known. @since 0.1.0 @category events */
export const OfflineFileNotice = notice(
  'offline_file',
  { user_id: t.number, file: struct({ name: t.string }, { size: t.number, url: t.string }, 'OfflineFile') },
  'OfflineFileNotice',
);
/** @since 0.1.0 @category events */
export type OfflineFileNotice = t.TypeOf<typeof OfflineFileNotice>;

/** (ext) Another client of the account went on/offline: `client` (device info), `online`. @since 0.1.0 @category events */
export const ClientStatusNotice = notice(
  'client_status',
  { client: t.partial({ app_id: t.number, device_name: t.string, device_kind: t.string }, 'Device'), online: t.boolean },
  'ClientStatusNotice',
);
/** @since 0.1.0 @category events */
export type ClientStatusNotice = t.TypeOf<typeof ClientStatusNotice>;

/** (ext) Essence message `add` / `delete`. @since 0.1.0 @category events */
export const EssenceNotice = notice(
  'essence',
  { sub_type: oneOf(['add', 'delete']), group_id: t.number, sender_id: t.number, operator_id: t.number, message_id: t.number },
  'EssenceNotice',
);
/** @since 0.1.0 @category events */
export type EssenceNotice = t.TypeOf<typeof EssenceNotice>;

const noticeCodecs = {
  group_upload: GroupUploadNotice,
  group_admin: GroupAdminNotice,
  group_decrease: GroupDecreaseNotice,
  group_increase: GroupIncreaseNotice,
  group_ban: GroupBanNotice,
  friend_add: FriendAddNotice,
  group_recall: GroupRecallNotice,
  friend_recall: FriendRecallNotice,
  group_card: GroupCardNotice,
  offline_file: OfflineFileNotice,
  client_status: ClientStatusNotice,
  essence: EssenceNotice,
} as const;

const notifyCodecs = { poke: PokeNotice, lucky_king: LuckyKingNotice, honor: HonorNotice, title: TitleNotice } as const;

/** @since 0.1.0 @category events */
export const NoticeEvent = family<NoticeEvent>('notice', 'NoticeEvent', [...Object.values(noticeCodecs), ...Object.values(notifyCodecs)]);
/** @since 0.1.0 @category events */
export type NoticeEvent =
  | { [K in keyof typeof noticeCodecs]: t.TypeOf<(typeof noticeCodecs)[K]> }[keyof typeof noticeCodecs]
  | { [K in keyof typeof notifyCodecs]: t.TypeOf<(typeof notifyCodecs)[K]> }[keyof typeof notifyCodecs];

// ---------------------------------------------------------------------------------------------------
// §3.6 requests
// ---------------------------------------------------------------------------------------------------

/** Friend request; `flag` goes to `set_friend_add_request`. @since 0.1.0 @category events */
export const FriendRequestEvent = t.type(
  { ...base('request'), request_type: t.literal('friend'), user_id: t.number, comment: t.string, flag: t.string },
  'FriendRequestEvent',
);
/** @since 0.1.0 @category events */
export type FriendRequestEvent = t.TypeOf<typeof FriendRequestEvent>;

/** Group join request (`add`) or invitation of the bot (`invite`). @since 0.1.0 @category events */
export const GroupRequestEvent = t.type(
  {
    ...base('request'),
    request_type: t.literal('group'),
    sub_type: oneOf(['add', 'invite']),
    group_id: t.number,
    user_id: t.number,
    comment: t.string,
    flag: t.string,
  },
  'GroupRequestEvent',
);
/** @since 0.1.0 @category events */
export type GroupRequestEvent = t.TypeOf<typeof GroupRequestEvent>;

/** @since 0.1.0 @category events */
export const RequestEvent = family<RequestEvent>('request', 'RequestEvent', [FriendRequestEvent, GroupRequestEvent]);
/** @since 0.1.0 @category events */
export type RequestEvent = FriendRequestEvent | GroupRequestEvent;

// ---------------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------------

/** Detail-type field and member codecs per `post_type`. */
const byPostType = {
  meta_event: { field: 'meta_event_type', codecs: { lifecycle: LifecycleEvent, heartbeat: HeartbeatEvent } },
  message: { field: 'message_type', codecs: { private: PrivateMessageEvent, group: GroupMessageEvent } },
  message_sent: { field: 'message_type', codecs: { private: PrivateMessageSentEvent, group: GroupMessageSentEvent } },
  notice: { field: 'notice_type', codecs: { ...noticeCodecs, notify: undefined } },
  request: { field: 'request_type', codecs: { friend: FriendRequestEvent, group: GroupRequestEvent } },
} as const;

const own = (o: object, k: unknown): k is string => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);

/** @since 0.1.0 @category events */
export type OneBotEvent = MetaEvent | MessageEvent | MessageSentEvent | NoticeEvent | RequestEvent;

/**
 * The codec for `u` chosen by `post_type`, `<post_type>_type` and, for `notify`, `sub_type`; or
 * `undefined` when `u` is not an object or any of those names something we have no codec for
 * (then `u` is an {@link ExtensionEvent}).
 *
 * @example
 * import { eventCodecOf, HeartbeatEvent } from 'onebot-rx/protocol';
 * eventCodecOf({ post_type: 'meta_event', meta_event_type: 'heartbeat' }) === HeartbeatEvent; // true
 * eventCodecOf({ post_type: 'notice', notice_type: 'group_msg_emoji_like' }); // undefined
 *
 * @since 0.1.0
 * @category events
 */
export const eventCodecOf = (u: unknown): t.Type<OneBotEvent, OneBotEvent, unknown> | undefined => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return undefined;
  const o = u as Record<string, unknown>;
  if (!own(byPostType, o.post_type)) return undefined;
  const { field, codecs } = byPostType[o.post_type as keyof typeof byPostType];
  const detail = o[field];
  if (o.post_type === 'notice' && detail === 'notify') {
    return own(notifyCodecs, o.sub_type) ? (notifyCodecs[o.sub_type as keyof typeof notifyCodecs] as AnyCodec) : undefined;
  }
  if (!own(codecs, detail)) return undefined;
  return (codecs as Record<string, AnyCodec | undefined>)[detail];
};

const keysOf = (o: object) => Object.keys(o);

/** Discriminator codecs: they only produce the error when the tags name no known event. */
const discriminators = {
  root: t.type({ post_type: oneOf(keysOf(byPostType)) }, 'OneBotEvent'),
  ...Object.fromEntries(
    Object.entries(byPostType).map(([postType, { field, codecs }]) => [postType, t.type({ [field]: oneOf(keysOf(codecs)) }, 'OneBotEvent')]),
  ),
  notify: t.type({ sub_type: oneOf(keysOf(notifyCodecs)) }, 'OneBotEvent'),
} as Record<string, AnyCodec>;

/** The tag codec whose error explains why `u` matches no member. */
const discriminatorFor = (o: Record<string, unknown>): AnyCodec =>
  !own(byPostType, o.post_type)
    ? discriminators.root!
    : o.post_type === 'notice' && o.notice_type === 'notify'
      ? discriminators.notify!
      : discriminators[o.post_type]!;

const allCodecs: AnyCodec[] = [
  LifecycleEvent,
  HeartbeatEvent,
  PrivateMessageEvent,
  GroupMessageEvent,
  PrivateMessageSentEvent,
  GroupMessageSentEvent,
  ...Object.values(noticeCodecs),
  ...Object.values(notifyCodecs),
  FriendRequestEvent,
  GroupRequestEvent,
];

/**
 * Every known event (§3). A dispatching codec: it picks the one member codec from `post_type`,
 * `<post_type>_type` and (for `notify`) `sub_type`, and validates with it in the same context, so an
 * error names the exact field: `message.0.data.text: expected string, got number 1`,
 * `sub_type: expected "friend" | "group" | "other", got string "x"`. Unknown tags fail on the tag
 * field; use {@link eventCodecOf} first to route those to {@link ExtensionEvent}.
 *
 * @example
 * import { OneBotEvent, decodeWith } from 'onebot-rx/protocol';
 * decodeWith(OneBotEvent, { time: 1, self_id: 2, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'x' });
 * // Left(['sub_type: expected "enable" | "disable" | "connect", got string "x"'])
 *
 * @since 0.1.0
 * @category events
 */
export const OneBotEvent = dispatchCodec<OneBotEvent>('OneBotEvent', allCodecs, eventCodecOf, (u) => discriminatorFor(u));
