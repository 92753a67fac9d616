/**
 * Bundles the playground page (src/playground/page/main.ts) as `onebot-rx play` serves it, and
 * reports its size. `npm run build` runs it with `--out dist/playground/app.js` (the published CLI
 * serves that file); `npm run bench` reports the size (row "playground").
 */
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PAGE_BUILD_OPTIONS, PAGE_ENTRY } from '../src/playground/assets';

export interface PlaygroundBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
  /** Bytes in the output per module, largest first. */
  inputs: { path: string; bytes: number }[];
}

export async function bundlePlayground(): Promise<PlaygroundBundle> {
  const result = await build({ ...PAGE_BUILD_OPTIONS, conditions: [...PAGE_BUILD_OPTIONS.conditions], entryPoints: [PAGE_ENTRY], write: false, metafile: true });
  const out = result.outputFiles[0];
  if (out === undefined) throw new Error('esbuild produced no output');
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {})
    .map(([p, info]) => ({ path: p, bytes: info.bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { code: out.text, bytes: out.contents.byteLength, gzipBytes: gzipSync(out.contents, { level: 9 }).byteLength, inputs };
}

/** The page's own code (src/playground/page/), apart from the SDK and RxJS it bundles. */
export const ownBytes = (b: PlaygroundBundle): number => b.inputs.filter((i) => i.path.includes('src/playground/page/')).reduce((s, i) => s + i.bytes, 0);

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  void bundlePlayground().then((b) => {
    const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
    if (at >= 0) {
      const file = path.resolve(process.argv[at + 1] ?? 'dist/playground/app.js');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, b.code);
      process.stdout.write(`playground page → ${path.relative(process.cwd(), file)}\n`);
    }
    process.stdout.write(`playground page bundle: ${kb(b.bytes)} minified, ${kb(b.gzipBytes)} gzip; the page's own code ${kb(ownBytes(b))} minified\n`);
    for (const i of b.inputs.slice(0, 12)) process.stdout.write(`  ${String(i.bytes).padStart(7)}  ${i.path}\n`);
  });
}
