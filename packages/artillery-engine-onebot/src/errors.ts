import { ErrorName, closedCode, handshakeStatus } from './metrics';

/** What the engine needs of a onebot-rx failure: its stable `code` and its `data` bag. */
export interface FailureLike {
  readonly code?: string;
  readonly message?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** What the engine needs of a client state when the connection went away. */
export interface FailedStateLike {
  readonly error?: FailureLike;
  readonly lastClose?: { readonly code: number };
}

/**
 * Maps why a connection failed to a stable, low-cardinality error name: `handshake_<http status>`
 * (`handshake_401`, `handshake_403`), `closed_<close code>` (`closed_1008`, `closed_1006`),
 * `handshake_timeout`, `pong_timeout`, `connect_refused`, else `socket_error`.
 */
export const errorNameOf = (state: FailedStateLike): string => {
  const error = state.error;
  const data = error?.data ?? {};
  if (typeof data['status'] === 'number') return handshakeStatus(data['status']);
  if (typeof data['code'] === 'number') return closedCode(data['code']);
  switch (error?.code) {
    case 'ONEBOT_HANDSHAKE_TIMEOUT':
      return ErrorName.handshakeTimeout;
    case 'ONEBOT_PONG_TIMEOUT':
      return ErrorName.pongTimeout;
    case 'ONEBOT_UNAUTHORIZED':
      return handshakeStatus(401);
    default:
      break;
  }
  if (error?.message !== undefined && /ECONNREFUSED/.test(error.message)) return ErrorName.connectRefused;
  if (state.lastClose !== undefined) return closedCode(state.lastClose.code);
  return ErrorName.socketError;
};

/** An error that already carries its reported name (so a step reports it once, as that name). */
export class StepError extends Error {
  constructor(
    readonly errorName: string,
    message?: string,
  ) {
    super(message ?? errorName);
    this.name = 'StepError';
  }
}

/** The name under which an error thrown inside a step is counted. */
export const nameOfThrown = (error: unknown): string => {
  if (error instanceof StepError) return error.errorName;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ONEBOT_DELIVERY_UNKNOWN') return ErrorName.deliveryUnknown;
  if (typeof code === 'string' && code.startsWith('ONEBOT_')) return `${ErrorName.sendFailed}_${code.slice('ONEBOT_'.length).toLowerCase()}`;
  return ErrorName.functionFailed;
};
