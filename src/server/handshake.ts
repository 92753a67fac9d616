import * as E from 'fp-ts/Either';
import { ErrorCode, ProtocolError } from '../protocol/errors';
import type { Frame } from '../protocol/frame';
import { ServerCloseCode } from './reference-server-types';
import { checkSelfId } from './self-id';

/**
 * The verdict on a connection's first frame, which must be a lifecycle `connect` event whose
 * `self_id` follows the `self_id` rule (see self-id.ts), matches `X-Self-ID` when one was given,
 * and is not held by another connection. Pure: the session acts on the verdict.
 * @internal
 */

/** @internal */
export type EventObject = Record<string, unknown> & { post_type: string; self_id: number };

/** @internal */
export type Handshake =
  | { readonly ok: true; readonly selfId: number; readonly event: EventObject }
  | {
      readonly ok: false;
      readonly code: number;
      readonly reason: string;
      /** The error to record (bad frame, invalid self_id). */
      readonly error?: ProtocolError;
      /** A duplicate: the holder should be probed, so a dead one frees the id for the retry. */
      readonly duplicateOf?: number;
    };

const isConnectEvent = (e: EventObject): boolean => e.post_type === 'meta_event' && e.meta_event_type === 'lifecycle' && e.sub_type === 'connect';

/** What a frame is, for messages: `API request get_status`, `message/group/normal event`... @internal */
export const describeFrame = (f: Frame): string => {
  if (f.kind === 'request') return `API request ${f.request.action}`;
  if (f.kind === 'response') return 'API response';
  const e = f.event as EventObject;
  const detail = e[`${e.post_type}_type`];
  return `${e.post_type}${typeof detail === 'string' ? `/${detail}` : ''}${typeof e.sub_type === 'string' ? `/${e.sub_type}` : ''} event`;
};

/** @internal */
export const judgeHandshake = (frame: E.Either<ProtocolError, Frame>, claimedSelfId: number | undefined, isConnected: (selfId: number) => boolean): Handshake => {
  if (E.isLeft(frame)) {
    return { ok: false, code: ServerCloseCode.HandshakeInvalid, reason: `handshake failed: first frame must be a lifecycle connect event (${frame.left.code})`, error: frame.left };
  }
  const f = frame.right;
  if (f.kind !== 'event' || !isConnectEvent(f.event as EventObject)) {
    return { ok: false, code: ServerCloseCode.HandshakeInvalid, reason: `handshake failed: first frame must be a lifecycle connect event, got ${describeFrame(f)}` };
  }
  const event = f.event as EventObject;
  const rule = checkSelfId(event.self_id);
  if (!rule.ok) {
    const error = new ProtocolError(ErrorCode.InvalidEvent, `invalid connect event: ${rule.reason}`, { path: 'self_id' });
    return { ok: false, code: ServerCloseCode.InvalidSelfId, reason: `handshake failed: ${rule.reason}`, error };
  }
  const id = rule.selfId;
  if (claimedSelfId !== undefined && claimedSelfId !== id) {
    return { ok: false, code: ServerCloseCode.SelfIdMismatch, reason: `self_id ${id} does not match X-Self-ID ${claimedSelfId}` };
  }
  // Refused now (frames cannot wait for a verdict), but a dead holder is found within pongTimeout.
  if (isConnected(id)) return { ok: false, code: ServerCloseCode.DuplicateSelfId, reason: `duplicate self_id ${id}`, duplicateOf: id };
  return { ok: true, selfId: id, event };
};
