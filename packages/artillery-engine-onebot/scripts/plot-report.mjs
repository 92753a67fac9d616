#!/usr/bin/env node
// Turns an Artillery JSON report of an artillery-engine-onebot run into an SVG: reply latency
// (onebot.reply_ms p50/p95/p99 per reporting period, log scale) over time, and below it the VU's
// alive and the messages sent per second. Plain SVG text: no browser, no canvas, no dependencies.
//   node plot-report.mjs <report.json> <out.svg> [--title "..."]
import { readFileSync, writeFileSync } from 'node:fs';

const [file, out] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: plot-report.mjs <report.json> <out.svg> [--title "..."]');
  process.exit(2);
}
const ti = process.argv.indexOf('--title');
const title = ti > 0 ? process.argv[ti + 1] : 'artillery-engine-onebot: reply latency over time';
const report = JSON.parse(readFileSync(file, 'utf8'));
const periods = [...report.intermediate].sort((a, b) => Number(a.period) - Number(b.period));
const t0 = Number(periods[0].period);

let alive = 0;
const rows = periods.map((p) => {
  const c = p.counters ?? {};
  const r = p.summaries?.['onebot.reply_ms'];
  alive += (c['vusers.created'] ?? 0) - (c['vusers.completed'] ?? 0) - (c['vusers.failed'] ?? 0);
  const width = (Number(p.lastMetricAt) - Number(p.firstMetricAt)) / 1000 || 10;
  return {
    t: (Number(p.period) - t0) / 1000,
    p50: r?.p50, p95: r?.p95, p99: r?.p99,
    alive,
    rate: (c['onebot.messages_sent'] ?? 0) / Math.max(width, 1),
  };
});

const W = 760, H = 520, L = 70, R = 70, top1 = 50, h1 = 240, top2 = 340, h2 = 130;
const tMax = Math.max(...rows.map((r) => r.t), 10);
const x = (t) => L + ((W - L - R) * t) / tMax;
const lat = rows.flatMap((r) => [r.p50, r.p95, r.p99]).filter((v) => v > 0);
const yMin = 10 ** Math.floor(Math.log10(Math.min(...lat)));
const yMax = 10 ** Math.ceil(Math.log10(Math.max(...lat)));
const y1 = (v) => top1 + h1 - (h1 * (Math.log10(v) - Math.log10(yMin))) / (Math.log10(yMax) - Math.log10(yMin));
const aliveMax = Math.max(...rows.map((r) => r.alive), 1);
const rateMax = Math.max(...rows.map((r) => r.rate), 1);
const y2 = (v, max) => top2 + h2 - (h2 * v) / max;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const line = (pts, color, dash = '') =>
  `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
const series = (key) => rows.filter((r) => r[key] > 0).map((r) => [x(r.t), y1(r[key])]);
const parts = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`);
// latency panel: decades on a log axis
for (let d = yMin; d <= yMax; d *= 10) {
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${y1(d)}" y2="${y1(d)}" stroke="#ddd"/><text x="${L - 6}" y="${y1(d) + 4}" text-anchor="end">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
}
parts.push(`<text x="16" y="${top1 + h1 / 2}" transform="rotate(-90 16 ${top1 + h1 / 2})" text-anchor="middle">onebot.reply_ms (log)</text>`);
parts.push(line(series('p99'), '#d62728'), line(series('p95'), '#ff7f0e'), line(series('p50'), '#1f77b4'));
[['p50', '#1f77b4'], ['p95', '#ff7f0e'], ['p99', '#d62728']].forEach(([k, c], i) =>
  parts.push(`<rect x="${L + 10 + i * 70}" y="${top1 + 6}" width="14" height="4" fill="${c}"/><text x="${L + 28 + i * 70}" y="${top1 + 12}">${k}</text>`));
// load panel
parts.push(`<line x1="${L}" x2="${W - R}" y1="${top2 + h2}" y2="${top2 + h2}" stroke="#999"/>`);
parts.push(line(rows.map((r) => [x(r.t), y2(r.alive, aliveMax)]), '#2ca02c'));
parts.push(line(rows.map((r) => [x(r.t), y2(r.rate, rateMax)]), '#9467bd', '5,3'));
parts.push(`<text x="${L - 6}" y="${top2 + 4}" text-anchor="end" fill="#2ca02c">${Math.round(aliveMax)}</text><text x="${L - 6}" y="${top2 + h2 + 4}" text-anchor="end">0</text>`);
parts.push(`<text x="${W - R + 6}" y="${top2 + 4}" fill="#9467bd">${Math.round(rateMax)}/s</text>`);
parts.push(`<text x="16" y="${top2 + h2 / 2}" transform="rotate(-90 16 ${top2 + h2 / 2})" text-anchor="middle">load</text>`);
parts.push(`<rect x="${L + 10}" y="${top2 - 14}" width="14" height="4" fill="#2ca02c"/><text x="${L + 28}" y="${top2 - 8}">VU's alive</text>`);
parts.push(`<rect x="${L + 210}" y="${top2 - 14}" width="14" height="4" fill="#9467bd"/><text x="${L + 228}" y="${top2 - 8}">messages sent per second</text>`);
for (let t = 0; t <= tMax; t += tMax > 120 ? 30 : 10) {
  parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top2 + h2}" y2="${top2 + h2 + 4}" stroke="#999"/><text x="${x(t)}" y="${top2 + h2 + 18}" text-anchor="middle">${t}</text>`);
}
parts.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle">seconds since the first reporting period (each point: one ${periods.length > 1 ? '10 s ' : ''}period)</text>`);
parts.push('</svg>');
writeFileSync(out, parts.join('\n') + '\n');
console.log(`wrote ${out} (${rows.length} periods)`);
