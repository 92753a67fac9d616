import * as E from 'fp-ts/Either';
import type { ApiResponse } from '../protocol/codecs/frames';
import { eventCodecOf, type ExtensionEvent, type OneBotEvent } from '../protocol/codecs/events';
import { ErrorCode, ProtocolError } from '../protocol/errors';
import { decodeFrame, decodeFrameValue, type Frame, type FrameErrorData } from '../protocol/frame';

/**
 * Decoding inbound frames: fully with the io-ts codecs, or trusting the server's shapes with
 * `validate: false`. Never throws: whatever a peer sends is a frame or an error value.
 */

/** @internal */
export type DecodeResult = E.Either<ProtocolError<FrameErrorData>, Frame>;

/** Full decoding: the io-ts codecs check every field. @internal */
export const decodeValidated = (text: string, maxPayload: number): DecodeResult => decodeFrame(text, { maxPayload });

/**
 * Trusting decoding: one `JSON.parse`, routing by the same keys as `decodeFrame`, no field checks
 * for events and responses. API requests are still decoded (their `params` default matters and
 * their params are checked per action anyway).
 * @internal
 */
export const decodeTrusting = (text: string, maxPayload: number): DecodeResult => {
  if (text.length > maxPayload) return decodeFrame(text, { maxPayload });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return decodeFrame(text); // produces the InvalidJson error with its message
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return decodeFrameValue(json);
  const o = json as Record<string, unknown>;
  if (typeof o.post_type === 'string' && typeof o.self_id === 'number') {
    return eventCodecOf(o) !== undefined
      ? E.right({ kind: 'event', event: o as unknown as OneBotEvent })
      : E.right({ kind: 'extension', event: o as ExtensionEvent });
  }
  if ('action' in o || 'post_type' in o) return decodeFrameValue(o);
  if (typeof o.status === 'string' && typeof o.retcode === 'number') {
    return E.right({ kind: 'response', response: (o.data === undefined ? { ...o, data: null } : o) as ApiResponse });
  }
  return decodeFrameValue(o);
};

/** The error for a binary frame (OneBot v11 is text only). @internal */
export const binaryFrameError = (data: unknown): ProtocolError =>
  new ProtocolError(ErrorCode.BinaryFrame, 'binary frame ignored: OneBot v11 frames are JSON text', {
    size: (data as { byteLength?: number }).byteLength,
  });

/**
 * Decodes one frame as the socket delivered it (text, or binary, which OneBot v11 does not use),
 * never throwing: a frame nested deeper than the engine's stack is an error value too.
 * @internal
 */
export const decodeData = (data: unknown, validate: boolean, maxPayload: number): DecodeResult => {
  if (typeof data !== 'string') return E.left(binaryFrameError(data));
  try {
    return validate ? decodeValidated(data, maxPayload) : decodeTrusting(data, maxPayload);
  } catch (e) {
    return E.left(new ProtocolError(ErrorCode.InvalidJson, `frame cannot be decoded: ${e instanceof Error ? e.message : String(e)}`, { size: data.length }));
  }
};
