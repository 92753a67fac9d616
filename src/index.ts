/**
 * onebot-rx: the bot side of OneBot v11, for Node and the browser.
 *
 * This root entry holds what a bot needs: `createClient` and its types, the guards that narrow
 * event streams, the segment and event builders, and the errors. The protocol toolkit (codecs, CQ
 * code, frame decoding, answering) is `onebot-rx/protocol`; the Node-only parts (reference server,
 * file logging) are `onebot-rx/server`. No name here shadows a DOM global: the OneBot message event
 * type is `OneBotMessageEvent` (`MessageEvent` under `onebot-rx/protocol`).
 *
 * @packageDocumentation
 */
export * from './client';
export { ErrorCode, OneBotError, ProtocolError, isOneBotError } from './protocol/errors';
export {
  segment,
  type SegmentId,
  type MediaOptions,
  type ImageOptions,
  type RecordOptions,
  type ShareOptions,
  type LocationOptions,
  type CustomMusicOptions,
} from './protocol/segment';
export {
  createMessageIdGenerator,
  createLifecycleEvent,
  createConnectEvent,
  createHeartbeatEvent,
  createMessageEvent,
  createTextMessage,
  createNoticeEvent,
  createRequestEvent,
  type BuilderOptions,
  type MessageEventFields,
  type MessageEventInput,
  type TextMessageInput,
} from './protocol/builders';
export type {
  OneBotEvent,
  ExtensionEvent,
  MessageEvent as OneBotMessageEvent,
  PrivateMessageEvent,
  GroupMessageEvent,
  MessageSentEvent,
  MetaEvent,
  LifecycleEvent,
  HeartbeatEvent,
  HeartbeatStatus,
  NoticeEvent,
  RequestEvent,
  FriendRequestEvent,
  GroupRequestEvent,
  PrivateSender,
  GroupSender,
  Anonymous,
} from './protocol/codecs/events';
export type { Segment, MessageSegment, Message, MessageInput, StandardSegment } from './protocol/codecs/segments';
export type { ApiRequest, ApiResponse } from './protocol/codecs/frames';
export type { ActionName, ActionParams, ActionResult } from './protocol/codecs/api';
export type { Frame } from './protocol/frame';
export type { CloseInfo } from './transport/close-reason';
export type { Transport, ForwardWsTransport, HttpApiTransport, HttpPostTransport, ListenAddress, WsPeer, HttpCall, PostJob, PostOutcome, Refusal } from './transport/adapter';
export type { SocketLike, WebSocketCtorLike, TlsOptions } from './transport/socket-factory';
export { silentLogger, redact, redactString, createConsoleLogger, withLevel, type Logger, type LogLevel } from './logging/logger';
