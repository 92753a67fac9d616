/**
 * Names of every metric and error the engine reports. Stable: dashboards and CI checks key on them,
 * so a name is never reworded once published (docs/guides/load-testing.md lists them).
 */
export const Metric = {
  /** Histogram: `connect()` to the connection being open (handshake written), ms. */
  handshakeMs: 'onebot.handshake_ms',
  /** Histogram: message event sent to the matching `send_*` call of the same conversation, ms. */
  replyMs: 'onebot.reply_ms',
  /** Counter: expected replies that did not come within the step's timeout. */
  replyTimeout: 'onebot.reply_timeout',
  /** Counter prefix: API calls received, by action (`onebot.api.send_msg`). */
  apiPrefix: 'onebot.api.',
  /** Histogram: an API call's arrival on the socket to its answer being written, ms. */
  apiAnswerMs: 'onebot.api_answer_ms',
  /** Counter: message events the VUs sent. */
  messagesSent: 'onebot.messages_sent',
  /** Counter: messages the server had the bot send that no waiting step claimed. */
  replyUnmatched: 'onebot.reply_unmatched',
  /** Counter: bot connections opened. */
  connectionsOpened: 'onebot.connections_opened',
  /** Counter: connections that ended while a VU still used them. */
  connectionsLost: 'onebot.connections_lost',
} as const;

/** Error names (Artillery counts them as `errors.<name>`). Variable ones are built by helpers. */
export const ErrorName = {
  handshakeTimeout: 'handshake_timeout',
  connectRefused: 'connect_refused',
  socketError: 'socket_error',
  pongTimeout: 'pong_timeout',
  replyTimeout: 'reply_timeout',
  deliveryUnknown: 'delivery_unknown',
  sendFailed: 'send_failed',
  noConnection: 'no_connection',
  invalidStep: 'invalid_step',
  selfIdExhausted: 'self_id_exhausted',
  functionFailed: 'function_failed',
} as const;

export const handshakeStatus = (status: number): string => `handshake_${status}`;
export const closedCode = (code: number): string => `closed_${code}`;
