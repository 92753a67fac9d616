import { formatErrors } from './codecs/common';
import type {
  Anonymous,
  GroupMessageEvent,
  GroupSender,
  HeartbeatEvent,
  HeartbeatStatus,
  LifecycleEvent,
  MessageEvent,
  NoticeEvent,
  PrivateMessageEvent,
  PrivateSender,
  RequestEvent,
} from './codecs/events';
import { Message, type MessageInput, type Segment } from './codecs/segments';
import { escapeCQ, normalizeMessage, toCQ } from './cq';
import { ErrorCode, ProtocolError } from './errors';

/**
 * Event builders: what an implementation sends. Every builder's output decodes with the matching
 * codec of `codecs/events.ts`. Builders are pure apart from the two injectable sources of
 * variation, the clock and the message-id generator.
 */

/**
 * The clock and id source of the builders; inject them for deterministic output (tests, replays).
 *
 * @since 0.1.0
 * @category builders
 */
export interface BuilderOptions {
  /** Current time in **ms** (default `Date.now`); events carry it in seconds. */
  now?: () => number;
  /** Source of `message_id` values (default {@link nextMessageId}). */
  nextMessageId?: () => number;
}

const INT32_MAX = 2147483647;

/**
 * A generator of message ids: positive int32 values (1 … 2147483647), consecutive from `seed` and
 * wrapping from 2147483647 back to 1, so a generator never repeats an id within 2^31 − 1 calls.
 * Without a seed it starts at a random point, so ids do not restart at 1 after a process restart
 * (servers may still hold old ids for `get_msg`/`reply`).
 *
 * @example
 * import { createMessageIdGenerator } from 'onebot-rx/protocol';
 * const next = createMessageIdGenerator(2147483646);
 * [next(), next(), next()]; // [2147483646, 2147483647, 1]
 *
 * @since 0.1.0
 * @category builders
 */
export const createMessageIdGenerator = (seed?: number): (() => number) => {
  const start = seed === undefined || !Number.isFinite(seed) ? 1 + Math.floor(Math.random() * INT32_MAX) : Math.trunc(seed);
  // Map any integer onto 1..INT32_MAX so a seed of 0, a negative or a huge value is still safe.
  let current = ((((start - 1) % INT32_MAX) + INT32_MAX) % INT32_MAX) + 1;
  return () => {
    const id = current;
    current = current === INT32_MAX ? 1 : current + 1;
    return id;
  };
};

/**
 * The module-wide message id generator the builders use by default.
 *
 * @example
 * import { nextMessageId } from 'onebot-rx/protocol';
 * nextMessageId() !== nextMessageId(); // true
 *
 * @since 0.1.0
 * @category builders
 */
export const nextMessageId: () => number = createMessageIdGenerator();

const seconds = (opts: BuilderOptions | undefined): number => Math.floor((opts?.now ?? Date.now)() / 1000);

/**
 * A lifecycle meta event (docs/protocol.md §3.1). Over reverse WebSocket only `connect` is sent.
 *
 * @example
 * import { createLifecycleEvent } from 'onebot-rx/protocol';
 * createLifecycleEvent(10001000, 'enable', { now: () => 1700000000000 }).sub_type; // 'enable'
 *
 * @since 0.1.0
 * @category builders
 */
export const createLifecycleEvent = <S extends LifecycleEvent['sub_type']>(selfId: number, subType: S, opts?: BuilderOptions): LifecycleEvent & { sub_type: S } => ({
  time: seconds(opts),
  self_id: selfId,
  post_type: 'meta_event',
  meta_event_type: 'lifecycle',
  sub_type: subType,
});

/**
 * The lifecycle `connect` event: the first frame on every Event/Universal socket (§1.3).
 *
 * @example
 * import { createConnectEvent } from 'onebot-rx/protocol';
 * createConnectEvent(10001000, { now: () => 1700000000123 });
 * // { time: 1700000000, self_id: 10001000, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' }
 *
 * @since 0.1.0
 * @category builders
 */
export const createConnectEvent = (selfId: number, opts?: BuilderOptions): LifecycleEvent & { sub_type: 'connect' } =>
  createLifecycleEvent(selfId, 'connect', opts);

/**
 * A heartbeat meta event (§3.1). `intervalMs` must be the real period until the next heartbeat.
 * `status` defaults to `{ online: true, good: true }`; extra status fields are sent as given.
 *
 * @example
 * import { createHeartbeatEvent } from 'onebot-rx/protocol';
 * createHeartbeatEvent(10001000, 15000, undefined, { now: () => 1700000000000 });
 * // { time: 1700000000, self_id: 10001000, post_type: 'meta_event', meta_event_type: 'heartbeat',
 * //   status: { online: true, good: true }, interval: 15000 }
 *
 * @since 0.1.0
 * @category builders
 */
export const createHeartbeatEvent = (
  selfId: number,
  intervalMs: number,
  status: HeartbeatStatus = { online: true, good: true },
  opts?: BuilderOptions,
): HeartbeatEvent => ({
  time: seconds(opts),
  self_id: selfId,
  post_type: 'meta_event',
  meta_event_type: 'heartbeat',
  status: { ...status },
  interval: intervalMs,
});

/**
 * Input of {@link createMessageEvent} and {@link createTextMessage}.
 *
 * @since 0.1.0
 * @category builders
 */
export interface MessageEventFields extends BuilderOptions {
  /** The bot account (`self_id`). */
  selfId: number;
  messageType: 'private' | 'group';
  /** Sender (`user_id`, also `sender.user_id`); defaults to `selfId`. */
  userId?: number;
  /** Private only: the peer (`target_id`, ext); defaults to `userId`. */
  targetId?: number;
  /** Group only, required there. */
  groupId?: number;
  /** Defaults to `friend` (private), `normal` (group) or `anonymous` (group with `anonymous` set). */
  subType?: PrivateMessageEvent['sub_type'] | GroupMessageEvent['sub_type'];
  /** Explicit `message_id`; otherwise taken from `nextMessageId`. */
  messageId?: number;
  /** `array` (default): `message` is a segment array; `string`: `message` is the CQ string. */
  messageFormat?: 'array' | 'string';
  /** Defaults to `0`. */
  font?: number;
  /** `sender.nickname`; defaults to `''`. */
  nickname?: string;
  /** More sender fields (`card`, `role`, `sex`...). `sender.user_id` is always `user_id`. */
  sender?: PrivateSender | GroupSender;
  /** Group only: the anonymous identity; defaults to `null`. */
  anonymous?: Anonymous | null;
}

/** @since 0.1.0 @category builders */
export interface MessageEventInput extends MessageEventFields {
  /** Content: a CQ string (parsed into segments for the array format), one segment, or segments. */
  message: MessageInput;
}

/** @since 0.1.0 @category builders */
export interface TextMessageInput extends MessageEventFields {
  /** Plain text, sent literally (escaped in `raw_message`). */
  text: string;
}

const invalid = (message: string, data: Record<string, unknown> = {}) => new ProtocolError(ErrorCode.InvalidOutgoing, message, data);

/**
 * A message event (§3.2/§3.3) from any message content. Segments are validated (and normalised, e.g.
 * numeric ids become strings) with the `Message` codec; `raw_message` is their CQ form.
 *
 * @throws {ProtocolError} `ONEBOT_INVALID_OUTGOING` when a group message has no `groupId` or a
 *   standard segment is malformed (the message names the path, e.g. `message.0.data.text: …`).
 *
 * @example
 * import { createMessageEvent, segment } from 'onebot-rx/protocol';
 * const e = createMessageEvent({ selfId: 1, userId: 2, messageType: 'group', groupId: 3, message: [segment.at(1), segment.text(' hi')] });
 * e.raw_message; // '[CQ:at,qq=1] hi'
 *
 * @since 0.1.0
 * @category builders
 */
export function createMessageEvent(input: MessageEventInput & { messageType: 'private' }): PrivateMessageEvent;
export function createMessageEvent(input: MessageEventInput & { messageType: 'group'; groupId: number }): GroupMessageEvent;
export function createMessageEvent(input: MessageEventInput): MessageEvent;
export function createMessageEvent(input: MessageEventInput): MessageEvent {
  const segments = normalizeMessage(input.message);
  const decoded = Message.decode(segments);
  if (decoded._tag === 'Left') {
    const errors = formatErrors(decoded.left).map((line) => `message.${line}`);
    throw invalid(`invalid message: ${errors.join('; ')}`, { errors });
  }
  const normalized = decoded.right as Segment[];
  return assemble(input, normalized, toCQ(normalized));
}

/**
 * Builds the event from already valid segments and their CQ form. Written as plain object literals
 * (no spreads of the input): this runs once per outgoing message, on the hot path of `sendText`.
 */
const assemble = (input: MessageEventFields, segments: Segment[], raw: string): MessageEvent & { message_format: 'array' | 'string' } => {
  const userId = input.userId ?? input.selfId;
  const format = input.messageFormat ?? 'array';
  // For the string format `message` is the CQ form, which is exactly `raw_message`.
  const message = format === 'string' ? raw : segments;
  const time = seconds(input);
  const messageId = input.messageId ?? (input.nextMessageId ?? nextMessageId)();
  const font = input.font ?? 0;
  const nickname = input.nickname ?? '';
  if (input.messageType === 'private') {
    const subType = input.subType ?? 'friend';
    if (subType !== 'friend' && subType !== 'group' && subType !== 'other') throw invalid(`invalid private message sub_type: ${subType}`);
    const extra = input.sender as PrivateSender | undefined;
    return {
      time,
      self_id: input.selfId,
      post_type: 'message',
      message_type: 'private',
      sub_type: subType,
      message_id: messageId,
      user_id: userId,
      target_id: input.targetId ?? userId,
      message,
      raw_message: raw,
      message_format: format,
      font,
      sender: extra === undefined ? { user_id: userId, nickname } : { nickname, ...extra, user_id: userId },
    };
  }
  if (input.groupId === undefined) throw invalid('a group message needs groupId');
  const anonymous = input.anonymous ?? null;
  const subType = input.subType ?? (anonymous === null ? 'normal' : 'anonymous');
  if (subType !== 'normal' && subType !== 'anonymous' && subType !== 'notice') throw invalid(`invalid group message sub_type: ${subType}`);
  const extra = input.sender as GroupSender | undefined;
  return {
    time,
    self_id: input.selfId,
    post_type: 'message',
    message_type: 'group',
    sub_type: subType,
    message_id: messageId,
    group_id: input.groupId,
    user_id: userId,
    anonymous,
    message,
    raw_message: raw,
    message_format: format,
    font,
    sender: extra === undefined ? { user_id: userId, nickname, card: '', role: 'member' } : { nickname, card: '', role: 'member', ...extra, user_id: userId },
  };
};

/**
 * A plain-text message event, the shape the original client sends: one `text` segment,
 * `raw_message` the CQ-escaped text (`&` → `&amp;`, `[` → `&#91;`, `]` → `&#93;`),
 * `message_format: 'array'` (or the CQ string with `messageFormat: 'string'`), `font: 0`, a
 * `sender` whose `user_id` is `user_id`; private adds `target_id`, group adds `anonymous: null`.
 *
 * @throws {ProtocolError} `ONEBOT_INVALID_OUTGOING` for a group message without `groupId`.
 *
 * @example
 * import { createTextMessage } from 'onebot-rx/protocol';
 * const e = createTextMessage({ selfId: 10001000, messageType: 'private', text: 'a&[b]', targetId: 20002000 });
 * e.raw_message; // 'a&amp;&#91;b&#93;'
 * e.message; // [{ type: 'text', data: { text: 'a&[b]' } }]
 *
 * @since 0.1.0
 * @category builders
 */
export function createTextMessage(input: TextMessageInput & { messageType: 'private' }): PrivateMessageEvent;
export function createTextMessage(input: TextMessageInput & { messageType: 'group'; groupId: number }): GroupMessageEvent;
export function createTextMessage(input: TextMessageInput): MessageEvent;
export function createTextMessage(input: TextMessageInput): MessageEvent {
  // A text segment is valid by construction: no codec pass, and its CQ form is the escaped text.
  const text = String(input.text);
  return assemble(input, [{ type: 'text', data: { text } }], escapeCQ(text));
}

type Envelope<P extends string> = { time: number; self_id: number; post_type: P };
type Body<E> = E extends unknown ? Omit<E, 'time' | 'self_id' | 'post_type'> : never;

/**
 * Any notice (§3.5) from its own fields; the envelope (`time`, `self_id`, `post_type`) is added.
 *
 * @example
 * import { createNoticeEvent } from 'onebot-rx/protocol';
 * createNoticeEvent(10001000, { notice_type: 'notify', sub_type: 'poke', group_id: 1, user_id: 2, target_id: 10001000 });
 *
 * @since 0.1.0
 * @category builders
 */
export const createNoticeEvent = <B extends Body<NoticeEvent>>(selfId: number, body: B, opts?: BuilderOptions): B & Envelope<'notice'> => ({
  time: seconds(opts),
  self_id: selfId,
  post_type: 'notice',
  ...body,
});

/**
 * A friend or group request (§3.6) from its own fields; the envelope is added.
 *
 * @example
 * import { createRequestEvent } from 'onebot-rx/protocol';
 * createRequestEvent(10001000, { request_type: 'friend', user_id: 2, comment: 'hi', flag: 'f1' });
 *
 * @since 0.1.0
 * @category builders
 */
export const createRequestEvent = <B extends Body<RequestEvent>>(selfId: number, body: B, opts?: BuilderOptions): B & Envelope<'request'> => ({
  time: seconds(opts),
  self_id: selfId,
  post_type: 'request',
  ...body,
});
