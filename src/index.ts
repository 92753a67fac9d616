/**
 * onebot-rx — the bot side of OneBot v11 over WebSocket, for Node and the browser.
 *
 * This root entry is isomorphic: the pure protocol core, the logger interface, the transport and the
 * reactive client. Node-only parts (reference server, file logging) live in `onebot-rx/server`.
 *
 * @packageDocumentation
 */
export * from './protocol';
export {
  silentLogger,
  redact,
  redactString,
  createConsoleLogger,
  withLevel,
  type Logger,
  type LogLevel,
} from './logging/logger';
export * from './client';
export * from './world';
