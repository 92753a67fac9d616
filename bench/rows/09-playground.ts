/**
 * Row 9 — the playground page (`onebot-rx play`): src/playground/page/main.ts bundled as the
 * command serves it (esbuild, IIFE, minified, RxJS's es2015 build), gzip -9. The bundle holds the
 * SDK's root entry, the simulated world and RxJS besides the page's own code; the note gives the
 * page's own share. Budget: 64 KB gzip for the whole page (docs/guides/playground.md).
 */
import { bundlePlayground, ownBytes } from '../../scripts/playground-bundle';
import { summarize } from '../lib/stats';
import { absGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;

export const playground: RowSpec = {
  id: 'playground',
  n: 9,
  title: 'playground page bundle (esbuild, minified, gzip -9)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const b = await bundlePlayground();
    const own = ownBytes(b);
    ctx.log(`playground page: ${kb(b.bytes)} minified, ${kb(b.gzipBytes)} gzip; page's own code ${kb(own)} minified`);
    ctx.log(`top inputs: ${b.inputs.slice(0, 6).map((i) => `${i.path} ${kb(i.bytes)}`).join(', ')}`);
    return [
      {
        row: '9 playground page (gzip)',
        unit: 'KB',
        value: summarize([b.gzipBytes / 1024]),
        baseline: null,
        goal: absGoal('<=', 64, 'KB'),
        note: `${kb(b.bytes)} min, of which the page's own code (src/playground/page) ${kb(own)}; the rest is the root entry, the world and RxJS`,
      },
    ];
  },
};
