import { messageToCQ } from '../protocol/cq';
import type { Message } from '../protocol/codecs/segments';

/**
 * One-line, human descriptions of OneBot frames for the transcript. They read the raw JSON
 * loosely (any object), since the transcript also shows frames that failed validation.
 */

type Json = Readonly<Record<string, unknown>>;

/** @internal */
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v) ?? '');

/** @internal */
const messageText = (e: Json): string => {
  const msg = e.message;
  if (typeof msg === 'string' || Array.isArray(msg)) return messageToCQ(msg as Message);
  if (typeof e.raw_message === 'string') return e.raw_message;
  return '';
};

/** Shortens long JSON or text for a one-line display. @internal */
export const clip = (s: string, max = 160): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** @internal */
export const compactJson = (v: unknown): string => clip(JSON.stringify(v) ?? 'undefined');

/**
 * Describes an event as the sender sees it: what it is and where it goes.
 *
 * @example
 * describeEvent({ post_type: 'message', message_type: 'group', group_id: 1, user_id: 2, message: 'hi' });
 * // → 'group message to 1: "hi"'
 *
 * @internal
 */
export const describeEvent = (e: Json): string => {
  switch (e.post_type) {
    case 'message':
    case 'message_sent': {
      const sent = e.post_type === 'message_sent' ? ' (sent by self)' : '';
      const text = JSON.stringify(clip(messageText(e)));
      if (e.message_type === 'group') return `group message to ${str(e.group_id)}${sent}: ${text}`;
      const to = e.target_id ?? e.self_id;
      return `private message to ${str(to)}${sent}: ${text}`;
    }
    case 'meta_event':
      if (e.meta_event_type === 'heartbeat') return `heartbeat: still alive (one every ${str(e.interval)} ms)`;
      if (e.meta_event_type === 'lifecycle') return `lifecycle ${str(e.sub_type)}`;
      return `meta_event ${str(e.meta_event_type)}`;
    case 'notice':
      return `notice ${str(e.notice_type)}${e.sub_type === undefined ? '' : `/${str(e.sub_type)}`} ${compactJson(e)}`;
    case 'request':
      return `request ${str(e.request_type)} ${compactJson(e)}`;
    default:
      return `${str(e.post_type)} ${compactJson(e)}`;
  }
};

/**
 * Describes a message event as its receiver sees it.
 *
 * @example
 * describeIncoming({ post_type: 'message', message_type: 'private', user_id: 12345, message: 'hi' });
 * // → 'private message from 12345: "hi"'
 *
 * @internal
 */
export const describeIncoming = (e: Json): string => {
  if (e.post_type !== 'message') return describeEvent(e);
  const text = JSON.stringify(clip(messageText(e)));
  if (e.message_type === 'group') return `group message in ${str(e.group_id)} from ${str(e.user_id)}: ${text}`;
  return `private message from ${str(e.user_id)}: ${text}`;
};

/** `get_login_info {"no_cache":true}`; params left out when empty. @internal */
export const describeApiCall = (action: string, params: unknown): string => {
  const empty = params === undefined || params === null || (typeof params === 'object' && Object.keys(params).length === 0);
  return empty ? `API call ${action}` : `API call ${action} ${compactJson(params)}`;
};

/** `ok {"user_id":1}` / `failed 1404 unknown action`. @internal */
export const describeApiAnswer = (response: Json): string => {
  const status = str(response.status);
  if (status === 'ok') return `answer ok ${compactJson(response.data)}`;
  if (status === 'async') return 'answer async';
  const why = typeof response.message === 'string' && response.message !== '' ? ` ${response.message}` : '';
  return `answer ${status} ${str(response.retcode)}${why}`;
};
