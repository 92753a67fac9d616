import type { OneBotError } from '../protocol/errors';
import type { CloseInfo } from '../transport/close-reason';

/**
 * The client's one state, reduced from what happened. Nothing else in the client keeps a flag
 * about the connection: whether it is open, stopping or finished is read from here.
 */

/**
 * Where the connection is:
 * - `idle`: before `connect()`;
 * - `connecting`: the first dial;
 * - `open`: the socket is open and the connect event was written first;
 * - `reconnecting`: a connection was lost (or a dial failed); `delay` ms until reconnect `attempt`;
 * - `closing`: `disconnect()` asked the server to close, waiting for its answer;
 * - `closed`: for good (`state$` completes).
 *
 * @since 0.1.0
 * @category client
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** @since 0.1.0 @category client */
export interface ClientState {
  readonly status: ConnectionStatus;
  /**
   * The reconnect attempt: 0 for the first dial and every connection that stayed up `minUptime`;
   * n (1 ≤ n ≤ `maxReconnectAttempts`) while waiting for or dialing reconnect n. The logs and the
   * command line count the same way (`attempt n/max`).
   */
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

/** What can happen to a client. @internal */
export type Happening =
  | { readonly type: 'connect' }
  | { readonly type: 'opened' }
  /** A connection ended or a dial failed. `uptime`: how long it had been open (absent if it never opened). */
  | { readonly type: 'lost'; readonly error: OneBotError; readonly close: CloseInfo | undefined; readonly uptime: number | undefined }
  | { readonly type: 'disconnect' }
  | { readonly type: 'stopped' };

/** The reconnect policy the reducer applies. @internal */
export interface ReconnectPolicy {
  readonly maxReconnectAttempts: number;
  readonly minUptime: number;
  /** The delay before reconnect `attempt` (1-based). */
  delay(attempt: number): number;
}

/** @internal */
export const INITIAL_STATE: ClientState = { status: 'idle', attempt: 0 };

/**
 * The next state. Unchanged for a happening that does not apply (a `connect` once started, anything
 * once closed), so callers can dispatch without checking first.
 * @internal
 */
export const reduce = (state: ClientState, happening: Happening, policy: ReconnectPolicy): ClientState => {
  if (state.status === 'closed') return state;
  switch (happening.type) {
    case 'connect':
      return state.status === 'idle' ? { status: 'connecting', attempt: 0 } : state;
    case 'opened':
      return state.status === 'connecting' || state.status === 'reconnecting' ? { status: 'open', attempt: state.attempt } : state;
    case 'disconnect':
      // Only an open connection has a close handshake to wait for; a dial or a wait just stops.
      return state.status === 'open' ? { ...state, status: 'closing' } : closed(state);
    case 'stopped':
      return closed(state);
    case 'lost': {
      const { error, close, uptime } = happening;
      const withClose = close !== undefined ? { lastClose: close } : {};
      if (state.status === 'closing') return { ...closed(state), ...withClose };
      // A connection that stayed up long enough starts the count afresh; one dropped at once does
      // not, so a server that accepts and closes still backs off and still exhausts the attempts.
      const previous = uptime !== undefined && uptime >= policy.minUptime ? 0 : state.attempt;
      const attempt = previous + 1;
      if (policy.maxReconnectAttempts > 0 && attempt > policy.maxReconnectAttempts) {
        return { status: 'closed', attempt: previous, error, reason: 'attempts-exhausted', ...withClose };
      }
      return { status: 'reconnecting', attempt, error, delay: policy.delay(attempt), ...withClose };
    }
  }
};

const closed = (state: ClientState): ClientState => {
  const { lastClose } = state;
  return lastClose !== undefined ? { status: 'closed', attempt: state.attempt, reason: 'disconnected', lastClose } : { status: 'closed', attempt: state.attempt, reason: 'disconnected' };
};
