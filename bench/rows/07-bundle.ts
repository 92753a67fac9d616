/**
 * Row 7 — browser bundle of a typical browser bot: an entry file that imports `createClient` and
 * `isGroup` from the root entry and `filter` from rxjs, prints the group of every group message,
 * and connects. Bundled the way a user would type it, `esbuild bot.js --bundle --minify` (esbuild's
 * defaults: browser platform, IIFE, no extra conditions), then gzip -9. The goal is in kB of
 * 1000 bytes, the unit of the issue's figure. Reports the bytes each package (or `src/<layer>`)
 * leaves in the output, from the esbuild metafile.
 *
 * For context (logged, not judged): the same entry with rxjs's `es2015` export condition, and the
 * whole root entry (everything it exports) with the same defaults.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { build } from 'esbuild';
import { ROOT } from '../lib/onebot';
import { summarize } from '../lib/stats';
import { absGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const ROOT_ENTRY = path.join(ROOT, 'src', 'index.ts');
const WORK_DIR = path.join(ROOT, 'bench', 'results', 'bundle');
const BOT_ENTRY = path.join(WORK_DIR, 'typical-bot.js');

/** The typical browser bot, as a user would write it (the import path is the root entry's source). */
function typicalBot(): string {
  const root = path.relative(WORK_DIR, ROOT_ENTRY).replace(/\\/g, '/').replace(/\.ts$/, '');
  return [
    `import { createClient, isGroup } from '${root.startsWith('.') ? root : `./${root}`}';`,
    `import { filter } from 'rxjs';`,
    `const c = createClient({ url: 'ws://127.0.0.1:8080/' });`,
    `c.messages$.pipe(filter(isGroup)).subscribe(m => console.log(m.group_id));`,
    `c.connect();`,
    '',
  ].join('\n');
}

export interface BundleReport {
  minBytes: number;
  gzipBytes: number;
  /** Bytes in the minified output by input file, largest first (tree-shaken modules left out). */
  topInputs: Array<{ path: string; bytes: number }>;
  /** The same grouped by npm package or by `src/<layer>`. */
  byGroup: Array<{ group: string; bytes: number }>;
  /** Node built-ins or `ws` that leaked into the browser bundle. */
  nodeLeaks: string[];
}

function groupOf(p: string): string {
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = p.slice(nm + 13).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? p);
  }
  if (p.startsWith('bench/')) return 'entry file';
  const m = /^src\/([^/]+)\//.exec(p);
  return m ? `src/${m[1]}` : p;
}

/** esbuild with the CLI's defaults (plus `conditions` if given); bytes, gzip -9 and the metafile breakdown. */
export async function measureBundle(entry: string, conditions?: string[]): Promise<BundleReport> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    ...(conditions ? { conditions } : {}),
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    outfile: path.join(WORK_DIR, 'out.js'),
    logLevel: 'silent',
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!out) throw new Error('esbuild produced no output');
  const outMeta = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(outMeta?.inputs ?? {})
    .map(([p, v]) => ({ path: p, bytes: v.bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const groups = new Map<string, number>();
  for (const i of inputs) groups.set(groupOf(i.path), (groups.get(groupOf(i.path)) ?? 0) + i.bytes);
  const nodeLeaks = Object.keys(result.metafile.inputs).filter((p) => /(^|\/)node_modules\/ws\/|^node:|^(fs|net|http|https|events|stream|zlib|crypto|tls)$/.test(p));
  return {
    minBytes: out.contents.byteLength,
    gzipBytes: zlib.gzipSync(out.contents, { level: 9 }).byteLength,
    topInputs: inputs.slice(0, 10),
    byGroup: [...groups.entries()].map(([group, bytes]) => ({ group, bytes })).sort((a, b) => b.bytes - a.bytes),
    nodeLeaks,
  };
}

/** The same bundle from the esbuild command line, exactly as typed: its size, or why it failed. */
function cliBytes(entry: string): number | string {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
  const r = spawnSync(bin, [path.relative(ROOT, entry), '--bundle', '--minify', '--log-level=error'], { cwd: ROOT, maxBuffer: 16 << 20, timeout: 60000 });
  return r.status === 0 ? r.stdout.byteLength : `esbuild CLI failed: ${String(r.stderr).split('\n')[0]}`;
}

const kB = (b: number): string => `${(b / 1000).toFixed(1)} kB`;

export const bundle: RowSpec = {
  id: 'bundle',
  n: 7,
  title: 'browser bundle of a typical browser bot (esbuild --bundle --minify, gzip -9)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const goal = absGoal('<=', 30, 'kB');
    if (!fs.existsSync(ROOT_ENTRY)) return [{ row: '7 browser bundle, typical bot (gzip)', unit: 'kB', value: null, baseline: null, goal, pending: true, note: 'pending: no src/index.ts' }];
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(BOT_ENTRY, typicalBot());
    const r = await measureBundle(BOT_ENTRY);
    const cli = cliBytes(BOT_ENTRY);
    const es2015 = await measureBundle(BOT_ENTRY, ['es2015']);
    const whole = await measureBundle(ROOT_ENTRY);
    const total = r.byGroup.reduce((s, g) => s + g.bytes, 0) || 1;
    const groups = r.byGroup.map((g) => `${g.group} ${kB(g.bytes)} (${Math.round((100 * g.bytes) / total)}%)`).join(', ');
    ctx.log(`typical bot: ${r.minBytes} B minified, ${r.gzipBytes} B gzip (${kB(r.gzipBytes)})`);
    ctx.log(`by package/layer (minified): ${groups}`);
    ctx.log(`top inputs: ${r.topInputs.slice(0, 8).map((i) => `${i.path} ${kB(i.bytes)}`).join(', ')}`);
    ctx.log(`for context: with rxjs's es2015 condition ${es2015.gzipBytes} B gzip; whole root entry ${whole.minBytes} B minified, ${whole.gzipBytes} B gzip`);
    const cliNote = typeof cli === 'string' ? cli : cli === r.minBytes ? undefined : `the esbuild CLI gave ${cli} B minified, the API ${r.minBytes} B`;
    if (cliNote) ctx.log(`CHECK: ${cliNote}`);
    if (r.nodeLeaks.length) ctx.log(`NODE-ONLY MODULES IN THE BROWSER BUNDLE: ${r.nodeLeaks.join(', ')}`);
    return [
      {
        row: '7 browser bundle, typical bot (gzip)',
        unit: 'kB',
        value: summarize([r.gzipBytes / 1000]),
        baseline: null,
        goal,
        note:
          `${r.gzipBytes} B gzip, ${r.minBytes} B min (kB = 1000 B); ${groups}` +
          `; es2015 condition: ${es2015.gzipBytes} B gzip; whole root entry: ${whole.gzipBytes} B gzip` +
          (cliNote ? `; ${cliNote}` : '') +
          (r.nodeLeaks.length ? `; Node-only modules leaked: ${r.nodeLeaks.join(', ')}` : ''),
      },
    ];
  },
};
