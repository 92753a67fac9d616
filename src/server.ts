export * from './server/reference-server';
export * from './server/file-logger';
export { forwardWs, type ForwardWsOptions } from './transport/forward-ws';
export { httpApi, type HttpApiOptions } from './transport/http-api';
export { httpPost, type HttpPostOptions } from './transport/http-post';
export type { ListenOptions } from './transport/listen';
