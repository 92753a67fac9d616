import { ErrorCode, ProtocolError } from '../protocol/errors';
import type { OutgoingFrame } from './types';

/**
 * Outbound frames are encoded once, at `send()` time, so every later step (outbox, flush, retry)
 * moves the same string and the caller learns at once that a frame is unsendable.
 */

const invalid = (message: string): ProtocolError => new ProtocolError(ErrorCode.InvalidOutgoing, message);

/**
 * A client speaks only for its own account: an event whose `self_id` is another account's is refused
 * (a server or a bug must not make one bot impersonate another).
 */
const foreignSelfId = (f: Record<string, unknown> | null, selfId: number | undefined): ProtocolError | undefined => {
  if (selfId === undefined || f === null || typeof f !== 'object' || !('post_type' in f)) return undefined;
  const missing = ENVELOPE.filter((k) => f[k] === undefined);
  if (missing.length > 0) {
    return new ProtocolError(ErrorCode.InvalidOutgoing, `event is missing ${missing.join(', ')}: every event needs time, self_id and post_type (and its detail type, e.g. message_type)`, { missing });
  }
  return f.self_id === selfId
    ? undefined
    : new ProtocolError(ErrorCode.InvalidOutgoing, `event self_id ${String(f.self_id)} is not this client's (${selfId})`, { selfId, eventSelfId: f.self_id });
};

/** The fields every event carries (docs/protocol.md §3.1). */
const ENVELOPE = ['time', 'self_id', 'post_type'] as const;

/** UTF-8 size, exact (only computed when the UTF-16 length leaves it in doubt). */
const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;

/**
 * Checks and serialises one outbound frame (docs/protocol.md §2.1): an event must have its envelope
 * (`time`, `self_id`, `post_type`), a response `status`/`retcode` and no `post_type`, a request
 * `action`. A string is taken as pre-encoded JSON object text and sent as is once it parses. With
 * `selfId`, an event carrying another account's `self_id` is refused. Returns the text, or the error.
 * @internal
 */
export const encodeOutgoingText = (frame: OutgoingFrame, maxPayload: number, selfId?: number): string | ProtocolError => {
  let text: string;
  if (typeof frame === 'string') {
    if (frame.charCodeAt(0) !== 123 /* { */) return invalid('a pre-encoded frame must be JSON object text');
    // Parsed once: a malformed frame would make some servers (NoneBot2) drop the whole connection,
    // and an event's self_id must be checked like an object's.
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame);
    } catch {
      return invalid('a pre-encoded frame must be valid JSON');
    }
    const foreign = foreignSelfId(parsed as Record<string, unknown>, selfId);
    if (foreign !== undefined) return foreign;
    text = frame;
  } else {
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return invalid('a frame must be an object (event, API response or API request)');
    const f = frame as Record<string, unknown>;
    // Events (by far the most common) are recognised with one check.
    if (typeof f.post_type !== 'string') {
      const hasPostType = 'post_type' in f;
      const isResponse = !hasPostType && typeof f.status === 'string' && typeof f.retcode === 'number';
      const isRequest = !hasPostType && typeof f.action === 'string';
      if (!isResponse && !isRequest) {
        return invalid('a frame must be an event (post_type), an API response (status, retcode, no post_type) or an API request (action)');
      }
    } else {
      const foreign = foreignSelfId(f, selfId);
      if (foreign !== undefined) return foreign;
    }
    try {
      text = JSON.stringify(frame);
    } catch (e) {
      return invalid(`frame cannot be serialised: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // UTF-8 takes 1..3 bytes per UTF-16 unit: bytes are only counted when 3 × length could exceed the limit.
  if (text.length > maxPayload || (text.length * 3 > maxPayload && utf8Bytes(text) > maxPayload)) {
    const size = utf8Bytes(text);
    return new ProtocolError(ErrorCode.FrameTooLarge, `frame too large: ${size} bytes, maxPayload is ${maxPayload}`, { maxPayload, size });
  }
  return text;
};

