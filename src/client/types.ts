import type { Observable } from 'rxjs';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import type { ActionName, ActionParams } from '../protocol/codecs/api';
import type {
  ExtensionEvent,
  GroupMessageEvent,
  HeartbeatStatus,
  LifecycleEvent,
  HeartbeatEvent,
  MessageEvent,
  OneBotEvent,
  PrivateMessageEvent,
} from '../protocol/codecs/events';
import type { OneBotError } from '../protocol/errors';
import type { CloseInfo } from '../transport/close-reason';
import type { SentMessage } from './builtins';
import type { ClientState } from './state';
import type { InboundStreams } from './streams';

export type { ClientState, ConnectionStatus } from './state';

/** A handler as registered with `client.handle`: gets the decoded params and request; returns a value, a PromiseLike or an Observable. @since 0.1.0 @category client */
export type ClientApiHandler<A extends string> = (params: ActionParams<A>, request: ApiRequest) => unknown;

/** The event `sendText`/`createTextMessage` build for a message type. @since 0.2.0 @category client */
export type TextMessageOf<T extends 'private' | 'group'> = T extends 'group' ? GroupMessageEvent : T extends 'private' ? PrivateMessageEvent : MessageEvent;

/** What `send` accepts: an event, an API response or request, or pre-encoded JSON object text. @since 0.1.0 @category client */
export type OutgoingFrame = OneBotEvent | ExtensionEvent | ApiResponse | ApiRequest | string;

/** Addressing of {@link OneBotClient.sendText}. @since 0.1.0 @category client */
export interface TextTarget {
  /** Private: the peer (`target_id`). */
  readonly targetId?: number;
  /** Group: required for group messages. */
  readonly groupId?: number;
  /** Sender (`user_id`); defaults to the bot itself, as in the original client. */
  readonly userId?: number;
}

/**
 * A connected OneBot v11 bot. Streams are hot and shared: subscribe any time, see what arrives from
 * then on (`state$` replays the current state). All streams complete when the client stops.
 *
 * @since 0.1.0
 * @category client
 */
export interface OneBotClient extends InboundStreams {
  readonly selfId: number;
  /** The current state; `state$` replays it and every change. */
  readonly state: ClientState;
  readonly state$: Observable<ClientState>;
  /** Messages the server asked the bot to send (built-in `send_*msg` handlers). */
  readonly sent$: Observable<SentMessage>;
  /** Non-fatal problems: bad frames, socket errors, refused connections, handler and callback failures. */
  readonly errors$: Observable<OneBotError>;

  /** Starts connecting (idempotent). Sends made before it wait in the outbox. */
  connect(): void;
  /** Clean close (1000), no reconnect; rejects pending sends with `ClientClosed`. Resolves once closed. */
  disconnect(): Promise<void>;
  /** `connect()`, then resolves with the final `closed` state when the client stops for good. */
  run(): Promise<ClientState>;

  /**
   * Sends one frame. It waits in the outbox while there is no live connection (during a reconnect
   * too) and goes out exactly once, in order, after the next connection's connect event.
   *
   * What the promise means depends on `confirmDelivery` (docs/guides/delivery.md has the table):
   * with `'write'` (the default) it resolves once the frame was written to a live connection (while
   * the outbox is half full of unconfirmed frames, once the server confirmed it or its connection
   * ended: so an `await send()` loop is paced by the server instead of overrunning `outboxLimit`); with
   * `'ack'` once the server confirmed reading it (Node), rejecting with `DeliveryUnknown` when the
   * connection ends first. In both modes a frame whose connection ends before the server confirmed
   * it is reported on `errors$` as `DeliveryUnknown`, with the frame in `data.frames`: never lost
   * silently, never sent twice.
   *
   * Rejects with `OutboxOverflow`, `ClientClosed`, `AttemptsExhausted`, `InvalidOutgoing`,
   * `FrameTooLarge`, or (`'ack'`) `DeliveryUnknown`.
   */
  send(frame: OutgoingFrame): Promise<void>;
  /** Builds a text message event (as the original `send_text`) and sends it as {@link send} does; resolves with the event. */
  sendText<T extends 'private' | 'group'>(text: string, messageType: T, target?: TextTarget): Promise<TextMessageOf<T>>;
  createConnectEvent(): LifecycleEvent;
  createHeartbeatEvent(status?: HeartbeatStatus): HeartbeatEvent;
  /** Builds a text message event; `'group'` gives a `GroupMessageEvent`, `'private'` a `PrivateMessageEvent`. */
  createTextMessage<T extends 'private' | 'group'>(text: string, messageType: T, target?: TextTarget): TextMessageOf<T>;

  /** Answers API `action` with `handler` (value, Promise or Observable); returns an undo function. */
  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void;

  /** Callback facade; each returns an unsubscribe function. A throwing callback lands on `errors$`. */
  onMessage(callback: (message: MessageEvent) => unknown): () => void;
  onConnect(callback: (state: ClientState) => unknown): () => void;
  onDisconnect(callback: (close: CloseInfo | undefined, state: ClientState) => unknown): () => void;
  onError(callback: (error: OneBotError) => unknown): () => void;
}
