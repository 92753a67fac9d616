import * as t from 'io-ts';
import { BooleanLike, NumberLike } from './common';
import { Message, MessageInput, Segment } from './segments';

/**
 * Params and result codecs of every OneBot v11 API action (docs/protocol.md §5).
 *
 * Params are lenient because servers are: ids arrive as numbers or numeric strings (Koishi sends
 * strings above 32 bits), flags as `true`/`"true"`/`1`/`"yes"`, and optional keys as `null`
 * (Python callers). Defaults from the spec tables are filled in on decode so a handler never has to
 * repeat them. Unknown params (aiocqhttp's `self_id`) are kept, never rejected.
 *
 * Results are what an implementation answers; they use strict JSON types because we produce them.
 */

// --- building blocks -----------------------------------------------------------------------------

/**
 * A param with a spec default: absent or `null` decodes to `fallback`. The encoded side allows
 * `undefined`, which is what makes the key optional in {@link ActionCallParams}.
 */
const defaulted = <A>(codec: t.Type<A, A, unknown>, fallback: A): t.Type<A, A | undefined, unknown> =>
  new t.Type<A, A | undefined, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === null || u === undefined ? t.success(fallback) : codec.validate(u, c)),
    (a) => a,
  );

/** An optional param: absent or `null` decodes to `undefined`. */
const optional = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | undefined, O | undefined, unknown> =>
  new t.Type<A | undefined, O | undefined, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === null || u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? undefined : codec.encode(a)),
  );

const Id = NumberLike;
const Flag = (fallback: boolean) => defaulted(BooleanLike, fallback);
const Num = (fallback: number) => defaulted(NumberLike, fallback);
const Str = (fallback: string) => defaulted(t.string, fallback);

/** Params with no fields of their own (any extra keys are kept). */
const NoParams = t.type({}, 'NoParams');

const withOptional = <R extends t.Props, O extends t.Props>(name: string, required: R, opt: O) =>
  t.intersection([t.type(required), t.partial(opt)], name);

/** A structural codec placed between a refined codec and its missing key, so the error path names the key. */
const Slot = t.type({}, 'Params');

/** Failure for a key that a cross-field rule requires; the path is `c`'s path plus `key`. */
const missingKey = (c: t.Context, key: string, codec: t.Decoder<unknown, unknown>, message?: string) =>
  t.failure<never>(
    undefined,
    [...c, { key: '', type: Slot, actual: undefined }, { key, type: codec, actual: undefined }],
    message,
  );

/** `true` when `o` carries `k` with a value other than `undefined`/`null`. */
const given = (o: Record<string, unknown>, k: string): boolean => o[k] !== undefined && o[k] !== null;

// --- message params ------------------------------------------------------------------------------

const MessageType = t.keyof({ private: null, group: null });

const SendMsgBase = withOptional(
  'SendMsgParams',
  { message: MessageInput, auto_escape: Flag(false) },
  { message_type: optional(MessageType), user_id: optional(Id), group_id: optional(Id) },
);

/**
 * `send_msg` params. `message_type` may be omitted by the caller; on decode it is always filled in:
 * honoured when present, otherwise `private` when `user_id` is given and `group` otherwise (what
 * go-cqhttp does), and the id the chosen type needs must be present.
 */
const SendMsgParams = new t.Type<
  Omit<t.TypeOf<typeof SendMsgBase>, 'message_type'> & { message_type: 'private' | 'group' },
  t.OutputOf<typeof SendMsgBase>,
  unknown
>(
  'SendMsgParams',
  (u): u is Omit<t.TypeOf<typeof SendMsgBase>, 'message_type'> & { message_type: 'private' | 'group' } =>
    SendMsgBase.is(u) && (u as { message_type?: unknown }).message_type !== undefined,
  (u, c) => {
    const base = SendMsgBase.validate(u, c);
    if (base._tag === 'Left') return base;
    const p = base.right;
    if (p.message_type === undefined && !given(p, 'user_id') && !given(p, 'group_id')) {
      return missingKey(c, 'message_type', MessageType, 'expected "private" | "group", or a user_id or group_id to infer it from, got undefined (missing)');
    }
    const messageType = p.message_type ?? (given(p, 'user_id') ? 'private' : 'group');
    const idKey = messageType === 'private' ? 'user_id' : 'group_id';
    if (!given(p, idKey)) return missingKey(c, idKey, NumberLike);
    return t.success({ ...p, message_type: messageType });
  },
  (a) => SendMsgBase.encode(a),
);

const ForwardIdBase = withOptional(
  'GetForwardMsgParams',
  {},
  { id: optional(t.union([t.string, t.number])), message_id: optional(t.union([t.string, t.number])) },
);

/**
 * `get_forward_msg` params: the spec's `id`, or `message_id` as go-cqhttp and NapCat also accept.
 * On decode `id` is always filled, as a string (`id` wins when both are given).
 */
const GetForwardMsgParams = new t.Type<
  t.TypeOf<typeof ForwardIdBase> & { id: string },
  t.OutputOf<typeof ForwardIdBase>,
  unknown
>(
  'GetForwardMsgParams',
  (u): u is t.TypeOf<typeof ForwardIdBase> & { id: string } =>
    ForwardIdBase.is(u) && typeof (u as { id?: unknown }).id === 'string',
  (u, c) => {
    const base = ForwardIdBase.validate(u, c);
    if (base._tag === 'Left') return base;
    const p = base.right;
    const id = p.id ?? p.message_id;
    if (id === undefined) return missingKey(c, 'id', t.string);
    return t.success({ ...p, id: String(id) });
  },
  (a) => ForwardIdBase.encode(a),
);

// --- group management params ---------------------------------------------------------------------

const AnonymousParam = withOptional('Anonymous', { flag: t.string }, { id: optional(NumberLike), name: optional(t.string) });

const AnonymousBanBase = withOptional(
  'SetGroupAnonymousBanParams',
  { group_id: Id, duration: Num(1800) },
  { anonymous: optional(AnonymousParam), anonymous_flag: optional(t.string), flag: optional(t.string) },
);

/**
 * `set_group_anonymous_ban` params: the target is the `anonymous` object of the event **or** an
 * `anonymous_flag` / `flag` string. On decode `anonymous_flag` is always filled with the effective
 * flag (`anonymous.flag` wins, then `anonymous_flag`, then `flag`).
 */
const SetGroupAnonymousBanParams = new t.Type<
  t.TypeOf<typeof AnonymousBanBase> & { anonymous_flag: string },
  t.OutputOf<typeof AnonymousBanBase>,
  unknown
>(
  'SetGroupAnonymousBanParams',
  (u): u is t.TypeOf<typeof AnonymousBanBase> & { anonymous_flag: string } =>
    AnonymousBanBase.is(u) && typeof (u as { anonymous_flag?: unknown }).anonymous_flag === 'string',
  (u, c) => {
    const base = AnonymousBanBase.validate(u, c);
    if (base._tag === 'Left') return base;
    const p = base.right;
    const flag = p.anonymous?.flag ?? p.anonymous_flag ?? p.flag;
    if (flag === undefined) {
      return missingKey(c, 'anonymous', AnonymousParam, 'expected an anonymous object, or an anonymous_flag or flag string, got undefined (missing)');
    }
    return t.success({ ...p, anonymous_flag: flag });
  },
  (a) => AnonymousBanBase.encode(a),
);

const GroupRequestType = t.keyof({ add: null, invite: null });

const GroupAddRequestBase = withOptional(
  'SetGroupAddRequestParams',
  { flag: t.string, approve: Flag(true), reason: Str('') },
  { sub_type: optional(GroupRequestType), type: optional(GroupRequestType) },
);

/**
 * `set_group_add_request` params: the spec names the request kind `sub_type`, go-cqhttp-era callers
 * send `type`. On decode `sub_type` is always filled (`sub_type` wins when both are given).
 */
const SetGroupAddRequestParams = new t.Type<
  Omit<t.TypeOf<typeof GroupAddRequestBase>, 'sub_type'> & { sub_type: 'add' | 'invite' },
  t.OutputOf<typeof GroupAddRequestBase>,
  unknown
>(
  'SetGroupAddRequestParams',
  (u): u is Omit<t.TypeOf<typeof GroupAddRequestBase>, 'sub_type'> & { sub_type: 'add' | 'invite' } =>
    GroupAddRequestBase.is(u) && (u as { sub_type?: unknown }).sub_type !== undefined,
  (u, c) => {
    const base = GroupAddRequestBase.validate(u, c);
    if (base._tag === 'Left') return base;
    const p = base.right;
    const subType = p.sub_type ?? p.type;
    if (subType === undefined) return missingKey(c, 'sub_type', GroupRequestType);
    return t.success({ ...p, sub_type: subType });
  },
  (a) => GroupAddRequestBase.encode(a),
);

// --- quick operations (§3.7, §5.3) ---------------------------------------------------------------

/**
 * A quick operation (docs/protocol.md §3.7): every key optional; the spec defaults are filled on decode
 * (`auto_escape` false, `at_sender` true, `delete`/`kick`/`ban` false, `ban_duration` 1800 s).
 * `approve`, `remark`, `reason` and `reply` stay absent when absent ("leave the request untouched",
 * "no reply"). Keys meaningless for the event at hand are ignored by whoever executes it.
 *
 * @since 0.1.0
 * @category api
 */
export const QuickOperation = withOptional(
  'QuickOperation',
  {
    auto_escape: Flag(false),
    at_sender: Flag(true),
    delete: Flag(false),
    kick: Flag(false),
    ban: Flag(false),
    ban_duration: Num(1800),
  },
  {
    reply: optional(MessageInput),
    approve: optional(BooleanLike),
    remark: optional(t.string),
    reason: optional(t.string),
  },
);
/** @since 0.1.0 @category api */
export type QuickOperation = t.TypeOf<typeof QuickOperation>;

/**
 * The `context` of `.handle_quick_operation`: the event the operation answers, possibly trimmed
 * (no `message`, `sender`...). Only `post_type` is required, it is what the operation dispatches on.
 *
 * @since 0.1.0
 * @category api
 */
export const QuickOperationContext = t.intersection(
  [t.type({ post_type: t.string }), t.record(t.string, t.unknown)],
  'QuickOperationContext',
);
/** @since 0.1.0 @category api */
export type QuickOperationContext = t.TypeOf<typeof QuickOperationContext>;

// --- results -------------------------------------------------------------------------------------

const NoData = t.null;
const MessageIdResult = t.type({ message_id: t.number }, 'MessageIdResult');
const Sex = t.keyof({ male: null, female: null, unknown: null });
const Role = t.keyof({ owner: null, admin: null, member: null });

/** Best-effort sender object, as in events (every field may be missing). */
const MessageSender = t.partial(
  {
    user_id: t.number,
    nickname: t.string,
    sex: t.string,
    age: t.number,
    card: t.string,
    area: t.string,
    level: t.string,
    role: t.string,
    title: t.string,
  },
  'MessageSender',
);

const GetMsgResult = t.type(
  {
    time: t.number,
    message_type: t.string,
    message_id: t.number,
    real_id: t.number,
    sender: MessageSender,
    message: Message,
  },
  'GetMsgResult',
);

/** Spec key `message`, go-cqhttp/NapCat/Koishi key `messages`: an implementation returns both. */
const ForwardMsgResult = t.type({ message: t.array(Segment), messages: t.array(Segment) }, 'ForwardMsgResult');

const LoginInfo = t.type({ user_id: t.number, nickname: t.string }, 'LoginInfo');
const StrangerInfo = t.type({ user_id: t.number, nickname: t.string, sex: Sex, age: t.number }, 'StrangerInfo');
const FriendInfo = t.type({ user_id: t.number, nickname: t.string, remark: t.string }, 'FriendInfo');
const GroupInfo = t.type(
  { group_id: t.number, group_name: t.string, member_count: t.number, max_member_count: t.number },
  'GroupInfo',
);

/** Identity fields are required; the rest are optional because list forms often leave them out. */
const GroupMemberInfo = withOptional(
  'GroupMemberInfo',
  { group_id: t.number, user_id: t.number, nickname: t.string, card: t.string, role: Role },
  {
    sex: Sex,
    age: t.number,
    area: t.string,
    join_time: t.number,
    last_sent_time: t.number,
    level: t.string,
    unfriendly: t.boolean,
    title: t.string,
    title_expire_time: t.number,
    card_changeable: t.boolean,
  },
);

const HonorType = t.keyof(
  { talkative: null, performer: null, legend: null, strong_newbie: null, emotion: null, all: null },
);
const CurrentTalkative = t.type(
  { user_id: t.number, nickname: t.string, avatar: t.string, day_count: t.number },
  'CurrentTalkative',
);
const HonorListItem = t.type(
  { user_id: t.number, nickname: t.string, avatar: t.string, description: t.string },
  'HonorListItem',
);
/** Each part is present only when `type` selected it (or `all`). */
const GroupHonorInfo = withOptional(
  'GroupHonorInfo',
  { group_id: t.number },
  {
    current_talkative: CurrentTalkative,
    talkative_list: t.array(HonorListItem),
    performer_list: t.array(HonorListItem),
    legend_list: t.array(HonorListItem),
    strong_newbie_list: t.array(HonorListItem),
    emotion_list: t.array(HonorListItem),
  },
);

const RecordFormat = t.keyof(
  { mp3: null, amr: null, wma: null, m4a: null, spx: null, ogg: null, wav: null, flac: null },
);
const FileResult = t.type({ file: t.string }, 'FileResult');
const YesResult = t.type({ yes: t.boolean }, 'YesResult');
const Status = t.type({ online: t.union([t.boolean, t.null]), good: t.boolean }, 'Status');
const VersionInfo = t.type(
  { app_name: t.string, app_version: t.string, protocol_version: t.string },
  'VersionInfo',
);
const ForwardSendResult = withOptional('ForwardSendResult', { message_id: t.number }, { forward_id: t.string });
const GuildServiceProfile = withOptional(
  'GuildServiceProfile',
  { nickname: t.string, tiny_id: t.string },
  { avatar_url: t.string },
);

const action = <P extends t.Mixed, R extends t.Mixed>(params: P, result: R) => ({ params, result });

// --- the table -----------------------------------------------------------------------------------

/**
 * Every API action we know: `{ params, result }` codecs per action name (docs/protocol.md §5.1–5.3, plus
 * the go-cqhttp extensions servers call on connect or often). Decoding params fills the spec
 * defaults; results are the `data` of an `ok` response.
 *
 * @example
 * import { ApiActions } from 'onebot-rx/protocol';
 * const r = ApiActions.send_like.params.decode({ user_id: '10001000' });
 * // Right({ user_id: 10001000, times: 1 })
 *
 * @since 0.1.0
 * @category api
 */
export const ApiActions = {
  // §5.1 messages and group/friend management
  send_private_msg: action(
    t.type({ user_id: Id, message: MessageInput, auto_escape: Flag(false) }, 'SendPrivateMsgParams'),
    MessageIdResult,
  ),
  send_group_msg: action(
    t.type({ group_id: Id, message: MessageInput, auto_escape: Flag(false) }, 'SendGroupMsgParams'),
    MessageIdResult,
  ),
  send_msg: action(SendMsgParams, MessageIdResult),
  delete_msg: action(t.type({ message_id: Id }, 'DeleteMsgParams'), NoData),
  get_msg: action(t.type({ message_id: Id }, 'GetMsgParams'), GetMsgResult),
  get_forward_msg: action(GetForwardMsgParams, ForwardMsgResult),
  send_like: action(t.type({ user_id: Id, times: Num(1) }, 'SendLikeParams'), NoData),
  set_group_kick: action(
    t.type({ group_id: Id, user_id: Id, reject_add_request: Flag(false) }, 'SetGroupKickParams'),
    NoData,
  ),
  set_group_ban: action(t.type({ group_id: Id, user_id: Id, duration: Num(1800) }, 'SetGroupBanParams'), NoData),
  set_group_anonymous_ban: action(SetGroupAnonymousBanParams, NoData),
  set_group_whole_ban: action(t.type({ group_id: Id, enable: Flag(true) }, 'SetGroupWholeBanParams'), NoData),
  set_group_admin: action(t.type({ group_id: Id, user_id: Id, enable: Flag(true) }, 'SetGroupAdminParams'), NoData),
  set_group_anonymous: action(t.type({ group_id: Id, enable: Flag(true) }, 'SetGroupAnonymousParams'), NoData),
  set_group_card: action(t.type({ group_id: Id, user_id: Id, card: Str('') }, 'SetGroupCardParams'), NoData),
  set_group_name: action(t.type({ group_id: Id, group_name: t.string }, 'SetGroupNameParams'), NoData),
  set_group_leave: action(t.type({ group_id: Id, is_dismiss: Flag(false) }, 'SetGroupLeaveParams'), NoData),
  set_group_special_title: action(
    t.type({ group_id: Id, user_id: Id, special_title: Str(''), duration: Num(-1) }, 'SetGroupSpecialTitleParams'),
    NoData,
  ),
  set_friend_add_request: action(
    t.type({ flag: t.string, approve: Flag(true), remark: Str('') }, 'SetFriendAddRequestParams'),
    NoData,
  ),
  set_group_add_request: action(SetGroupAddRequestParams, NoData),

  // §5.2 information and system
  get_login_info: action(NoParams, LoginInfo),
  get_stranger_info: action(t.type({ user_id: Id, no_cache: Flag(false) }, 'GetStrangerInfoParams'), StrangerInfo),
  get_friend_list: action(NoParams, t.array(FriendInfo)),
  get_group_info: action(t.type({ group_id: Id, no_cache: Flag(false) }, 'GetGroupInfoParams'), GroupInfo),
  get_group_list: action(NoParams, t.array(GroupInfo)),
  get_group_member_info: action(
    t.type({ group_id: Id, user_id: Id, no_cache: Flag(false) }, 'GetGroupMemberInfoParams'),
    GroupMemberInfo,
  ),
  get_group_member_list: action(t.type({ group_id: Id }, 'GetGroupMemberListParams'), t.array(GroupMemberInfo)),
  get_group_honor_info: action(t.type({ group_id: Id, type: HonorType }, 'GetGroupHonorInfoParams'), GroupHonorInfo),
  get_cookies: action(t.type({ domain: Str('') }, 'GetCookiesParams'), t.type({ cookies: t.string }, 'Cookies')),
  get_csrf_token: action(NoParams, t.type({ token: t.number }, 'CsrfToken')),
  get_credentials: action(
    t.type({ domain: Str('') }, 'GetCredentialsParams'),
    t.type({ cookies: t.string, csrf_token: t.number }, 'Credentials'),
  ),
  get_record: action(t.type({ file: t.string, out_format: RecordFormat }, 'GetRecordParams'), FileResult),
  get_image: action(t.type({ file: t.string }, 'GetImageParams'), FileResult),
  can_send_image: action(NoParams, YesResult),
  can_send_record: action(NoParams, YesResult),
  get_status: action(NoParams, Status),
  get_version_info: action(NoParams, VersionInfo),
  set_restart: action(t.type({ delay: Num(0) }, 'SetRestartParams'), NoData),
  clean_cache: action(NoParams, NoData),

  // §5.3 hidden
  '.handle_quick_operation': action(
    t.type({ context: QuickOperationContext, operation: QuickOperation }, 'HandleQuickOperationParams'),
    NoData,
  ),

  // §5.4 go-cqhttp extensions that servers call (Koishi probes get_guild_service_profile on connect)
  get_guild_service_profile: action(NoParams, GuildServiceProfile),
  send_group_forward_msg: action(
    t.type({ group_id: Id, messages: MessageInput }, 'SendGroupForwardMsgParams'),
    ForwardSendResult,
  ),
  send_private_forward_msg: action(
    t.type({ user_id: Id, messages: MessageInput }, 'SendPrivateForwardMsgParams'),
    ForwardSendResult,
  ),
  set_essence_msg: action(t.type({ message_id: Id }, 'SetEssenceMsgParams'), NoData),
  delete_essence_msg: action(t.type({ message_id: Id }, 'DeleteEssenceMsgParams'), NoData),
  mark_msg_as_read: action(t.type({ message_id: Id }, 'MarkMsgAsReadParams'), NoData),
} as const;

/** @since 0.1.0 @category api */
export type ApiActions = typeof ApiActions;

/**
 * Name of an action that has codecs in {@link ApiActions} (without `_async`/`_rate_limited` suffix).
 *
 * @since 0.1.0
 * @category api
 */
export type ActionName = keyof ApiActions;

/**
 * Params of action `A` as a handler receives them: decoded, defaults filled. For an action without
 * codecs, the raw params object.
 *
 * @since 0.1.0
 * @category api
 */
export type ActionParams<A extends string> = A extends ActionName
  ? t.TypeOf<ApiActions[A]['params']> & Record<string, unknown>
  : Record<string, unknown>;

/**
 * The `data` of an `ok` response to action `A`.
 *
 * @since 0.1.0
 * @category api
 */
export type ActionResult<A extends string> = A extends ActionName ? t.TypeOf<ApiActions[A]['result']> : unknown;

type UndefinedKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * Params of action `A` as a caller sends them: keys that have a default (or are optional) may be
 * left out, e.g. `{ user_id: 1, message: 'hi' }` for `send_private_msg`.
 *
 * @since 0.1.0
 * @category api
 */
export type ActionCallParams<A extends string> = A extends ActionName
  ? Omit<t.OutputOf<ApiActions[A]['params']>, UndefinedKeys<t.OutputOf<ApiActions[A]['params']>>> &
      Partial<Pick<t.OutputOf<ApiActions[A]['params']>, UndefinedKeys<t.OutputOf<ApiActions[A]['params']>>>> &
      Record<string, unknown>
  : Record<string, unknown>;

/**
 * The codecs of `action` (its base name, without suffix), or `undefined` for an action we have none
 * for. Own keys only, so `__proto__` or `constructor` are never mistaken for actions.
 *
 * @since 0.1.0
 * @category api
 */
export const actionCodecsOf = (action: string): { params: t.Mixed; result: t.Mixed } | undefined =>
  Object.prototype.hasOwnProperty.call(ApiActions, action) ? ApiActions[action as ActionName] : undefined;
