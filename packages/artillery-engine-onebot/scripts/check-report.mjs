#!/usr/bin/env node
// Checks an Artillery JSON report (`artillery run --output r.json`) of an artillery-engine-onebot run.
//   node check-report.mjs r.json [--vusers N] [--replies N] [--counter name=N ...] [--allow-errors]
// Fails (exit 1) on: any errors.* counter (unless --allow-errors), failed VU's, fewer completed VU's
// or timed replies than asked, a counter off its expected value. Prints reply p50/p95/p99.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.shift();
if (!file) {
  console.error('usage: check-report.mjs <report.json> [--vusers N] [--replies N] [--counter name=N] [--allow-errors]');
  process.exit(2);
}
const { aggregate } = JSON.parse(readFileSync(file, 'utf8'));
const counters = aggregate.counters ?? {};
const summaries = aggregate.summaries ?? {};
const problems = [];
const want = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const errors = Object.entries(counters).filter(([k, v]) => k.startsWith('errors.') && v > 0);
if (errors.length > 0 && !args.includes('--allow-errors')) problems.push(`errors: ${errors.map(([k, v]) => `${k}=${v}`).join(', ')}`);
if ((counters['vusers.failed'] ?? 0) > 0) problems.push(`vusers.failed = ${counters['vusers.failed']}`);
const vusers = want('vusers');
if (vusers !== undefined && (counters['vusers.completed'] ?? 0) !== Number(vusers)) problems.push(`vusers.completed = ${counters['vusers.completed'] ?? 0}, expected ${vusers}`);
const reply = summaries['onebot.reply_ms'];
const replies = want('replies');
if (replies !== undefined && (reply?.count ?? 0) !== Number(replies)) problems.push(`onebot.reply_ms count = ${reply?.count ?? 0}, expected ${replies}`);
args.forEach((a, i) => {
  if (a !== '--counter') return;
  const [name, value] = String(args[i + 1]).split('=');
  if ((counters[name] ?? 0) !== Number(value)) problems.push(`${name} = ${counters[name] ?? 0}, expected ${value}`);
});

const fmt = (s) => (s ? `p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms (n = ${s.count})` : 'none');
console.log(`VU's: ${counters['vusers.created'] ?? 0} created, ${counters['vusers.completed'] ?? 0} completed, ${counters['vusers.failed'] ?? 0} failed`);
console.log(`onebot.reply_ms: ${fmt(reply)}`);
console.log(`onebot.handshake_ms: ${fmt(summaries['onebot.handshake_ms'])}`);
console.log(`onebot.api_answer_ms: ${fmt(summaries['onebot.api_answer_ms'])}`);
console.log(`errors: ${errors.length === 0 ? 'none' : errors.map(([k, v]) => `${k}=${v}`).join(', ')}; onebot.reply_timeout = ${counters['onebot.reply_timeout'] ?? 0}`);
if (problems.length > 0) {
  console.error(`check-report: FAILED\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-report: ok');
