/**
 * Every error onebot-rx raises or reports is a {@link OneBotError}: an ordinary `Error` with a stable
 * machine-readable `code` (never reworded once published) and a `data` bag with the details.
 *
 * @example
 * import { OneBotError, ErrorCode } from 'onebot-rx/protocol';
 * const e = new OneBotError(ErrorCode.InvalidJson, 'frame is not valid JSON');
 * e.code === 'ONEBOT_INVALID_JSON';
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorCode = {
  // --- protocol core: decoding frames ---
  /** A frame's text is not valid JSON. */
  InvalidJson: 'ONEBOT_INVALID_JSON',
  /** A frame is valid JSON but not a JSON object (array, string, number, null...). */
  NotObject: 'ONEBOT_NOT_OBJECT',
  /** A JSON object that is neither an event, an API request nor an API response. */
  UnknownFrame: 'ONEBOT_UNKNOWN_FRAME',
  /** An event (has `post_type`) whose fields do not match its codec. */
  InvalidEvent: 'ONEBOT_INVALID_EVENT',
  /** An API request (has `action`) whose envelope does not match its codec. */
  InvalidRequest: 'ONEBOT_INVALID_REQUEST',
  /** An API response (has `retcode`/`status`) whose envelope does not match its codec. */
  InvalidResponse: 'ONEBOT_INVALID_RESPONSE',
  /** A binary WebSocket frame: OneBot v11 frames are text only. */
  BinaryFrame: 'ONEBOT_BINARY_FRAME',
  /** A frame above the configured `maxPayload`, in either direction. */
  FrameTooLarge: 'ONEBOT_FRAME_TOO_LARGE',
  /** A value handed to an encoder does not match its codec (e.g. a malformed event given to `send`). */
  InvalidOutgoing: 'ONEBOT_INVALID_OUTGOING',
  /** API params that fail the action's params codec (answered with retcode 1400). */
  InvalidParams: 'ONEBOT_INVALID_PARAMS',
  /** An API action nobody handles (answered with retcode 1404). */
  UnknownAction: 'ONEBOT_UNKNOWN_ACTION',
  /** An API handler threw or rejected (answered with retcode 1500). */
  HandlerFailed: 'ONEBOT_HANDLER_FAILED',
  /** An API handler did not settle in time (answered with a failure, not left pending). */
  HandlerTimeout: 'ONEBOT_HANDLER_TIMEOUT',

  // --- transport and client ---
  /** The socket reported an error (connection refused, reset, DNS...). */
  SocketError: 'ONEBOT_SOCKET_ERROR',
  /** The server refused the upgrade with HTTP 401 (token missing or malformed). */
  Unauthorized: 'ONEBOT_UNAUTHORIZED',
  /** The server refused the upgrade with HTTP 403, or closed with 1008 (bad token, role or self id). */
  Forbidden: 'ONEBOT_FORBIDDEN',
  /** The socket did not open (or the handshake did not finish) within `handshakeTimeout`. */
  HandshakeTimeout: 'ONEBOT_HANDSHAKE_TIMEOUT',
  /** The connection closed without a more specific cause (server close, network drop); `data` has `code`/`reason`. */
  ConnectionClosed: 'ONEBOT_CONNECTION_CLOSED',
  /** No pong arrived within the liveness window: the connection is treated as dead. */
  PongTimeout: 'ONEBOT_PONG_TIMEOUT',
  /**
   * The connection ended after this send was written but before the peer confirmed reading it (a
   * pong to a later ping, `confirmDelivery: 'ack'`). It may or may not have arrived; it is not sent
   * again, so a send that resolved is never duplicated. `data.frames` counts the sends affected.
   */
  DeliveryUnknown: 'ONEBOT_DELIVERY_UNKNOWN',
  /** A send could not be queued because the outbox is full. The newest send is the one rejected. */
  OutboxOverflow: 'ONEBOT_OUTBOX_OVERFLOW',
  /** The client was stopped (`disconnect()` or attempts exhausted) with this send still pending. */
  ClientClosed: 'ONEBOT_CLIENT_CLOSED',
  /** `maxReconnectAttempts` ran out. */
  AttemptsExhausted: 'ONEBOT_ATTEMPTS_EXHAUSTED',
  /** A user callback (onMessage, onConnect...) threw; reported, never fatal. */
  CallbackFailed: 'ONEBOT_CALLBACK_FAILED',
  /** Several connections in a row closed right after opening; the message names the likely causes. */
  UnstableConnection: 'ONEBOT_UNSTABLE_CONNECTION',

  // --- listening transports (forward WebSocket, HTTP API, HTTP POST) ---
  /** A listening transport could not bind its host and port (taken, or not an interface here). */
  ListenFailed: 'ONEBOT_LISTEN_FAILED',
  /** An HTTP POST of an event failed: refused, timed out, a non-2xx status, or an unreadable answer. */
  PostFailed: 'ONEBOT_POST_FAILED',
  /** An application socket read too slowly: more than `highWaterMark` bytes waited for it, so it was closed. */
  SlowPeer: 'ONEBOT_SLOW_PEER',
  /** A send reached nobody: no reverse WebSocket, no POST URL, and no application socket takes events (or the transports do not run yet). */
  NoRecipient: 'ONEBOT_NO_RECIPIENT',

  // --- reference server ---
  /** The client did not send a lifecycle connect event within the handshake timeout. */
  ServerHandshakeTimeout: 'ONEBOT_SERVER_HANDSHAKE_TIMEOUT',
  /** Another connection already holds this self_id. */
  DuplicateSelfId: 'ONEBOT_DUPLICATE_SELF_ID',
  /** An API call the server made was not answered in time. */
  ApiTimeout: 'ONEBOT_API_TIMEOUT',
  /** The bot targeted by a server-side API call is not connected. */
  BotNotConnected: 'ONEBOT_BOT_NOT_CONNECTED',
  /** A reference-server wait helper (`waitForBot`, `waitForEvent`...) ran out of time. */
  ServerWaitTimeout: 'ONEBOT_SERVER_WAIT_TIMEOUT',
  /** The reference server was closed with this API call or wait still pending. */
  ServerClosed: 'ONEBOT_SERVER_CLOSED',

  // --- simulated world ---
  /** A world declaration (JSON or object) does not decode; `data.errors` lists `path: problem` lines. */
  InvalidWorld: 'ONEBOT_INVALID_WORLD',
  /** The simulated world refused an action as QQ would (unknown group, no permission, message gone...); answered with `data.retcode` (100). */
  WorldRefused: 'ONEBOT_WORLD_REFUSED',
  /** A scripted conversation waited for the bot's reply and none came within the time limit. */
  ReplyTimeout: 'ONEBOT_REPLY_TIMEOUT',
  /** A scripted conversation expected no reply (or another one) and the bot said something else. */
  UnexpectedReply: 'ONEBOT_UNEXPECTED_REPLY',
} as const;

/** @since 0.1.0 @category errors */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error class of onebot-rx. `code` is stable; `data` carries details (JSON path, close code,
 * action, limits...). Tokens never appear in `message` or `data`.
 *
 * @since 0.1.0
 * @category errors
 */
export class OneBotError<D extends Record<string, unknown> = Record<string, unknown>> extends Error {
  override readonly name: string = 'OneBotError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: D = {} as D,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Errors produced by the pure protocol core (decoding, encoding, answering). A subclass so users can
 * tell "the peer sent garbage" from "the network failed" with `instanceof`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError<D extends Record<string, unknown> = Record<string, unknown>> extends OneBotError<D> {
  override readonly name: string = 'ProtocolError';
}

/** @since 0.1.0 @category errors */
export const isOneBotError = (u: unknown): u is OneBotError => u instanceof OneBotError;
