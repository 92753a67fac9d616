import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PAGE_HTML } from './html';

/**
 * Where the page's script comes from: the published package ships it prebuilt as
 * `dist/playground/app.js` (`npm run build`); from a source checkout (tests, `npm run cli`) it is
 * bundled on the fly with esbuild, a dev dependency, from src/playground/page/main.ts.
 */

/** The page entry (TypeScript source). @internal */
export const PAGE_ENTRY = path.resolve(__dirname, 'page', 'main.ts');

/** Options of the page bundle, shared by the on-the-fly build, `npm run build` and the size report. @internal */
export const PAGE_BUILD_OPTIONS = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  // RxJS's ES2015 build (see scripts/browser-bundle.ts).
  conditions: ['es2015'],
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
} as const;

/** The page's HTML and script. @since 0.2.0 @category playground */
export interface PageAssets {
  readonly html: string;
  readonly script: string;
}

/** @internal */
export const loadPageAssets = async (): Promise<PageAssets> => {
  // Beside the bundled CLI (dist/cli.cjs → dist/playground/app.js).
  const prebuilt = path.join(__dirname, 'playground', 'app.js');
  if (existsSync(prebuilt)) return { html: PAGE_HTML, script: readFileSync(prebuilt, 'utf8') };
  if (!existsSync(PAGE_ENTRY)) throw new Error(`the playground page is missing: neither ${prebuilt} nor ${PAGE_ENTRY} exists (run npm run build)`);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('the playground page is not built and esbuild is not installed: run npm run build');
  }
  const result = await esbuild.build({ ...PAGE_BUILD_OPTIONS, conditions: [...PAGE_BUILD_OPTIONS.conditions], entryPoints: [PAGE_ENTRY], write: false });
  return { html: PAGE_HTML, script: result.outputFiles[0]!.text };
};
