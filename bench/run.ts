/**
 * `npm run bench` — onebot-rx against raw `ws` and a naive RxJS client, measured in the same run on the same machine.
 *
 *   --quick        smaller counts and fewer runs (whole suite well under 2 minutes)
 *   --json         print `[{ row, value, baseline, ratio, naive, ratioNaive, goal, met }]` on stdout (table goes to stderr)
 *   --only <rows>  comma-separated row ids or numbers: outbound,inbound,api,handshake,idle,reconnect,bundle,await,playground
 *   --runs N       runs per measurement (default 5, quick 3)
 *   --cpu-prof     run the onebot-rx client processes under `node --cpu-prof` (bench/results/profiles)
 *
 * Every peer is its own process on 127.0.0.1, every loop has a count and a deadline, and every
 * process is killed when its row ends (or when this one exits).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machineLine } from './lib/machine';
import { renderNotes, renderTable } from './lib/table';
import { goalText, metOf, ratioOf, type RowContext, type RowResult, type RowSpec } from './lib/types';
import { nowMs } from './lib/stats';
import { outbound } from './rows/01-outbound';
import { inbound } from './rows/02-inbound';
import { api } from './rows/03-api';
import { handshake } from './rows/04-handshake';
import { idle } from './rows/05-idle';
import { reconnect } from './rows/06-reconnect';
import { bundle } from './rows/07-bundle';
import { awaitRow } from './rows/08-await';
import { playground } from './rows/09-playground';
import { httpApiRow } from './rows/11-http-api';
import { forwardWsRow } from './rows/12-forward-ws';

// Row 8 came later; it runs after row 1, whose burst it complements.
const ROWS: RowSpec[] = [outbound, awaitRow, inbound, api, handshake, idle, reconnect, bundle, playground, httpApiRow, forwardWsRow];

interface Flags {
  quick: boolean;
  json: boolean;
  only: string[];
  runs?: number;
  cpuProf: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { quick: false, json: false, only: [], cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') flags.quick = true;
    else if (a === '--json') flags.json = true;
    else if (a === '--cpu-prof') flags.cpuProf = true;
    else if (a === '--only') flags.only.push(...value().split(','));
    else if (a.startsWith('--only=')) flags.only.push(...a.slice(7).split(','));
    else if (a === '--runs') flags.runs = Number(value());
    else if (a.startsWith('--runs=')) flags.runs = Number(a.slice(7));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: npm run bench -- [--quick] [--json] [--only ${ROWS.map((r) => r.id).join(',')}] [--runs N] [--cpu-prof]\n`);
      process.exit(0);
    } else throw new Error(`unknown flag ${a}`);
  }
  if (flags.runs !== undefined && (!Number.isInteger(flags.runs) || flags.runs < 1 || flags.runs > 50)) throw new Error('--runs must be 1..50');
  return flags;
}

function selected(flags: Flags): RowSpec[] {
  if (flags.only.length === 0) return ROWS;
  return flags.only.map((key) => {
    const spec = ROWS.find((r) => r.id === key || String(r.n) === key);
    if (!spec) throw new Error(`unknown row ${key} (one of ${ROWS.map((r) => `${r.n}/${r.id}`).join(', ')})`);
    return spec;
  });
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const profDir = path.join(resultsDir, 'profiles');
  if (flags.cpuProf) fs.mkdirSync(profDir, { recursive: true });
  const ctx: RowContext = {
    quick: flags.quick,
    runs: flags.runs ?? (flags.quick ? 3 : 5),
    clientNodeFlags: flags.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    log: (m) => log(`  ${m}`),
  };
  const machine = machineLine();
  log(`onebot-rx bench${flags.quick ? ' (quick)' : ''}, ${ctx.runs} runs — ${machine}`);
  const started = nowMs();
  const results: RowResult[] = [];
  for (const spec of selected(flags)) {
    const t0 = nowMs();
    log(`[${spec.n}] ${spec.title}`);
    try {
      results.push(...(await spec.run(ctx)));
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      log(`  failed: ${err instanceof Error ? err.stack : String(err)}`);
      results.push({ row: `${spec.n} ${spec.id}`, unit: '', value: null, baseline: null, goal: { kind: 'absolute', op: '<=', target: 0, text: '—' }, note: `failed: ${message}` });
    }
    log(`  (${((nowMs() - t0) / 1000).toFixed(1)} s)`);
  }
  const table = renderTable(results);
  const notes = renderNotes(results);
  const text = `${table}\n\n${machine}; ${ctx.runs} runs${flags.quick ? ', --quick' : ''}; total ${((nowMs() - started) / 1000).toFixed(1)} s\n${notes ? `\n${notes}\n` : ''}`;
  const json = results.map((r) => ({
    row: r.row,
    value: r.value ? r.value.median : null,
    baseline: r.baseline ? r.baseline.median : null,
    ratio: ratioOf(r, 'raw'),
    naive: r.naive ? r.naive.median : null,
    ratioNaive: ratioOf(r, 'naive'),
    goal: goalText(r),
    met: metOf(r),
  }));
  fs.writeFileSync(path.join(resultsDir, `latest${flags.quick ? '-quick' : ''}.json`), JSON.stringify({ machine, flags, results, json }, null, 2));
  fs.writeFileSync(path.join(resultsDir, `latest${flags.quick ? '-quick' : ''}.md`), text);
  if (flags.json) {
    process.stderr.write(`\n${text}`);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else process.stdout.write(`\n${text}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
