// Bundles examples/browser/main.ts for the page: esbuild, platform browser, ESM. `isomorphic-ws`
// resolves to the browser's own WebSocket there, so no Node built-in ends up in the bundle.
//
//   node examples/browser/build.mjs [--outdir dir]    (default examples/browser/dist)
//
// Writes main.js and meta.json (esbuild's metafile: what went in).
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf('--outdir');
const outdir = resolve(flag >= 0 && process.argv[flag + 1] ? process.argv[flag + 1] : join(here, 'dist'));

const result = await build({
  entryPoints: [join(here, 'main.ts')],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0;
console.log(`bundled ${join(outdir, 'main.js')} (${(bytes / 1024).toFixed(1)} KiB)`);
