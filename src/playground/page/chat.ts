import { segment, type OneBotMessageEvent as OneBotMessage, type NoticeEvent, type Segment } from '../../index';
import type { World } from '../../world-entry';

/**
 * What the page shows, kept apart from the DOM: the conversations and their entries, built from
 * the world's events and the bot's stored messages. Pure bookkeeping with a bound per conversation.
 */

/** `g:<group_id>` or `u:<user_id>`. */
export type ChatKey = `g:${number}` | `u:${number}`;

export const groupKey = (groupId: number): ChatKey => `g:${groupId}`;
export const userKey = (userId: number): ChatKey => `u:${userId}`;
export const parseKey = (key: ChatKey): { groupId?: number; userId?: number } =>
  key.startsWith('g:') ? { groupId: Number(key.slice(2)) } : { userId: Number(key.slice(2)) };

export interface MessageEntry {
  readonly kind: 'message';
  readonly chat: ChatKey;
  readonly id: number;
  readonly userId: number;
  readonly groupId: number | undefined;
  readonly segments: readonly Segment[];
  readonly time: number;
  readonly fromBot: boolean;
  recalled: boolean;
}

export interface SystemEntry {
  readonly kind: 'system';
  readonly chat: ChatKey;
  readonly text: string;
  readonly time: number;
}

export type Entry = MessageEntry | SystemEntry;

/** Entries kept per conversation by default (oldest dropped first): `onebot-rx play --history`. */
export const MAX_ENTRIES_PER_CHAT = 500;

/** A user's name in a chat: group card, else nickname, else the number. */
export const nameIn = (world: World, userId: number, groupId?: number): string => {
  const card = groupId === undefined ? '' : (world.member(groupId, userId)?.card ?? '');
  if (card !== '') return card;
  if (userId === world.bot.user_id) return world.bot.nickname || String(userId);
  return world.profile(userId)?.nickname || String(userId);
};

const segmentsOf = (m: OneBotMessage): Segment[] =>
  Array.isArray(m.message) ? (m.message as Segment[]) : [{ type: 'text', data: { text: String(m.message) } } as Segment];

/** The entry of a message a simulated user said. */
export const userMessageEntry = (m: OneBotMessage, receivedAt: number): MessageEntry => ({
  kind: 'message',
  chat: m.message_type === 'group' ? groupKey((m as { group_id: number }).group_id) : userKey(m.user_id),
  id: m.message_id,
  userId: m.user_id,
  groupId: m.message_type === 'group' ? (m as { group_id: number }).group_id : undefined,
  segments: segmentsOf(m),
  time: receivedAt,
  fromBot: false,
  recalled: false,
});

/** The entry of a message the bot sent (as the world stored it). */
export const botMessageEntry = (
  stored: { message_id: number; message_type: 'private' | 'group'; user_id: number; group_id?: number; peer_id?: number; message: Segment[] },
  at: number,
): MessageEntry => ({
  kind: 'message',
  chat: stored.group_id !== undefined ? groupKey(stored.group_id) : userKey(stored.peer_id ?? stored.user_id),
  id: stored.message_id,
  userId: stored.user_id,
  groupId: stored.group_id,
  segments: stored.message,
  time: at,
  fromBot: true,
  recalled: false,
});

const n = (v: unknown): number => Number(v);

/**
 * A notice as a system line in its chat, and the message it recalls (if any). Names are read from
 * the world after the change (a member who left keeps their nickname).
 */
export const noticeLine = (world: World, e: NoticeEvent, at: number): { entry: SystemEntry; recalls?: number } => {
  const r = e as Record<string, unknown>;
  const g = r.group_id === undefined ? undefined : n(r.group_id);
  const name = (u: unknown): string => (n(u) === world.bot.user_id ? `${nameIn(world, n(u), g)} (bot)` : nameIn(world, n(u), g));
  const chat: ChatKey = g !== undefined ? groupKey(g) : userKey(n(r.user_id ?? r.sender_id));
  let text: string;
  let recalls: number | undefined;
  switch (e.notice_type) {
    case 'group_increase':
      text = `${name(r.user_id)} joined the group${r.sub_type === 'invite' ? `, invited by ${name(r.operator_id)}` : ''}`;
      break;
    case 'group_decrease':
      text =
        r.sub_type === 'leave'
          ? `${name(r.user_id)} left the group`
          : r.sub_type === 'kick_me'
            ? `the bot was removed from the group by ${name(r.operator_id)}`
            : `${name(r.user_id)} was removed by ${name(r.operator_id)}`;
      break;
    case 'group_ban': {
      const who = n(r.user_id) === 0 ? 'everyone' : name(r.user_id);
      text = r.sub_type === 'lift_ban' ? `${who} can speak again (${name(r.operator_id)})` : `${who} was muted${n(r.duration) > 0 ? ` for ${n(r.duration)} s` : ''} by ${name(r.operator_id)}`;
      break;
    }
    case 'group_admin':
      text = `${name(r.user_id)} ${r.sub_type === 'set' ? 'is now an admin' : 'is no longer an admin'}`;
      break;
    case 'group_recall':
      recalls = n(r.message_id);
      text = n(r.operator_id) === n(r.user_id) ? `${name(r.operator_id)} recalled a message` : `${name(r.operator_id)} recalled a message of ${name(r.user_id)}`;
      break;
    case 'friend_recall':
      recalls = n(r.message_id);
      text = `${name(r.user_id)} recalled a message`;
      break;
    case 'group_card':
      text = `${nameIn(world, n(r.user_id))}'s card is now "${String(r.card_new ?? '')}"`;
      break;
    case 'friend_add':
      text = `${name(r.user_id)} is now a friend of the bot`;
      break;
    case 'notify':
      text =
        r.sub_type === 'poke'
          ? `${name(r.user_id ?? r.sender_id)} poked ${name(r.target_id)}`
          : `${String(r.sub_type)} notice${r.user_id !== undefined ? ` (${name(r.user_id)})` : ''}`;
      break;
    default:
      text = `${e.notice_type} notice`;
  }
  return { entry: { kind: 'system', chat, text, time: at }, ...(recalls !== undefined ? { recalls } : {}) };
};

/** A mention picked from the menu: the label inserted in the text, and whom it names. */
export interface Mention {
  readonly label: string;
  readonly qq: number | 'all';
}

/**
 * The composer's text as segments: each picked mention's label (first occurrence onwards, earliest
 * first) becomes an `at` segment; the rest stays text, adjacent pieces merged. A label the user
 * deleted from the text is simply not found.
 */
export const textToSegments = (text: string, mentions: readonly Mention[]): Segment[] => {
  const out: Segment[] = [];
  const push = (s: Segment): void => {
    const last = out[out.length - 1];
    if (last?.type === 'text' && s.type === 'text') out[out.length - 1] = segment.text(String(last.data.text) + String(s.data.text));
    else out.push(s);
  };
  let rest = text;
  while (rest.length > 0) {
    let best: { at: number; m: Mention } | undefined;
    for (const m of mentions) {
      if (m.label === '') continue;
      const at = rest.indexOf(m.label);
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, m };
    }
    if (best === undefined) {
      push(segment.text(rest));
      break;
    }
    if (best.at > 0) push(segment.text(rest.slice(0, best.at)));
    push(segment.at(best.m.qq));
    rest = rest.slice(best.at + best.m.label.length);
  }
  return out;
};
