import * as E from 'fp-ts/Either';
import { createMessageEvent, createNoticeEvent } from '../protocol/builders';
import type { GroupMessageEvent, GroupSender, MessageEvent, NoticeEvent, PrivateMessageEvent, PrivateSender } from '../protocol/codecs/events';
import type { MessageInput, Segment } from '../protocol/codecs/segments';
import { normalizeMessage, toCQ } from '../protocol/cq';
import { ErrorCode, OneBotError } from '../protocol/errors';
import { segment } from '../protocol/segment';
import {
  completeProfile,
  decodeWorldSpec,
  profilesOf,
  type Profile,
  type Role,
  type StoredForward,
  type StoredMessage,
  type UnknownPolicy,
  type WorldSpec,
} from './spec';
import { MessageStore, type StoreOptions } from './store';

/**
 * A simulated QQ account and its surroundings (docs/guides/conversations.md): the bot, its friends,
 * its groups with their members, and a bounded message store. Sans-I/O: commands go in, results and
 * the events they cause come out; nothing is sent anywhere. Time comes from the injected `now`,
 * message and forward ids from counters kept in the world, so a world replays identically.
 */

/** Retcode of a refusal: go-cqhttp's generic failure (docs/protocol.md §2.5). @since 0.2.0 @category world */
export const WORLD_REFUSED_RETCODE = 100;

/**
 * A refusal by the world, as QQ would refuse: answered to the application with retcode 100 and this
 * message.
 * @since 0.2.0 @category world
 */
export class WorldError extends OneBotError<{ retcode: number; reason: string }> {
  override readonly name: string = 'WorldError';
  constructor(reason: WorldRefusal, message: string) {
    super(ErrorCode.WorldRefused, message, { retcode: WORLD_REFUSED_RETCODE, reason });
  }
}

/** Why the world refused. @since 0.2.0 @category world */
export type WorldRefusal = 'no_such_group' | 'no_such_member' | 'no_such_user' | 'no_such_message' | 'no_permission' | 'muted' | 'not_reachable';

const refuse = (reason: WorldRefusal, message: string): never => {
  throw new WorldError(reason, message);
};

/** @since 0.2.0 @category world */
export interface WorldOptions {
  /** The clock, in ms. @defaultValue Date.now */
  readonly now?: () => number;
  /** Bounds of the message store. */
  readonly store?: StoreOptions;
  /** Form of `message` in the message events the world builds. @defaultValue 'array' */
  readonly messageFormat?: 'array' | 'string';
}

/** A member as the world holds it. @since 0.2.0 @category world */
export interface MemberState {
  readonly user_id: number;
  role: Role;
  card: string;
  title: string;
  join_time: number;
  last_sent_time: number;
  muted_until: number;
}

/** A group as the world holds it. @since 0.2.0 @category world */
export interface GroupState {
  readonly group_id: number;
  group_name: string;
  max_member_count: number;
  whole_ban: boolean;
  readonly members: Map<number, MemberState>;
}

/** What a command produced: its answer and the events it caused, in order. @since 0.2.0 @category world */
export interface Outcome<D> {
  readonly data: D;
  readonly events: readonly (NoticeEvent | MessageEvent)[];
}

/** A message stored and its event, for what a simulated user said. @since 0.2.0 @category world */
export interface Said<M extends MessageEvent = MessageEvent> {
  readonly event: M;
  readonly stored: StoredMessage;
}

/** Where a message goes: a group, or a private chat with a user. @since 0.2.0 @category world */
export type Chat = { readonly groupId: number; readonly userId?: undefined } | { readonly userId: number; readonly groupId?: undefined };

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

const INT32_MAX = 2147483647;
const nextId = (id: number): number => (id >= INT32_MAX ? 1 : id + 1);

/**
 * Builds a world from its JSON declaration; `Left` lists every problem as `path: problem`.
 *
 * @example
 * import { loadWorld } from 'onebot-rx/world';
 * const w = loadWorld({ bot: { user_id: 10001 }, groups: [{ group_id: 1, members: [{ user_id: 2, nickname: 'Ann' }] }] }, { now: () => 0 });
 * w._tag === 'Right' && w.right.memberInfo(1, 2).nickname === 'Ann';
 * loadWorld({ bot: { user_id: 1 }, groups: [{ group_id: 2, members: [{ user_id: 3, role: 'boss' }] }] });
 * // Left(['groups.0.members.0.role: expected Role, got string "boss"'])
 *
 * @since 0.2.0
 * @category world
 */
export const loadWorld = (input: unknown, options: WorldOptions = {}): E.Either<string[], World> =>
  E.map((spec: WorldSpec) => new World(spec, options))(decodeWorldSpec(input));

/**
 * {@link loadWorld}, throwing a {@link OneBotError} `ONEBOT_INVALID_WORLD` (with `data.errors`) on a
 * bad declaration.
 *
 * @example
 * import { createWorld } from 'onebot-rx/world';
 * const world = createWorld({ bot: { user_id: 10001, nickname: 'Bot' } }, { now: () => 1700000000000 });
 * const { event } = world.say(20001, { groupId: 30001 }, 'hello');
 * event.message_id === 1 && event.time === 1700000000;
 * world.getMsg(1).message; // [{ type: 'text', data: { text: 'hello' } }]
 *
 * @since 0.2.0
 * @category world
 */
export const createWorld = (input: unknown, options: WorldOptions = {}): World => {
  const loaded = loadWorld(input, options);
  if (E.isLeft(loaded)) {
    throw new OneBotError(ErrorCode.InvalidWorld, `invalid world: ${loaded.left.join('; ')}`, { errors: loaded.left });
  }
  return loaded.right;
};

/** @since 0.2.0 @category world */
export class World {
  readonly bot: { readonly user_id: number; nickname: string };
  readonly unknown: UnknownPolicy;
  readonly store: MessageStore;
  readonly messageFormat: 'array' | 'string';
  private readonly now: () => number;
  private readonly profiles: Map<number, Profile>;
  private readonly friendRemarks = new Map<number, string>();
  private readonly groupStates = new Map<number, GroupState>();
  private nextMessageId: number;
  private nextForwardId: number;

  constructor(spec: WorldSpec, options: WorldOptions = {}) {
    this.now = options.now ?? Date.now;
    this.messageFormat = options.messageFormat ?? 'array';
    this.bot = { user_id: spec.bot.user_id, nickname: spec.bot.nickname };
    this.unknown = spec.unknown;
    this.profiles = profilesOf(spec);
    this.profiles.delete(this.bot.user_id);
    const joined = this.seconds();
    for (const f of spec.friends) this.friendRemarks.set(f.user_id, f.remark);
    for (const g of spec.groups) {
      const members = new Map<number, MemberState>();
      for (const m of g.members) {
        members.set(m.user_id, {
          user_id: m.user_id,
          role: m.role,
          card: m.card,
          title: m.title,
          join_time: m.join_time ?? joined,
          last_sent_time: m.last_sent_time,
          muted_until: m.muted_until,
        });
      }
      if (!members.has(this.bot.user_id)) members.set(this.bot.user_id, newMember(this.bot.user_id, joined));
      this.groupStates.set(g.group_id, { group_id: g.group_id, group_name: g.group_name, max_member_count: g.max_member_count, whole_ban: g.whole_ban, members });
    }
    this.store = new MessageStore(options.store);
    for (const m of spec.messages) this.store.putMessage(m);
    for (const f of spec.forwards) this.store.putForward(f);
    this.nextMessageId = spec.next_message_id;
    this.nextForwardId = spec.next_forward_id;
  }

  /** The clock in Unix seconds. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  // --- serialisation -----------------------------------------------------------------------------

  /** The world as JSON: `loadWorld(world.toJSON())` gives an equal world. */
  toJSON(): WorldSpec {
    return {
      bot: { user_id: this.bot.user_id, nickname: this.bot.nickname },
      unknown: this.unknown,
      users: [...this.profiles.values()].map((p) => ({ ...p })),
      friends: [...this.friendRemarks].map(([user_id, remark]) => ({ user_id, remark })),
      groups: [...this.groupStates.values()].map((g) => ({
        group_id: g.group_id,
        group_name: g.group_name,
        max_member_count: g.max_member_count,
        whole_ban: g.whole_ban,
        members: [...g.members.values()].map((m) => ({ ...m })),
      })),
      messages: this.store.messages(),
      forwards: this.store.forwards(),
      next_message_id: this.nextMessageId,
      next_forward_id: this.nextForwardId,
    };
  }

  // --- people and groups -------------------------------------------------------------------------

  /** A person's profile (the bot's too); `undefined` for an unknown user. */
  profile(userId: number): Profile | undefined {
    if (userId === this.bot.user_id) return { ...completeProfile(userId), nickname: this.bot.nickname };
    return this.profiles.get(userId);
  }

  /** Adds or updates a person; missing fields keep their value (or the defaults). */
  setProfile(userId: number, fields: Partial<Omit<Profile, 'user_id'>>): Profile {
    if (userId === this.bot.user_id) {
      if (fields.nickname !== undefined) this.bot.nickname = fields.nickname;
      return this.profile(userId)!;
    }
    const p = { ...(this.profiles.get(userId) ?? completeProfile(userId)), ...definedOnly(fields), user_id: userId };
    this.profiles.set(userId, p);
    return p;
  }

  isFriend(userId: number): boolean {
    return this.friendRemarks.has(userId);
  }

  group(groupId: number): GroupState | undefined {
    return this.groupStates.get(groupId);
  }

  groups(): GroupState[] {
    return [...this.groupStates.values()];
  }

  member(groupId: number, userId: number): MemberState | undefined {
    return this.groupStates.get(groupId)?.members.get(userId);
  }

  private requireGroup(groupId: number): GroupState {
    return this.groupStates.get(groupId) ?? refuse('no_such_group', `group ${groupId} not found (the bot is not in it)`);
  }

  private requireMember(group: GroupState, userId: number): MemberState {
    return group.members.get(userId) ?? refuse('no_such_member', `user ${userId} is not a member of group ${group.group_id}`);
  }

  /** The group, created (with the bot in it) when unknown and the policy is `create`. */
  private groupFor(groupId: number): GroupState {
    const existing = this.groupStates.get(groupId);
    if (existing !== undefined || this.unknown === 'reject') return existing ?? this.requireGroup(groupId);
    return this.createGroup(groupId);
  }

  /** A new group with the bot as a plain member. */
  private createGroup(groupId: number): GroupState {
    const g: GroupState = { group_id: groupId, group_name: `group${groupId}`, max_member_count: 500, whole_ban: false, members: new Map() };
    g.members.set(this.bot.user_id, newMember(this.bot.user_id, this.seconds()));
    this.groupStates.set(groupId, g);
    return g;
  }

  /** The member, added when unknown and the policy is `create`. */
  private memberFor(group: GroupState, userId: number): MemberState {
    const existing = group.members.get(userId);
    if (existing !== undefined || this.unknown === 'reject') return existing ?? this.requireMember(group, userId);
    if (!this.profiles.has(userId) && userId !== this.bot.user_id) this.profiles.set(userId, completeProfile(userId));
    const m = newMember(userId, this.seconds());
    group.members.set(userId, m);
    return m;
  }

  // --- API answers (docs/protocol.md §5.2) -------------------------------------------------------------

  loginInfo(): { user_id: number; nickname: string } {
    return { user_id: this.bot.user_id, nickname: this.bot.nickname };
  }

  strangerInfo(userId: number): { user_id: number; nickname: string; sex: Profile['sex']; age: number } {
    const p = this.profile(userId) ?? (this.unknown === 'create' ? completeProfile(userId) : refuse('no_such_user', `user ${userId} not found`));
    return { user_id: p.user_id, nickname: p.nickname, sex: p.sex, age: p.age };
  }

  friendList(): Array<{ user_id: number; nickname: string; remark: string }> {
    return [...this.friendRemarks].map(([userId, remark]) => ({ user_id: userId, nickname: this.nicknameOf(userId), remark }));
  }

  // Queries follow the `unknown` policy too: with `create` (the default), a group or member the
  // application asks about appears, as users and groups do when they are mentioned.
  groupInfo(groupId: number): { group_id: number; group_name: string; member_count: number; max_member_count: number } {
    const g = this.groupFor(groupId);
    return { group_id: g.group_id, group_name: g.group_name, member_count: g.members.size, max_member_count: g.max_member_count };
  }

  groupList(): ReturnType<World['groupInfo']>[] {
    return [...this.groupStates.keys()].map((id) => this.groupInfo(id));
  }

  memberInfo(groupId: number, userId: number): MemberInfo {
    const g = this.groupFor(groupId);
    return this.memberInfoOf(g, this.memberFor(g, userId));
  }

  memberList(groupId: number): MemberInfo[] {
    const g = this.groupFor(groupId);
    return [...g.members.values()].map((m) => this.memberInfoOf(g, m));
  }

  private memberInfoOf(g: GroupState, m: MemberState): MemberInfo {
    const p = this.profile(m.user_id) ?? completeProfile(m.user_id);
    const now = this.seconds();
    return {
      group_id: g.group_id,
      user_id: m.user_id,
      nickname: p.nickname,
      card: m.card,
      sex: p.sex,
      age: p.age,
      area: p.area,
      join_time: m.join_time,
      last_sent_time: m.last_sent_time,
      level: p.level,
      role: m.role,
      unfriendly: false,
      title: m.title,
      title_expire_time: 0,
      card_changeable: this.mayManage(g, this.bot.user_id, m.user_id) || m.user_id === this.bot.user_id,
      // (ext) NapCat: when the member's mute ends, 0 when not muted.
      shut_up_timestamp: m.muted_until > now ? m.muted_until : 0,
    };
  }

  private nicknameOf(userId: number): string {
    return (this.profile(userId) ?? completeProfile(userId)).nickname;
  }

  /** The `sender` object of a message by `userId` in `groupId` (or a private chat). */
  senderOf(userId: number, groupId?: number): PrivateSender | GroupSender {
    const p = this.profile(userId) ?? completeProfile(userId);
    if (groupId === undefined) return { user_id: userId, nickname: p.nickname, sex: p.sex, age: p.age };
    const m = this.groupStates.get(groupId)?.members.get(userId);
    return { user_id: userId, nickname: p.nickname, card: m?.card ?? '', sex: p.sex, age: p.age, area: p.area, level: p.level, role: m?.role ?? 'member', title: m?.title ?? '' };
  }

  // --- messages ----------------------------------------------------------------------------------

  private takeMessageId(): number {
    const id = this.nextMessageId;
    this.nextMessageId = nextId(id);
    return id;
  }

  private isMuted(g: GroupState, m: MemberState): boolean {
    if (m.muted_until > this.seconds()) return true;
    return g.whole_ban && RANK[m.role] < RANK.admin;
  }

  /**
   * A simulated user says `message` in a group or to the bot: stored, and returned as the message
   * event to deliver. Refused for a muted member (they cannot speak), for a stranger when the policy
   * is `reject`, and for the bot itself.
   */
  say(userId: number, chat: Chat, message: MessageInput): Said {
    if (userId === this.bot.user_id) refuse('not_reachable', 'the bot cannot be a simulated speaker; use the send actions');
    // Check and build first, change the world last: a refused or malformed message leaves no trace.
    const time = this.seconds();
    const messageId = this.nextMessageId;
    const common = { selfId: this.bot.user_id, userId, messageId, message, now: this.now, messageFormat: 'array' as const };
    let event: MessageEvent;
    if (chat.groupId !== undefined) {
      const g = this.groupStates.get(chat.groupId);
      const m = g?.members.get(userId);
      if (this.unknown === 'reject') {
        if (g === undefined) this.requireGroup(chat.groupId);
        if (m === undefined) this.requireMember(g!, userId);
      }
      if (g !== undefined && m !== undefined && this.isMuted(g, m)) refuse('muted', `user ${userId} is muted in group ${g.group_id}`);
      event = createMessageEvent({ ...common, messageType: 'group', groupId: chat.groupId, sender: this.senderOf(userId, chat.groupId) as GroupSender });
      this.memberFor(this.groupFor(chat.groupId), userId).last_sent_time = time;
    } else {
      if (!this.profiles.has(userId) && this.unknown === 'reject') refuse('no_such_user', `user ${userId} not found`);
      const subType = this.isFriend(userId) ? 'friend' : this.sharesGroup(userId) ? 'group' : 'other';
      event = createMessageEvent({ ...common, messageType: 'private', subType, sender: this.senderOf(userId) as PrivateSender });
      this.requireUser(userId);
    }
    this.nextMessageId = nextId(messageId);
    const stored: StoredMessage = {
      message_id: messageId,
      time,
      message_type: event.message_type,
      user_id: userId,
      message: event.message as Segment[],
      ...(chat.groupId !== undefined ? { group_id: chat.groupId } : { peer_id: this.bot.user_id }),
    };
    this.store.putMessage(stored);
    return { event: this.formatted(event), stored };
  }

  /** The event in the world's message format. */
  private formatted<M extends MessageEvent>(event: M): M {
    return this.messageFormat === 'string' ? { ...event, message: event.raw_message, message_format: 'string' } : event;
  }

  private requireUser(userId: number): void {
    if (this.profiles.has(userId)) return;
    if (this.unknown === 'reject') refuse('no_such_user', `user ${userId} not found`);
    this.profiles.set(userId, completeProfile(userId));
  }

  private sharesGroup(userId: number): boolean {
    for (const g of this.groupStates.values()) if (g.members.has(userId)) return true;
    return false;
  }

  /**
   * The bot sends a message (`send_msg` and friends): stored, its id returned. Refused when the
   * group is unknown (policy `reject`), when the bot is muted there, and for a private message to
   * someone who is neither a friend nor in a group with the bot (policy `reject`).
   */
  botSend(chat: Chat, message: Segment[]): StoredMessage {
    const time = this.seconds();
    let stored: StoredMessage;
    if (chat.groupId !== undefined) {
      const g = this.groupFor(chat.groupId);
      const me = this.memberFor(g, this.bot.user_id);
      if (this.isMuted(g, me)) refuse('muted', `the bot is muted in group ${g.group_id}`);
      me.last_sent_time = time;
      stored = { message_id: this.takeMessageId(), time, message_type: 'group', user_id: this.bot.user_id, group_id: g.group_id, message };
    } else {
      if (!this.isFriend(chat.userId) && !this.sharesGroup(chat.userId)) {
        if (this.unknown === 'reject') refuse('not_reachable', `user ${chat.userId} is neither a friend of the bot nor in a group with it`);
        this.requireUser(chat.userId);
      }
      stored = { message_id: this.takeMessageId(), time, message_type: 'private', user_id: this.bot.user_id, peer_id: chat.userId, message };
    }
    this.store.putMessage(stored);
    return stored;
  }

  /** A stored message, or a refusal naming why it may be gone. */
  message(messageId: number): StoredMessage {
    return (
      this.store.getMessage(messageId) ??
      refuse(
        'no_such_message',
        `message ${messageId} not found: never sent, recalled, or dropped from the message store (it keeps the newest ${this.store.options.maxMessages} messages / ${this.store.options.maxBytes} bytes)`,
      )
    );
  }

  /** `get_msg`'s answer (docs/protocol.md §5.1), with the (ext) `group_id`, `user_id` and `raw_message` that NapCat adds. */
  getMsg(messageId: number): GetMsgData {
    const m = this.message(messageId);
    return {
      time: m.time,
      message_type: m.message_type,
      message_id: m.message_id,
      real_id: m.message_id,
      sender: this.senderOf(m.user_id, m.group_id),
      message: this.messageFormat === 'string' ? toCQ(m.message) : m.message,
      raw_message: toCQ(m.message),
      user_id: m.user_id,
      ...(m.group_id !== undefined ? { group_id: m.group_id } : {}),
    };
  }

  /** The chat a stored message belongs to. */
  chatOf(m: StoredMessage): Chat {
    if (m.group_id !== undefined) return { groupId: m.group_id };
    return { userId: m.user_id === this.bot.user_id ? (m.peer_id ?? m.user_id) : m.user_id };
  }

  /**
   * Recalls a message (`delete_msg`, or a user recalling). The bot may recall its own messages and,
   * as an admin or owner, those of members ranked below it; a user may recall their own. Emits the
   * spec's `group_recall` or `friend_recall` notice.
   */
  recall(messageId: number, operatorId: number = this.bot.user_id): Outcome<null> {
    const m = this.message(messageId);
    let notice: NoticeEvent;
    if (m.group_id !== undefined) {
      const g = this.requireGroup(m.group_id);
      if (operatorId !== m.user_id && !this.mayManage(g, operatorId, m.user_id)) {
        refuse('no_permission', `user ${operatorId} may not recall message ${messageId} of user ${m.user_id} in group ${g.group_id}`);
      }
      notice = this.notice({ notice_type: 'group_recall', group_id: g.group_id, user_id: m.user_id, operator_id: operatorId, message_id: messageId });
    } else {
      if (operatorId !== m.user_id) refuse('no_permission', `only the sender may recall private message ${messageId}`);
      const peer = this.chatOf(m).userId!;
      notice = this.notice({ notice_type: 'friend_recall', user_id: peer, message_id: messageId });
    }
    this.store.deleteMessage(messageId);
    return { data: null, events: [notice] };
  }

  /**
   * A merged-forward sent by the bot (`send_group_forward_msg` / `send_private_forward_msg`). Nodes
   * by id are resolved to custom nodes now (the original may be recalled later). The forward is
   * stored under a new forward id, and a message carrying a `forward` segment is stored in the chat.
   */
  sendForward(chat: Chat, nodes: Segment[]): { message_id: number; forward_id: string; stored: StoredMessage } {
    const resolved = nodes.map((node, i) => this.resolveNode(node, i));
    const id = `fwd${this.nextForwardId}`;
    this.nextForwardId = nextId(this.nextForwardId);
    const stored = this.botSend(chat, [segment.forward(id)]);
    const forward: StoredForward = { id, time: stored.time, nodes: resolved };
    this.store.putForward(forward);
    return { message_id: stored.message_id, forward_id: id, stored };
  }

  private resolveNode(node: Segment, index: number): Segment {
    if (node.type !== 'node') refuse('no_such_message', `messages.${index}: expected a node segment, got ${node.type}`);
    const data = node.data as Record<string, unknown>;
    if (data.content === undefined && data.id !== undefined && data.id !== null) {
      const m = this.message(Number(data.id));
      return { type: 'node', data: { user_id: String(m.user_id), nickname: this.nicknameOf(m.user_id), content: m.message } };
    }
    const content = normalizeMessage((data.content ?? '') as MessageInput);
    const userId = data.user_id ?? data.uin ?? this.bot.user_id;
    const nickname = data.nickname ?? data.name ?? this.nicknameOf(Number(userId));
    return { type: 'node', data: { user_id: String(userId), nickname: String(nickname), content } };
  }

  /** `get_forward_msg`'s answer: the nodes under the spec's `message` and the extensions' `messages`. */
  getForward(id: string): { message: Segment[]; messages: Segment[] } {
    const f =
      this.store.getForward(id) ??
      refuse('no_such_message', `forward ${id} not found: never sent, or dropped from the message store`);
    return { message: f.nodes, messages: f.nodes };
  }

  // --- group management (docs/protocol.md §5.1, notices §3.5) ---------------------------------------

  /** `operator` may act on `target` in `g`: an admin or owner ranked above the target. */
  private mayManage(g: GroupState, operatorId: number, targetId: number): boolean {
    const op = g.members.get(operatorId);
    const target = g.members.get(targetId);
    if (op === undefined || RANK[op.role] < RANK.admin) return false;
    return target === undefined || RANK[op.role] > RANK[target.role];
  }

  private requireManage(g: GroupState, operatorId: number, targetId: number, what: string): MemberState {
    const target = this.requireMember(g, targetId);
    if (!this.mayManage(g, operatorId, targetId)) {
      const opRole = g.members.get(operatorId)?.role ?? 'not a member';
      refuse('no_permission', `user ${operatorId} (${opRole}) may not ${what} user ${targetId} (${target.role}) in group ${g.group_id}`);
    }
    return target;
  }

  private requireAdmin(g: GroupState, operatorId: number, what: string): void {
    const role = g.members.get(operatorId)?.role;
    if (role === undefined || RANK[role] < RANK.admin) refuse('no_permission', `user ${operatorId} (${role ?? 'not a member'}) may not ${what} in group ${g.group_id}: needs admin or owner`);
  }

  private notice<B extends Parameters<typeof createNoticeEvent>[1]>(body: B): NoticeEvent {
    return createNoticeEvent(this.bot.user_id, body, { now: this.now }) as unknown as NoticeEvent;
  }

  /** `set_group_kick` (or a member removed by another): `group_decrease` / `kick` (`kick_me` for the bot). */
  kick(groupId: number, userId: number, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    this.requireManage(g, operatorId, userId, 'kick');
    g.members.delete(userId);
    if (userId === this.bot.user_id) this.groupStates.delete(groupId);
    const subType = userId === this.bot.user_id ? 'kick_me' : 'kick';
    return { data: null, events: [this.notice({ notice_type: 'group_decrease', sub_type: subType, group_id: groupId, operator_id: operatorId, user_id: userId })] };
  }

  /** `set_group_ban`: mute for `duration` s (0 lifts it): `group_ban` / `ban` or `lift_ban`. */
  ban(groupId: number, userId: number, duration: number, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    const target = this.requireManage(g, operatorId, userId, 'mute');
    const seconds = Math.max(0, Math.trunc(duration));
    target.muted_until = seconds === 0 ? 0 : this.seconds() + seconds;
    const subType = seconds === 0 ? 'lift_ban' : 'ban';
    return { data: null, events: [this.notice({ notice_type: 'group_ban', sub_type: subType, group_id: groupId, operator_id: operatorId, user_id: userId, duration: seconds })] };
  }

  /**
   * `set_group_whole_ban`: members below admin cannot speak while it is on. The spec defines no
   * notice for it, so none is emitted.
   */
  wholeBan(groupId: number, enable: boolean, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    this.requireAdmin(g, operatorId, 'mute the whole group');
    g.whole_ban = enable;
    return { data: null, events: [] };
  }

  /**
   * `set_group_card`: anyone may change their own card, an admin or owner those ranked below.
   * Emits the (ext, go-cqhttp) `group_card` notice when the card changed; the spec defines none.
   */
  setCard(groupId: number, userId: number, card: string, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    const target = operatorId === userId ? this.requireMember(g, userId) : this.requireManage(g, operatorId, userId, 'change the card of');
    const old = target.card;
    target.card = card;
    if (old === card) return { data: null, events: [] };
    return { data: null, events: [this.notice({ notice_type: 'group_card', group_id: groupId, user_id: userId, card_new: card, card_old: old })] };
  }

  /** `set_group_admin`: only the owner; `group_admin` / `set` or `unset` when the role changed. */
  setAdmin(groupId: number, userId: number, enable: boolean, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    const target = this.requireMember(g, userId);
    if (g.members.get(operatorId)?.role !== 'owner') refuse('no_permission', `user ${operatorId} may not change admins of group ${groupId}: only the owner may`);
    if (target.role === 'owner') refuse('no_permission', `user ${userId} is the owner of group ${groupId}`);
    const role: Role = enable ? 'admin' : 'member';
    if (target.role === role) return { data: null, events: [] };
    target.role = role;
    return { data: null, events: [this.notice({ notice_type: 'group_admin', sub_type: enable ? 'set' : 'unset', group_id: groupId, user_id: userId })] };
  }

  /** `set_group_name`: admins and the owner. The spec defines no notice for it. */
  setName(groupId: number, name: string, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    this.requireAdmin(g, operatorId, 'rename the group');
    g.group_name = name;
    return { data: null, events: [] };
  }

  /** `set_special_title`: only the owner. Emits (ext) `notify` / `title`. */
  setTitle(groupId: number, userId: number, title: string, operatorId: number = this.bot.user_id): Outcome<null> {
    const g = this.requireGroup(groupId);
    const target = this.requireMember(g, userId);
    if (g.members.get(operatorId)?.role !== 'owner') refuse('no_permission', `user ${operatorId} may not set titles in group ${groupId}: only the owner may`);
    target.title = title;
    return { data: null, events: [this.notice({ notice_type: 'notify', sub_type: 'title', group_id: groupId, user_id: userId, title })] };
  }

  /**
   * `set_group_leave`: the bot leaves (`group_decrease` / `leave` with itself as user and operator)
   * and the group is gone from its world. The owner cannot leave, only dismiss (`is_dismiss`).
   */
  leave(groupId: number, dismiss: boolean): Outcome<null> {
    const g = this.requireGroup(groupId);
    if (g.members.get(this.bot.user_id)?.role === 'owner' && !dismiss) refuse('no_permission', `the bot owns group ${groupId}: it can only dismiss it (is_dismiss: true)`);
    this.groupStates.delete(groupId);
    const me = this.bot.user_id;
    return { data: null, events: [this.notice({ notice_type: 'group_decrease', sub_type: 'leave', group_id: groupId, operator_id: me, user_id: me })] };
  }

  // --- what simulated people do (scripts) -------------------------------------------------------

  /** A user joins a group: `group_increase` (`approve` by default, or `invite`). */
  join(groupId: number, userId: number, opts: { subType?: 'approve' | 'invite'; operatorId?: number; role?: Role; card?: string } = {}): Outcome<null> {
    const existing = this.groupStates.get(groupId);
    if (existing === undefined && this.unknown === 'reject') this.requireGroup(groupId);
    if (existing?.members.has(userId)) refuse('no_permission', `user ${userId} is already a member of group ${groupId}`);
    if (userId !== this.bot.user_id) this.requireUser(userId);
    let g = existing;
    if (g === undefined) {
      // The bot being invited into a group it did not know: the group appears with it joining now.
      g = this.createGroup(groupId);
      if (userId === this.bot.user_id) g.members.delete(userId);
    }
    const m = newMember(userId, this.seconds());
    if (opts.role !== undefined) m.role = opts.role;
    if (opts.card !== undefined) m.card = opts.card;
    g.members.set(userId, m);
    const operatorId = opts.operatorId ?? approverOf(g, this.bot.user_id) ?? userId;
    return { data: null, events: [this.notice({ notice_type: 'group_increase', sub_type: opts.subType ?? 'approve', group_id: groupId, operator_id: operatorId, user_id: userId })] };
  }

  /** A member leaves by themselves: `group_decrease` / `leave`. */
  memberLeave(groupId: number, userId: number): Outcome<null> {
    const g = this.requireGroup(groupId);
    this.requireMember(g, userId);
    if (userId === this.bot.user_id) return this.leave(groupId, false);
    g.members.delete(userId);
    return { data: null, events: [this.notice({ notice_type: 'group_decrease', sub_type: 'leave', group_id: groupId, operator_id: userId, user_id: userId })] };
  }

  /** A poke: `notify` / `poke`, in a group or (ext) privately. */
  poke(userId: number, targetId: number, groupId?: number): Outcome<null> {
    if (groupId !== undefined) {
      const g = this.requireGroup(groupId);
      this.requireMember(g, userId);
      this.requireMember(g, targetId);
      return { data: null, events: [this.notice({ notice_type: 'notify', sub_type: 'poke', group_id: groupId, user_id: userId, target_id: targetId })] };
    }
    this.requireUser(userId);
    return { data: null, events: [this.notice({ notice_type: 'notify', sub_type: 'poke', user_id: userId, target_id: targetId, sender_id: userId })] };
  }

  /** A user becomes the bot's friend: `friend_add`. */
  addFriend(userId: number, remark = ''): Outcome<null> {
    if (userId === this.bot.user_id) refuse('not_reachable', 'the bot cannot befriend itself');
    if (this.isFriend(userId)) refuse('no_permission', `user ${userId} is already a friend`);
    this.requireUser(userId);
    this.friendRemarks.set(userId, remark);
    return { data: null, events: [this.notice({ notice_type: 'friend_add', user_id: userId })] };
  }
}

/** `get_group_member_info`'s answer. @since 0.2.0 @category world */
export interface MemberInfo {
  group_id: number;
  user_id: number;
  nickname: string;
  card: string;
  sex: Profile['sex'];
  age: number;
  area: string;
  join_time: number;
  last_sent_time: number;
  level: string;
  role: Role;
  unfriendly: boolean;
  title: string;
  title_expire_time: number;
  card_changeable: boolean;
  shut_up_timestamp: number;
}

/** `get_msg`'s answer. @since 0.2.0 @category world */
export interface GetMsgData {
  time: number;
  message_type: 'private' | 'group';
  message_id: number;
  real_id: number;
  sender: PrivateSender | GroupSender;
  message: Segment[] | string;
  raw_message: string;
  user_id: number;
  group_id?: number;
}

const newMember = (userId: number, joinTime: number): MemberState => ({
  user_id: userId,
  role: 'member',
  card: '',
  title: '',
  join_time: joinTime,
  last_sent_time: 0,
  muted_until: 0,
});

/** Who approved a scripted join: the owner, else an admin other than the bot, else the bot if it is an admin. */
const approverOf = (g: GroupState, botId: number): number | undefined => {
  let admin: number | undefined;
  let bot: number | undefined;
  for (const m of g.members.values()) {
    if (m.role === 'owner') return m.user_id;
    if (m.role === 'admin' && m.user_id === botId) bot = m.user_id;
    else if (m.role === 'admin' && admin === undefined) admin = m.user_id;
  }
  return admin ?? bot;
};

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Narrowing helpers for callers holding a {@link Said}. @since 0.2.0 @category world */
export const isGroupSaid = (s: Said): s is Said<GroupMessageEvent> => s.event.message_type === 'group';
/** @since 0.2.0 @category world */
export const isPrivateSaid = (s: Said): s is Said<PrivateMessageEvent> => s.event.message_type === 'private';
