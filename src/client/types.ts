import type { Observable } from 'rxjs';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import type { ActionName } from '../protocol/codecs/api';
import type {
  ExtensionEvent,
  GroupMessageEvent,
  HeartbeatStatus,
  LifecycleEvent,
  HeartbeatEvent,
  MessageEvent,
  MetaEvent,
  NoticeEvent,
  OneBotEvent,
  PrivateMessageEvent,
  RequestEvent,
} from '../protocol/codecs/events';
import type { OneBotError } from '../protocol/errors';
import type { Frame } from '../protocol/frame';
import type { CloseInfo } from '../transport/close-reason';
import type { ClientApiHandler, SentMessage } from './api-responder';

/**
 * Where the connection is. `idle` before `connect()`; `connecting` for the first dial;
 * `reconnecting` from a loss (or failed dial) until the next open, once per failure; `open` after
 * the handshake frame was written; `closed` for good (`state$` completes).
 *
 * @since 0.1.0
 * @category client
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** @since 0.1.0 @category client */
export interface ClientState {
  readonly status: ConnectionStatus;
  /** Consecutive failures so far: 0 on the first dial, n while waiting for/dialing reconnect n. */
  readonly attempt: number;
  /** Close code and reason of the last connection that ended (when it sent one). */
  readonly lastClose?: CloseInfo;
  /** Why the last connection or dial failed (tokens never appear in it). */
  readonly error?: OneBotError;
  /** `reconnecting`: ms until the next dial. */
  readonly delay?: number;
  /** `closed`: why the client stopped. */
  readonly reason?: 'disconnected' | 'attempts-exhausted';
}

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
export interface OneBotClient {
  readonly selfId: number;
  /** The current state; `state$` replays it and every change. */
  readonly state: ClientState;
  readonly state$: Observable<ClientState>;
  /** Every decoded inbound frame. */
  readonly frames$: Observable<Frame>;
  /** Every inbound event, known (`OneBotEvent`) or not (`ExtensionEvent`). */
  readonly events$: Observable<OneBotEvent | ExtensionEvent>;
  readonly messages$: Observable<MessageEvent>;
  readonly privateMessages$: Observable<PrivateMessageEvent>;
  readonly groupMessages$: Observable<GroupMessageEvent>;
  readonly meta$: Observable<MetaEvent>;
  readonly notices$: Observable<NoticeEvent>;
  /** Friend / group `request` *events* (not API calls; those are `requests$`). */
  readonly requestEvents$: Observable<RequestEvent>;
  /** Incoming API calls (`{action, params, echo}`), before they are answered. */
  readonly requests$: Observable<ApiRequest>;
  /** Incoming API responses (rare: only if the server answers something). */
  readonly responses$: Observable<ApiResponse>;
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
   * Sends one frame; while disconnected it waits in the outbox and goes out after the next
   * connection's handshake, in order.
   *
   * With `confirmDelivery: 'ack'` (the default, on sockets that can ping: Node's `ws`) it resolves
   * once the server confirmed reading the frame (the pong to a ping written after it), so **a send
   * that resolved arrived exactly once, in order**. If the connection ends before that confirmation,
   * it rejects with `DeliveryUnknown` (the frame may or may not have arrived; it is not sent again).
   * With `'write'`, and in browsers (which cannot ping), it resolves once the frame was handed to an
   * open socket after the handshake; such a frame is lost if the link dies right after.
   *
   * Rejects with `DeliveryUnknown`, `OutboxOverflow`, `ClientClosed`, `AttemptsExhausted`,
   * `InvalidOutgoing` or `FrameTooLarge`.
   */
  send(frame: OutgoingFrame): Promise<void>;
  /** Builds a text message event (as the original `send_text`) and sends it as {@link send} does; resolves with the event. */
  sendText(text: string, messageType: 'private' | 'group', target?: TextTarget): Promise<MessageEvent>;
  createConnectEvent(): LifecycleEvent;
  createHeartbeatEvent(status?: HeartbeatStatus): HeartbeatEvent;
  createTextMessage(text: string, messageType: 'private' | 'group', target?: TextTarget): MessageEvent;

  /** Answers API `action` with `handler` (value, Promise or Observable); returns an undo function. */
  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void;

  /** Callback facade; each returns an unsubscribe function. A throwing callback lands on `errors$`. */
  onMessage(callback: (message: MessageEvent) => unknown): () => void;
  onConnect(callback: (state: ClientState) => unknown): () => void;
  onDisconnect(callback: (close: CloseInfo | undefined, state: ClientState) => unknown): () => void;
  onError(callback: (error: OneBotError) => unknown): () => void;
}
