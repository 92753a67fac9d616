import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { NumberLike, formatErrors } from '../protocol/codecs/common';
import { Segment, replaceLast } from '../protocol/codecs/segments';

/**
 * The JSON form of a simulated QQ world (docs/guides/conversations.md): what a test or a
 * conversation file declares, and what {@link World.toJSON} writes back. Decoding fills the
 * defaults; every key but `bot` may be left out.
 *
 * Profiles (nickname, sex, age, area, level) belong to a person, not to a friendship or a
 * membership, so they may be given in `users`, or inline on a friend or member entry; a person
 * declared twice with different profile values is a decode error naming both places.
 */

const Int = NumberLike;
/**
 * A key with a default: absent or `null` decodes to `fallback`. The inner codec takes the context
 * entry's place, so errors inside arrays keep their index in the path (`groups.0.members.1.role`).
 */
const opt = <A, O>(codec: t.Type<A, O, unknown>, fallback: A): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === null || u === undefined ? t.success(fallback) : codec.validate(u, replaceLast(c, codec))),
    codec.encode,
  );

/** `male` | `female` | `unknown`. @since 0.2.0 @category world */
export const Sex = t.keyof({ male: null, female: null, unknown: null }, 'Sex');
/** @since 0.2.0 @category world */
export type Sex = t.TypeOf<typeof Sex>;

/** `owner` | `admin` | `member`. @since 0.2.0 @category world */
export const Role = t.keyof({ owner: null, admin: null, member: null }, 'Role');
/** @since 0.2.0 @category world */
export type Role = t.TypeOf<typeof Role>;

/** Profile fields a person may carry, inline or in `users`. */
const profileFields = {
  nickname: t.string,
  sex: Sex,
  age: Int,
  area: t.string,
  level: t.string,
};

/** A person's profile as declared (`user_id` plus any profile fields). @since 0.2.0 @category world */
export const UserSpec = t.intersection([t.type({ user_id: Int }), t.partial(profileFields)], 'UserSpec');
/** @since 0.2.0 @category world */
export type UserSpec = t.TypeOf<typeof UserSpec>;

/** A friend of the bot; `remark` is the bot's note for them. @since 0.2.0 @category world */
export const FriendSpec = t.intersection(
  [t.type({ user_id: Int, remark: opt(t.string, '') }), t.partial(profileFields)],
  'FriendSpec',
);
/** @since 0.2.0 @category world */
export type FriendSpec = t.TypeOf<typeof FriendSpec>;

/**
 * A group member. `join_time` and `last_sent_time` are Unix seconds (`join_time` defaults to the
 * world's clock when loaded); `muted_until` is the Unix second a mute ends (0: not muted).
 * @since 0.2.0 @category world
 */
export const MemberSpec = t.intersection(
  [
    t.type({
      user_id: Int,
      role: opt(Role, 'member'),
      card: opt(t.string, ''),
      title: opt(t.string, ''),
      muted_until: opt(Int, 0),
      last_sent_time: opt(Int, 0),
    }),
    t.partial({ join_time: Int, ...profileFields }),
  ],
  'MemberSpec',
);
/** @since 0.2.0 @category world */
export type MemberSpec = t.TypeOf<typeof MemberSpec>;

/** A group the bot is in. The bot is added as a plain member when it is not listed. @since 0.2.0 @category world */
export const GroupSpec = t.type(
  {
    group_id: Int,
    group_name: opt(t.string, ''),
    max_member_count: opt(Int, 500),
    whole_ban: opt(t.boolean, false),
    members: opt(t.array(MemberSpec), []),
  },
  'GroupSpec',
);
/** @since 0.2.0 @category world */
export type GroupSpec = t.TypeOf<typeof GroupSpec>;

/** The bot account. @since 0.2.0 @category world */
export const BotSpec = t.type({ user_id: Int, nickname: opt(t.string, 'onebot-rx') }, 'BotSpec');
/** @since 0.2.0 @category world */
export type BotSpec = t.TypeOf<typeof BotSpec>;

/**
 * A stored message. `user_id` is the sender; `peer_id` the other side of a private chat (for a
 * message the bot sent, the friend it went to); `group_id` is set for group messages.
 * @since 0.2.0 @category world
 */
export const StoredMessage = t.intersection(
  [
    t.type({
      message_id: Int,
      time: Int,
      message_type: t.keyof({ private: null, group: null }),
      user_id: Int,
      message: t.array(Segment),
    }),
    t.partial({ group_id: Int, peer_id: Int, forward_id: t.string }),
  ],
  'StoredMessage',
);
/** @since 0.2.0 @category world */
export type StoredMessage = t.TypeOf<typeof StoredMessage>;

/** A stored merged-forward: its id and its `node` segments. @since 0.2.0 @category world */
export const StoredForward = t.type({ id: t.string, time: Int, nodes: t.array(Segment) }, 'StoredForward');
/** @since 0.2.0 @category world */
export type StoredForward = t.TypeOf<typeof StoredForward>;

/**
 * What happens when a message involves a user or group the world does not know: `create` (the
 * default) adds them on the fly (the sender joins the group as a member, the bot too), so an
 * undeclared world behaves like an account in every group; `reject` refuses, which catches a bot
 * answering the wrong chat.
 * @since 0.2.0 @category world
 */
export const UnknownPolicy = t.keyof({ create: null, reject: null }, 'UnknownPolicy');
/** @since 0.2.0 @category world */
export type UnknownPolicy = t.TypeOf<typeof UnknownPolicy>;

/** The whole world as JSON. @since 0.2.0 @category world */
export const WorldSpec = t.type(
  {
    bot: BotSpec,
    unknown: opt(UnknownPolicy, 'create'),
    users: opt(t.array(UserSpec), []),
    friends: opt(t.array(FriendSpec), []),
    groups: opt(t.array(GroupSpec), []),
    messages: opt(t.array(StoredMessage), []),
    forwards: opt(t.array(StoredForward), []),
    next_message_id: opt(Int, 1),
    next_forward_id: opt(Int, 1),
  },
  'WorldSpec',
);
/** @since 0.2.0 @category world */
export type WorldSpec = t.TypeOf<typeof WorldSpec>;
/** The JSON a user writes: defaulted keys may be left out. @since 0.2.0 @category world */
export type WorldSpecInput = t.OutputOf<typeof WorldSpec> | Record<string, unknown>;

/** A person's profile, complete. @since 0.2.0 @category world */
export interface Profile {
  readonly user_id: number;
  readonly nickname: string;
  readonly sex: Sex;
  readonly age: number;
  readonly area: string;
  readonly level: string;
}

/** Profile keys that may be given inline. */
const PROFILE_KEYS = ['nickname', 'sex', 'age', 'area', 'level'] as const;

/**
 * Decodes a world declaration and checks what a codec cannot: unique ids, at most one owner per
 * group, and consistent profiles. Errors read `path: problem`, one per line, like every decode
 * error of onebot-rx.
 *
 * @example
 * import { decodeWorldSpec } from 'onebot-rx/world';
 * decodeWorldSpec({ bot: { user_id: 'x' } });
 * // Left(['bot.user_id: expected NumberLike, got string "x"'])
 *
 * @since 0.2.0
 * @category world
 */
export const decodeWorldSpec = (u: unknown): E.Either<string[], WorldSpec> =>
  pipe(
    WorldSpec.decode(u),
    E.mapLeft(formatErrors),
    E.chain((spec) => {
      const problems = checkSpec(spec);
      return problems.length === 0 ? E.right(spec) : E.left(problems);
    }),
  );

/** Cross-field rules of {@link decodeWorldSpec}. */
const checkSpec = (spec: WorldSpec): string[] => {
  const problems: string[] = [];
  const duplicates = <T>(items: readonly T[], key: (item: T) => number | string, path: string, what: string) => {
    const seen = new Map<number | string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = seen.get(k);
      if (first !== undefined) problems.push(`${path}.${i}: ${what} ${k} is already declared at ${path}.${first}`);
      else seen.set(k, i);
    });
  };
  duplicates(spec.users, (u) => u.user_id, 'users', 'user');
  duplicates(spec.friends, (f) => f.user_id, 'friends', 'friend');
  duplicates(spec.groups, (g) => g.group_id, 'groups', 'group');
  duplicates(spec.messages, (m) => m.message_id, 'messages', 'message');
  duplicates(spec.forwards, (f) => f.id, 'forwards', 'forward');
  spec.friends.forEach((f, i) => {
    if (f.user_id === spec.bot.user_id) problems.push(`friends.${i}.user_id: ${f.user_id} is the bot itself`);
  });
  spec.groups.forEach((g, gi) => {
    duplicates(g.members, (m) => m.user_id, `groups.${gi}.members`, 'member');
    const owners = g.members.flatMap((m, i) => (m.role === 'owner' ? [i] : []));
    if (owners.length > 1) problems.push(`groups.${gi}.members.${owners[1]}.role: group ${g.group_id} already has an owner at groups.${gi}.members.${owners[0]}`);
  });
  // Profiles: every inline profile field must agree with every other declaration of that person.
  const declared = new Map<number, Map<string, { value: unknown; path: string }>>();
  const declare = (entry: Record<string, unknown> & { user_id: number }, path: string) => {
    const fields = declared.get(entry.user_id) ?? new Map<string, { value: unknown; path: string }>();
    declared.set(entry.user_id, fields);
    for (const key of PROFILE_KEYS) {
      if (entry[key] === undefined) continue;
      const prior = fields.get(key);
      if (prior === undefined) fields.set(key, { value: entry[key], path: `${path}.${key}` });
      else if (prior.value !== entry[key]) {
        problems.push(`${path}.${key}: ${JSON.stringify(entry[key])} conflicts with ${JSON.stringify(prior.value)} declared at ${prior.path}`);
      }
    }
  };
  spec.users.forEach((u, i) => declare(u, `users.${i}`));
  spec.friends.forEach((f, i) => declare(f, `friends.${i}`));
  spec.groups.forEach((g, gi) => g.members.forEach((m, i) => declare(m, `groups.${gi}.members.${i}`)));
  return problems;
};

/**
 * Every person's complete profile, merged from `users` and the inline friend and member fields
 * (missing fields: nickname `user<id>`, sex `unknown`, age 0, area and level empty).
 * @internal
 */
export const profilesOf = (spec: WorldSpec): Map<number, Profile> => {
  const merged = new Map<number, Record<string, unknown>>();
  const add = (entry: Record<string, unknown> & { user_id: number }) => {
    const current = merged.get(entry.user_id) ?? {};
    for (const key of PROFILE_KEYS) if (entry[key] !== undefined && current[key] === undefined) current[key] = entry[key];
    merged.set(entry.user_id, current);
  };
  spec.users.forEach(add);
  spec.friends.forEach(add);
  spec.groups.forEach((g) => g.members.forEach(add));
  const out = new Map<number, Profile>();
  for (const [userId, p] of merged) out.set(userId, completeProfile(userId, p));
  return out;
};

/** @internal */
export const completeProfile = (userId: number, p: Record<string, unknown> = {}): Profile => ({
  user_id: userId,
  nickname: typeof p.nickname === 'string' ? p.nickname : `user${userId}`,
  sex: (p.sex as Sex | undefined) ?? 'unknown',
  age: typeof p.age === 'number' ? p.age : 0,
  area: typeof p.area === 'string' ? p.area : '',
  level: typeof p.level === 'string' ? p.level : '',
});
