/**
 * `node -r esbuild-register bench/lib/profile-top.ts <file.cpuprofile> [N]` — the hottest functions
 * of a V8 CPU profile by self time, and by inclusive time for onebot-rx's own files (`src/`), so a
 * hot path can be named by file:line without opening DevTools. The profile holds lines of the
 * JavaScript esbuild-register compiled; TypeScript files are compiled again here with a source map
 * to print the TypeScript line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSync } from 'esbuild';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Generated line (0-based) → original line (0-based) of the first mapping on it. */
function lineMap(mappings: string): Map<number, number> {
  const out = new Map<number, number>();
  let origLine = 0;
  mappings.split(';').forEach((line, genLine) => {
    let first = true;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        origLine += fields[2] as number;
        if (first) out.set(genLine, origLine);
        first = false;
      }
    }
  });
  return out;
}

const maps = new Map<string, Map<number, number> | undefined>();
/** TypeScript line (1-based) of compiled line `line0` (0-based) of `file`. */
function tsLine(file: string, line0: number): number {
  if (!maps.has(file)) {
    try {
      // The same shape esbuild-register produces: one banner line, then the module.
      const r = transformSync(fs.readFileSync(file, 'utf8'), { sourcefile: file, loader: 'ts', format: 'cjs', sourcemap: 'external', banner: 'const __banner = 0;' });
      maps.set(file, lineMap((JSON.parse(r.map) as { mappings: string }).mappings));
    } catch {
      maps.set(file, undefined);
    }
  }
  const m = maps.get(file);
  if (!m) return line0 + 1;
  for (let l = line0; l >= 0; l--) {
    const o = m.get(l);
    if (o !== undefined) return o + 1;
  }
  return line0 + 1;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, nArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [N]');
const top = Number(nArg ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const root = path.resolve(__dirname, '..', '..');

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n: Node): string => {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const rel = url.startsWith(root) ? path.relative(root, url) : url.replace(/.*node_modules\//, '');
  const line = url.endsWith('.ts') ? tsLine(url, n.callFrame.lineNumber) : n.callFrame.lineNumber + 1;
  return `${n.callFrame.functionName || '(anonymous)'} ${rel ? `${rel}:${line}` : ''}`.trim();
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  // Inclusive time for every distinct src/ frame on the stack (count each label once per sample).
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur);
    if (!c || !c.callFrame.url.includes('/src/')) continue;
    const l = label(c);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}

const pct = (us: number): string => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title}`);
  for (const [l, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${l}`);
};
console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
print('self time', self);
print('inclusive time, src/ frames', inclusive);
