import type { BackoffOptions } from './options';

/**
 * Reconnect delay policy: pure functions, no timers. The client draws a fresh `random()` for every
 * attempt (the reconnecting-websocket family draws it once per process, so a fleet restarted together
 * keeps reconnecting in lockstep).
 */

/** @internal */
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
 * @internal
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

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
