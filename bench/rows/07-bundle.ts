/**
 * Row 7 — browser bundle: the root entry `src/index.ts` bundled by esbuild for the browser
 * (minified, tree-shaken), gzip level 9. Reports the modules and packages that dominate, from the
 * esbuild metafile. Until the root entry exists the row measures the protocol modules that do and
 * stays pending.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { ROOT } from '../lib/onebot';
import { summarize } from '../lib/stats';
import { absGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

export interface BundleReport {
  entry: string;
  minBytes: number;
  gzipBytes: number;
  /** Bytes in the minified output by input file, largest first. */
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
  const m = /^src\/([^/]+)\//.exec(p);
  return m ? `src/${m[1]}` : p;
}

export async function measureBundle(): Promise<BundleReport> {
  const rootEntry = path.join(ROOT, 'src', 'index.ts');
  const hasRoot = fs.existsSync(rootEntry);
  // Until the root barrel exists, approximate it: every isomorphic layer that is there.
  const protocolFiles = hasRoot
    ? []
    : [
        ...listTs(path.join(ROOT, 'src', 'protocol')),
        ...listTs(path.join(ROOT, 'src', 'logging')),
        ...listTs(path.join(ROOT, 'src', 'transport')),
        ...(fs.existsSync(path.join(ROOT, 'src', 'client', 'index.ts')) ? [path.join(ROOT, 'src', 'client', 'index.ts')] : []),
      ];
  const result = await build({
    ...(hasRoot
      ? { entryPoints: [rootEntry] }
      : { stdin: { contents: protocolFiles.map((f) => `export * from './${path.relative(ROOT, f).replace(/\\/g, '/').replace(/\.ts$/, '')}';`).join('\n'), resolveDir: ROOT, loader: 'ts', sourcefile: 'protocol-entry.ts' } }),
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    // RxJS's ES2015 build, as a bundler honouring its `es2015` export condition picks it (README);
    // the same setting as scripts/browser-bundle.ts.
    conditions: ['es2015'],
    minify: true,
    treeShaking: true,
    write: false,
    metafile: true,
    outfile: path.join(ROOT, 'bench', 'results', 'bundle.js'),
    logLevel: 'silent',
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!out) throw new Error('esbuild produced no output');
  const meta: Metafile = result.metafile;
  const outMeta = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined || Object.keys(o.inputs).length > 0);
  const inputs = Object.entries(outMeta?.inputs ?? {}).map(([p, v]) => ({ path: p, bytes: v.bytesInOutput }));
  inputs.sort((a, b) => b.bytes - a.bytes);
  const groups = new Map<string, number>();
  for (const i of inputs) groups.set(groupOf(i.path), (groups.get(groupOf(i.path)) ?? 0) + i.bytes);
  const nodeLeaks = Object.keys(meta.inputs).filter((p) => /(^|\/)node_modules\/ws\/|^node:|^(fs|net|http|https|events|stream|zlib|crypto|tls)$/.test(p));
  return {
    entry: hasRoot ? 'src/index.ts' : `${[...new Set(protocolFiles.map((f) => path.relative(ROOT, path.dirname(f)).replace(/\\/g, '/').replace(/^src\/protocol\/.*/, 'src/protocol')))].join(' + ')} (${protocolFiles.length} modules; no src/index.ts yet)`,
    minBytes: out.contents.byteLength,
    gzipBytes: zlib.gzipSync(out.contents, { level: 9 }).byteLength,
    topInputs: inputs.slice(0, 10),
    byGroup: [...groups.entries()].map(([group, bytes]) => ({ group, bytes })).sort((a, b) => b.bytes - a.bytes),
    nodeLeaks,
  };
}

function listTs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listTs(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []))
    .sort();
}

const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;

export const bundle: RowSpec = {
  id: 'bundle',
  n: 7,
  title: 'browser bundle of the root entry (esbuild, minified, gzip -9)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const r = await measureBundle();
    const total = r.byGroup.reduce((s, g) => s + g.bytes, 0) || 1;
    const groups = r.byGroup.slice(0, 6).map((g) => `${g.group} ${Math.round((100 * g.bytes) / total)}%`).join(', ');
    ctx.log(`entry ${r.entry}: ${kb(r.minBytes)} minified, ${kb(r.gzipBytes)} gzip`);
    ctx.log(`by package/layer: ${groups}`);
    ctx.log(`top inputs: ${r.topInputs.slice(0, 6).map((i) => `${i.path} ${kb(i.bytes)}`).join(', ')}`);
    if (r.nodeLeaks.length) ctx.log(`NODE-ONLY MODULES IN THE BROWSER BUNDLE: ${r.nodeLeaks.join(', ')}`);
    const pending = !r.entry.startsWith('src/index.ts');
    return [
      {
        row: '7 browser bundle (gzip)',
        unit: 'KB',
        value: summarize([r.gzipBytes / 1024]),
        baseline: null,
        goal: absGoal('<=', 30, 'KB'),
        pending,
        note: `${pending ? 'pending — ' : ''}${r.entry}, ${kb(r.minBytes)} min; dominated by ${groups}${r.nodeLeaks.length ? `; Node-only modules leaked: ${r.nodeLeaks.join(', ')}` : ''}`,
      },
    ];
  },
};
