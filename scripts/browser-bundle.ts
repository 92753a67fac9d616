/**
 * Bundles the root entry (`src/index.ts`) the way a browser app would (esbuild, platform browser,
 * ESM, minified) and reports what went in. Used by the browser test and the bundle-size benchmark.
 */
import { build, type Metafile } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

export interface BrowserBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
  /** Every module with code in the bundle and its minified bytes there, largest first (tree-shaken modules left out). */
  inputs: { path: string; bytes: number }[];
  /** Imports left external in the output (must be empty for a self-contained browser bundle). */
  externalImports: string[];
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export const isNodeBuiltin = (specifier: string): boolean => NODE_BUILTINS.has(specifier) || specifier.startsWith('node:');

export async function bundleForBrowser(entry = path.resolve(__dirname, '../src/index.ts')): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    // RxJS's `exports` map its `es2015` condition to its ES2015 build (native classes, no tslib
    // class helpers); without it the `default` condition picks the ES5 build, ~2 KB gzip more.
    // Modern bundlers can be told to honour it (esbuild `conditions`, webpack
    // `resolve.conditionNames`, Vite `resolve.conditions`); bench/README.md says how.
    conditions: ['es2015'],
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (out === undefined) throw new Error('esbuild produced no output');
  const meta: Metafile = result.metafile;
  // Bytes each module contributes to the output. Modules esbuild read but tree-shook away entirely
  // are absent from the output's inputs (or at 0): they are left out, never counted at source size.
  const inputs = Object.entries(Object.values(meta.outputs)[0]?.inputs ?? {})
    .map(([p, info]) => ({ path: p, bytes: info.bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const externalImports = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  return {
    code: out.text,
    bytes: out.contents.byteLength,
    gzipBytes: gzipSync(out.contents, { level: 9 }).byteLength,
    inputs,
    externalImports,
  };
}
