/**
 * Sizes of the reliability run. Both modes force the 1,000 disconnects, each striking a
 * `'ack'` and a `'write'` client at once (about 10 minutes on 2 cores), and soak 1,000 bots; `quick`
 * (what CI runs: about 12 minutes in all, bounded by 20) soaks for 1 minute,
 * `full` for 10 minutes with 30,000 fuzz frames per property. Individual sizes can be overridden with environment variables
 * (`RELIABILITY_DISCONNECTS`, `RELIABILITY_SOAK_BOTS`, `RELIABILITY_SOAK_SECONDS`, `RELIABILITY_FUZZ_RUNS`).
 */
export type ReliabilityMode = 'quick' | 'full';

// run.mjs always sets RELIABILITY_MODE; a bare jest run of one file defaults to quick sizes.
export const mode: ReliabilityMode = process.env.RELIABILITY_MODE === 'full' ? 'full' : 'quick';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
};

export const sizes = {
  /** Forced disconnects in the faults test, cycling through every kind. */
  disconnects: envInt('RELIABILITY_DISCONNECTS', 1000),
  /** Frames per fuzz property (each of: server→client, client→server, CQ, decodeFrame). */
  fuzzRuns: envInt('RELIABILITY_FUZZ_RUNS', mode === 'full' ? 30_000 : 10_000),
  /** Bots in the soak. */
  soakBots: envInt('RELIABILITY_SOAK_BOTS', 1000),
  /** Soak duration. */
  soakSeconds: envInt('RELIABILITY_SOAK_SECONDS', mode === 'full' ? 600 : 60),
  /** Concurrent API calls in the limits test. */
  concurrentCalls: envInt('RELIABILITY_CONCURRENT_CALLS', 5000),
} as const;
