import { ErrorCode, OneBotError } from '../protocol/errors';
import type { Logger } from '../logging/logger';
import { describeClose, type CloseInfo } from '../transport/close-reason';
import type { ClientState } from './state';

/** Connections in a row that close within `minUptime` of opening before one error names the likely causes. */
const UNSTABLE_AFTER = 3;

/**
 * What the client says when a connection ends: one log line with what comes next (`reconnect
 * attempt n/max in d ms`, or giving up), and, after a few connections in a row that closed right
 * after opening, one error naming the likely causes.
 * @internal
 */
export class LossLog {
  /** Connections in a row that closed within `minUptime` of opening. */
  private shortLived = 0;

  constructor(
    private readonly logger: Logger,
    private readonly where: { readonly url: string; readonly selfId: number },
    private readonly policy: { readonly maxReconnectAttempts: number; readonly minUptime: number },
    private readonly report: (error: OneBotError) => void,
  ) {}

  /** The connection ended with `error` (`uptime` absent when the dial never opened), and the state is now `state`. */
  record(error: OneBotError, close: CloseInfo | undefined, uptime: number | undefined, state: ClientState): void {
    this.logger.debug(`connection ended: ${error.message}`, { code: error.code, close: close ? describeClose(close) : undefined, uptime });
    if (state.status === 'closed' && state.reason !== 'attempts-exhausted') return;
    const max = this.policy.maxReconnectAttempts;
    const of = max > 0 ? `${state.attempt}/${max}` : `${state.attempt}`;
    const next = state.status === 'closed' ? `giving up after ${of} reconnect attempts` : `reconnect attempt ${of} in ${state.delay} ms`;
    this.logger.warn(`${uptime !== undefined ? 'connection lost' : 'connection failed'}: ${error.message}; ${next}`, { url: this.where.url, code: error.code, attempt: state.attempt });
    if (state.status !== 'closed') this.watchStability(error, uptime);
  }

  private watchStability(error: OneBotError, uptime: number | undefined): void {
    if (uptime === undefined) return;
    const { minUptime } = this.policy;
    this.shortLived = uptime < minUptime ? this.shortLived + 1 : 0;
    if (this.shortLived !== UNSTABLE_AFTER) return;
    this.report(
      new OneBotError(
        ErrorCode.UnstableConnection,
        `${UNSTABLE_AFTER} connections in a row closed within ${minUptime} ms of opening (last: ${error.message}). Likely causes: the server checks the token after the upgrade (check accessToken), the URL path is not its OneBot endpoint, it does not know this X-Self-ID (${this.where.selfId}), or its adapter does not speak OneBot v11 reverse WebSocket`,
        { closes: UNSTABLE_AFTER, url: this.where.url, last: error.code },
      ),
    );
  }
}

/** Why sends fail once the client stopped. @internal */
export const stoppedError = (final: ClientState): OneBotError =>
  final.reason === 'attempts-exhausted'
    ? new OneBotError(ErrorCode.AttemptsExhausted, 'client stopped: reconnect attempts exhausted', { attempts: final.attempt })
    : new OneBotError(ErrorCode.ClientClosed, 'client closed', {});
