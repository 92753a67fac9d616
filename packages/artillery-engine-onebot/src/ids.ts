/**
 * Unique account numbers across workers and machines.
 *
 * Two sources, in order of preference:
 * 1. the script names them (`connect: { selfId: "{{ selfId }}" }` from a CSV payload). Artillery
 *    2.0.21 does *not* split a payload's rows between the local workers of one `artillery run`:
 *    each worker thread reads every row (its `divideWork` splits them, then each worker is prepared
 *    with the whole payload again; seen with two workers, both read rows 0..19). So payload ids are
 *    unique only with one worker per process (what a 2-core machine runs) and disjoint files per
 *    process; the engine warns when it sees a templated self id in a worker of several.
 * 2. the engine generates them: `base + slot × stride + n`, where `n` counts the VU's of this
 *    worker (0, 1, 2, ...) and `slot` is this worker's number (see {@link workerSlot}). A worker
 *    that would need more than `stride` numbers fails the VU (`self_id_exhausted`) instead of
 *    overlapping the next worker's range.
 */

/** Where a worker's slot comes from, for the report and the docs. */
export type SlotSource = 'env' | 'artillery-local' | 'artillery-cloud' | 'single';

export interface WorkerSlot {
  readonly slot: number;
  readonly source: SlotSource;
}

/** FNV-1a, 32 bit: a stable hash of a cloud worker's id. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
};

/**
 * This worker's slot:
 * - `ONEBOT_WORKER_INDEX` (a non-negative integer you give each process or machine), combined with
 *   the local worker number when one `artillery run` has several worker threads:
 *   `index × localWorkers + (localWorker - 1)`;
 * - else the local worker number Artillery writes into each worker's phases (`phase.worker`, 1-based);
 * - else, on Artillery's cloud runners (`WORKER_ID` set, a random string), a hash of it into
 *   `cloudSlots` slots: collisions are possible (birthday bound) and show up as duplicate-account
 *   rejections (`closed_1008`, `handshake_403`), so prefer `ONEBOT_WORKER_INDEX` or payloads there;
 * - else 0.
 */
export const workerSlot = (
  phases: ReadonlyArray<{ worker?: unknown; totalWorkers?: unknown }> | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cloudSlots: number,
): WorkerSlot => {
  const first = phases?.[0];
  const local = typeof first?.worker === 'number' && first.worker >= 1 ? first.worker : undefined;
  const localTotal = typeof first?.totalWorkers === 'number' && first.totalWorkers >= 1 ? first.totalWorkers : 1;
  const explicit = env['ONEBOT_WORKER_INDEX'];
  if (explicit !== undefined && explicit !== '') {
    const index = Number(explicit);
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`ONEBOT_WORKER_INDEX must be a non-negative integer, got ${JSON.stringify(explicit)}`);
    return { slot: index * localTotal + ((local ?? 1) - 1), source: 'env' };
  }
  if (local !== undefined) return { slot: local - 1, source: 'artillery-local' };
  const cloud = env['WORKER_ID'];
  if (cloud !== undefined && cloud !== '') return { slot: fnv1a(cloud) % cloudSlots, source: 'artillery-cloud' };
  return { slot: 0, source: 'single' };
};

/** Hands out `base + slot × stride + n`, n = 0, 1, ... < stride. */
export class IdRange {
  private next = 0;

  constructor(
    readonly base: number,
    readonly slot: number,
    readonly stride: number,
  ) {
    const last = base + (slot + 1) * stride - 1;
    if (!Number.isSafeInteger(last)) throw new Error(`id range of slot ${slot} (base ${base}, stride ${stride}) exceeds Number.MAX_SAFE_INTEGER`);
  }

  /** The first id of this worker's range. */
  get first(): number {
    return this.base + this.slot * this.stride;
  }

  /** The n-th id of this worker's range (for pools: the same n gives the same id). */
  at(n: number): number | undefined {
    return n >= 0 && n < this.stride ? this.first + n : undefined;
  }

  /** The next unused id, or undefined once the range is used up. */
  take(): number | undefined {
    const id = this.at(this.next);
    if (id !== undefined) this.next++;
    return id;
  }
}
