import type { Summary } from './stats';
import { goalText, metOf, ratioOf, type RowResult } from './types';

function num(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 99950) return `${(x / 1000).toFixed(0)}k`;
  if (a >= 10000) return `${(x / 1000).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function fmt(s: Summary | null, unit: string): string {
  if (!s || !Number.isFinite(s.median)) return 'pending';
  const range = s.runs.length > 1 ? ` [${num(s.min)}–${num(s.max)}]` : '';
  return `${num(s.median)} ${unit}${range}`;
}

function markOf(met: boolean | null): string {
  return met === null ? '…' : met ? '✓' : '✗';
}

/** Plain-text table (also valid Markdown) of all rows. */
export function renderTable(rows: readonly RowResult[]): string {
  const header = ['row', 'value (median [min–max])', 'raw ws', '× raw', 'naive rx', '× naive', 'goal', 'met'];
  const ratio = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}×`);
  const lines = rows.map((r) => [
    r.row,
    fmt(r.value, r.unit),
    r.baseline ? fmt(r.baseline, r.unit) : '—',
    ratio(ratioOf(r, 'raw')),
    r.naive ? fmt(r.naive, r.unit) : '—',
    ratio(ratioOf(r, 'naive')),
    goalText(r),
    markOf(metOf(r)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [row(header), sep, ...lines.map(row)].join('\n');
}

export function renderNotes(rows: readonly RowResult[]): string {
  return rows
    .filter((r) => r.note)
    .map((r) => `- ${r.row}: ${r.note}`)
    .join('\n');
}
