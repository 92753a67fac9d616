import * as path from 'node:path';
import type { Summary } from './stats';

/** Goal of one row: a ratio to the raw baseline, or an absolute bound on the value. */
export interface Goal {
  kind: 'ratio' | 'absolute';
  op: '>=' | '<=';
  target: number;
  /** Which baseline a ratio goal divides by: raw `ws` (default) or the naive RxJS client. */
  against?: 'raw' | 'naive';
  /** Human form, e.g. `≥ 1.0×` or `p99 ≤ 5 ms`. */
  text: string;
}

/** One line of the table. `value`/`baseline` are medians over runs; the ranges go in the table. */
export interface RowResult {
  row: string;
  unit: string;
  value: Summary | null;
  /** The raw `ws` baseline. */
  baseline: Summary | null;
  /** The naive RxJS client (`lib/naive-rx-client.ts`), where the row measures it. */
  naive?: Summary | null;
  /** Every goal must hold for the row to be met. */
  goal: Goal | readonly Goal[];
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

export const goalsOf = (r: RowResult): readonly Goal[] => (Array.isArray(r.goal) ? r.goal : [r.goal as Goal]);

/** value ÷ the raw baseline (or the naive client), medians; null when either is missing. */
export function ratioOf(r: RowResult, against: 'raw' | 'naive' = 'raw'): number | null {
  const base = against === 'raw' ? r.baseline : r.naive;
  if (!r.value || !base || !Number.isFinite(r.value.median) || !Number.isFinite(base.median) || base.median === 0) return null;
  return r.value.median / base.median;
}

/** true / false once measured (all goals); null while pending or a baseline is missing. */
export function metOf(r: RowResult): boolean | null {
  if (r.pending || !r.value || !Number.isFinite(r.value.median)) return null;
  let met = true;
  for (const g of goalsOf(r)) {
    const x = g.kind === 'ratio' ? ratioOf(r, g.against ?? 'raw') : r.value.median;
    if (x === null) return null;
    met &&= g.op === '>=' ? x >= g.target : x <= g.target;
  }
  return met;
}

/** The goals' text, joined (`≤ 2.0× raw and ≤ 1.0× naive`). */
export const goalText = (r: RowResult): string => goalsOf(r).map((g) => g.text).join(' and ');

export const ratioGoal = (op: '>=' | '<=', target: number, prefix = '', against: 'raw' | 'naive' = 'raw'): Goal => ({
  kind: 'ratio',
  op,
  target,
  against,
  text: `${prefix}${op === '>=' ? '≥' : '≤'} ${target.toFixed(1)}×${against === 'naive' ? ' naive' : ''}`,
});

export const absGoal = (op: '>=' | '<=', target: number, unit: string, prefix = ''): Goal => ({
  kind: 'absolute',
  op,
  target,
  text: `${prefix}${op === '>=' ? '≥' : '≤'} ${target} ${unit}`,
});
