/**
 * Public entry of the client and transport layers (re-exported by the root barrel).
 */
export { createClient } from './create-client';
export type { OneBotClient, ClientState, ConnectionStatus, OutgoingFrame, TextTarget } from './types';
export { DEFAULT_CLIENT_OPTIONS, DEFAULT_BACKOFF } from './options';
export type { ClientOptions, BackoffOptions, ClientRole, ClientStatus } from './options';
export { reconnectDelay, failuresAfterClose } from './backoff';
export type { DelayPolicy } from './backoff';
export { Outbox } from './outbox';
export type { OutboxEntry } from './outbox';
export type { SentMessage, ClientApiHandler } from './api-responder';
export { isGroup, isPrivate, ofType } from './guards';
export type { EventOf } from './guards';
export { encodeOutgoing } from './outgoing';

export { createSocketFactory, DEFAULT_USER_AGENT, LIBRARY_VERSION } from '../transport/socket-factory';
export type { SocketLike, WebSocketCtorLike, SocketFactory, SocketFactoryOptions, TlsOptions } from '../transport/socket-factory';
export { classifyFailure, describeClose } from '../transport/close-reason';
export type { CloseInfo } from '../transport/close-reason';
export { liveness, canPing } from '../transport/liveness';
export type { PingableSocket } from '../transport/liveness';
export type { LivenessOptions } from '../transport/liveness';
export { createFrameWriter } from '../transport/write';
export type { FrameWriter } from '../transport/write';
