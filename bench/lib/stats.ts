/**
 * Small statistics helpers. The machine is shared and noisy, so every row reports the median of
 * several runs together with their range, never a single sample.
 */

/** Summary of several runs of one measurement. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Value at quantile `q` (0..1) of `xs`, nearest-rank on a sorted copy. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export function summarize(runs: readonly number[]): Summary {
  const finite = runs.filter((x) => Number.isFinite(x));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
    runs: [...runs],
  };
}

/** Latency percentiles of one run, in milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export function latency(samplesMs: readonly number[]): Latency {
  return {
    p50: quantile(samplesMs, 0.5),
    p99: quantile(samplesMs, 0.99),
    max: samplesMs.length ? Math.max(...samplesMs) : Number.NaN,
    n: samplesMs.length,
  };
}

/** Milliseconds on a monotonic clock. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
