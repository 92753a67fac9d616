export * from './server/reference-server';
export * from './server/file-logger';
export { forwardWs, httpApi, httpPost } from './client/listening';
export type { ForwardWsOptions } from './transport/forward-ws';
export type { HttpApiOptions } from './transport/http-api';
export type { HttpPostOptions } from './transport/http-post';
export type { ListenOptions } from './transport/listen';
