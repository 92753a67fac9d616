/**
 * The client layer's public names (re-exported by the root entry).
 */
export { createClient } from './create-client';
export type { OneBotClient, OutgoingFrame, TextTarget, TextMessageOf, ClientApiHandler } from './types';
export type { ClientState, ConnectionStatus } from './state';
export { DEFAULT_CLIENT_OPTIONS, DEFAULT_BACKOFF, CLIENT_OPTION_SECTIONS, MIN_RECONNECT_INTERVAL } from './options';
export type { ClientOptions, BackoffOptions, ClientRole, ClientStatus } from './options';
export type { SentMessage } from './builtins';
export type { InboundStreams } from './streams';
export type { WorldOption } from './world-default';
export { isGroup, isPrivate, ofType } from './guards';
export type { EventOf } from './guards';
