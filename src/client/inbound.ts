import * as E from 'fp-ts/Either';
import { Observable, Subject } from 'rxjs';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import { eventCodecOf, type ExtensionEvent, type GroupMessageEvent, type MessageEvent, type MetaEvent, type NoticeEvent, type OneBotEvent, type PrivateMessageEvent, type RequestEvent } from '../protocol/codecs/events';
import { ErrorCode, ProtocolError } from '../protocol/errors';
import { decodeFrame, decodeFrameValue, type Frame, type FrameErrorData } from '../protocol/frame';

/**
 * Inbound frames: decode (fully with io-ts, or trusting the server's shapes with `validate: false`)
 * and fan out to the typed streams. Each stream is its own Subject fed directly, instead of
 * `filter` chains over one stream, so a frame costs one `switch`, not one predicate per stream.
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

/** What each inbound stream carries. @internal */
export interface InboundTypes {
  frames: Frame;
  events: OneBotEvent | ExtensionEvent;
  messages: MessageEvent;
  privateMessages: PrivateMessageEvent;
  groupMessages: GroupMessageEvent;
  meta: MetaEvent;
  notices: NoticeEvent;
  requestEvents: RequestEvent;
  requests: ApiRequest;
  responses: ApiResponse;
}

/** @internal */
export type InboundKey = keyof InboundTypes;

const KEYS: readonly InboundKey[] = ['frames', 'events', 'messages', 'privateMessages', 'groupMessages', 'meta', 'notices', 'requestEvents', 'requests', 'responses'];

/**
 * The typed inbound streams, created lazily: a stream's Subject exists only once someone subscribes
 * to it, and dispatch skips the streams that do not exist. An idle client that listens to nothing
 * holds no Subject at all. Semantics are those of a hot Subject created up front: a subscriber sees
 * what arrives after it subscribed, and a subscriber arriving after `complete()` is completed at once.
 * @internal
 */
export class InboundStreams {
  // Declared and assigned in the constructor (no class-field initializers: see create-client.ts).
  private declare frames: Subject<Frame> | undefined;
  private declare events: Subject<OneBotEvent | ExtensionEvent> | undefined;
  private declare messages: Subject<MessageEvent> | undefined;
  private declare privateMessages: Subject<PrivateMessageEvent> | undefined;
  private declare groupMessages: Subject<GroupMessageEvent> | undefined;
  private declare meta: Subject<MetaEvent> | undefined;
  private declare notices: Subject<NoticeEvent> | undefined;
  private declare requestEvents: Subject<RequestEvent> | undefined;
  private declare requests: Subject<ApiRequest> | undefined;
  private declare responses: Subject<ApiResponse> | undefined;
  private declare completed: boolean;

  constructor() {
    this.frames = undefined;
    this.events = undefined;
    this.messages = undefined;
    this.privateMessages = undefined;
    this.groupMessages = undefined;
    this.meta = undefined;
    this.notices = undefined;
    this.requestEvents = undefined;
    this.requests = undefined;
    this.responses = undefined;
    this.completed = false;
  }

  /** The Subject of `key`, created on first use (already completed if the streams are). */
  subject<K extends InboundKey>(key: K): Subject<InboundTypes[K]> {
    const self = this as unknown as Record<InboundKey, Subject<unknown> | undefined>;
    let s = self[key];
    if (s === undefined) {
      s = new Subject<unknown>();
      self[key] = s;
      if (this.completed) s.complete();
    }
    return s as Subject<InboundTypes[K]>;
  }

  /** A read-only view of `key` whose Subject is created when the view is first subscribed. */
  observable<K extends InboundKey>(key: K): Observable<InboundTypes[K]> {
    return new Observable<InboundTypes[K]>((subscriber) => this.subject(key).subscribe(subscriber));
  }

  /** Emits `frame` on `frames$` and on the one typed stream it belongs to (those that exist). */
  dispatch(frame: Frame): void {
    this.frames?.next(frame);
    switch (frame.kind) {
      case 'event': {
        const e = frame.event;
        this.events?.next(e);
        switch (e.post_type) {
          case 'message':
            this.messages?.next(e);
            if (e.message_type === 'private') this.privateMessages?.next(e);
            else this.groupMessages?.next(e);
            break;
          case 'meta_event':
            this.meta?.next(e);
            break;
          case 'notice':
            this.notices?.next(e);
            break;
          case 'request':
            this.requestEvents?.next(e);
            break;
          default:
            break;
        }
        break;
      }
      case 'extension':
        this.events?.next(frame.event);
        break;
      case 'request':
        this.requests?.next(frame.request);
        break;
      case 'response':
        this.responses?.next(frame.response);
        break;
    }
  }

  complete(): void {
    this.completed = true;
    const self = this as unknown as Record<InboundKey, Subject<unknown> | undefined>;
    for (const key of KEYS) self[key]?.complete();
  }
}
