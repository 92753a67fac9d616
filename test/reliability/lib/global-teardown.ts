import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure } from './figures';
import { mode } from './mode';

/** Prints the figures block; the temporary directory is removed afterwards. */
export default (): void => {
  const dir = process.env.RELIABILITY_FIGURES_DIR;
  if (dir === undefined) return;
  const file = join(dir, 'figures.jsonl');
  const figures: Figure[] = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Figure)
    : [];
  const lines = [`=== onebot-rx reliability figures (${mode} mode) ===`];
  let section = '';
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push(`[${section}]`);
    }
    lines.push(`  ${f.name}: ${String(f.value)}`);
  }
  if (figures.length === 0) lines.push('  (no figures recorded)');
  lines.push('=== end of figures ===');
  process.stdout.write(`\n${lines.join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
};
