import * as path from 'node:path';
import type { Summary } from './stats';

/** Goal of one row: a ratio to the raw baseline, or an absolute bound on the value. */
export interface Goal {
  kind: 'ratio' | 'absolute';
  op: '>=' | '<=';
  target: number;
  /** Human form, e.g. `≥ 1.0×` or `p99 ≤ 5 ms`. */
  text: string;
}

/** One line of the table. `value`/`baseline` are medians over runs; the ranges go in the table. */
export interface RowResult {
  row: string;
  unit: string;
  value: Summary | null;
  baseline: Summary | null;
  goal: Goal;
  /** Why a row is pending or anything worth knowing next to the figure. */
  note?: string;
  /** Measured, but not yet on what the goal is about (e.g. no root entry yet): never judged. */
  pending?: boolean;
}

export interface RowContext {
  quick: boolean;
  runs: number;
  /** Extra node flags for the onebot-rx client process (e.g. --cpu-prof). */
  clientNodeFlags: string[];
  log(message: string): void;
}

export interface RowSpec {
  /** Short id for `--only` (numbers 1..7 work too). */
  id: string;
  n: number;
  title: string;
  run(ctx: RowContext): Promise<RowResult[]>;
}

export const SINK_SERVER = path.join(__dirname, 'sink-server.ts');
export const WORKER_MAIN = path.join(__dirname, 'worker-main.ts');

export function ratioOf(r: RowResult): number | null {
  if (!r.value || !r.baseline || !Number.isFinite(r.value.median) || !Number.isFinite(r.baseline.median) || r.baseline.median === 0) return null;
  return r.value.median / r.baseline.median;
}

/** true / false once measured; null while pending. */
export function metOf(r: RowResult): boolean | null {
  if (r.pending || !r.value || !Number.isFinite(r.value.median)) return null;
  const x = r.goal.kind === 'ratio' ? ratioOf(r) : r.value.median;
  if (x === null) return null;
  return r.goal.op === '>=' ? x >= r.goal.target : x <= r.goal.target;
}

export const ratioGoal = (op: '>=' | '<=', target: number, prefix = ''): Goal => ({
  kind: 'ratio',
  op,
  target,
  text: `${prefix}${op === '>=' ? '≥' : '≤'} ${target.toFixed(1)}×`,
});

export const absGoal = (op: '>=' | '<=', target: number, unit: string, prefix = ''): Goal => ({
  kind: 'absolute',
  op,
  target,
  text: `${prefix}${op === '>=' ? '≥' : '≤'} ${target} ${unit}`,
});
