import type { BackoffOptions } from './options';

/**
 * Reconnect delay policy: pure functions, no timers. The client draws a fresh `random()` for every
 * attempt (the reconnecting-websocket family draws it once per process, so a fleet restarted together
 * keeps reconnecting in lockstep).
 */

/** @since 0.1.0 @category client */
export interface DelayPolicy {
  /** Base delay (the spec's `reconnect_interval`), ms. */
  readonly interval: number;
  /** Capped exponential growth with jitter, or `false` for the fixed interval. */
  readonly backoff: Required<BackoffOptions> | false;
}

/**
 * The delay before reconnect attempt `attempt` (1 = first reconnect after a loss).
 *
 * Fixed interval without `backoff`. With it: `min(cap, interval * factor^(attempt-1))` stretched by
 * `jitter * random()` of itself and clamped to `cap`, where `cap = max(backoff.max, interval)`. The
 * result always lies in `[interval, cap]`.
 *
 * @example
 * import { reconnectDelay } from 'onebot-rx';
 * const policy = { interval: 1000, backoff: { factor: 2, max: 10_000, jitter: 0 } };
 * reconnectDelay(policy, 1, () => 0.5) === 1000;
 * reconnectDelay(policy, 4, () => 0.5) === 8000;
 * reconnectDelay(policy, 9, () => 0.5) === 10_000;
 *
 * @since 0.1.0
 * @category client
 */
export const reconnectDelay = (policy: DelayPolicy, attempt: number, random: () => number): number => {
  const { interval, backoff } = policy;
  if (!backoff) return interval;
  const cap = Math.max(backoff.max, interval);
  // Exponent grows with the attempt but the product is capped first, so huge attempt counts
  // cannot overflow to Infinity/NaN.
  const exponent = Math.max(0, attempt - 1);
  const grown = interval * Math.pow(backoff.factor, exponent);
  const base = Number.isFinite(grown) ? Math.min(cap, grown) : cap;
  const r = clamp01(random());
  return Math.round(Math.min(cap, Math.max(interval, base * (1 + backoff.jitter * r))));
};

/**
 * The failure count to continue from after a connection closed: it resets to 0 only if the
 * connection had opened and stayed up at least `minUptime` ms, so a server that accepts and drops
 * at once (Koishi's 1008 for a wrong self id) still backs off and still exhausts attempts.
 *
 * @example
 * import { failuresAfterClose } from 'onebot-rx';
 * failuresAfterClose(3, 60_000, 5000) === 0;
 * failuresAfterClose(3, 100, 5000) === 3;
 * failuresAfterClose(3, undefined, 5000) === 3;
 *
 * @since 0.1.0
 * @category client
 */
export const failuresAfterClose = (failures: number, uptime: number | undefined, minUptime: number): number =>
  uptime !== undefined && uptime >= minUptime ? 0 : failures;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
