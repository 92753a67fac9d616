import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Figures the suite prints at the end. Tests append `{section, name, value}` lines to a file in a
 * per-run temporary directory (set by the global setup); the global teardown prints them as one
 * summary block. Nothing is written into the repository.
 */
export interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number | string;
}

export const figuresFile = (): string => {
  const dir = process.env.RELIABILITY_FIGURES_DIR ?? join(tmpdir(), `onebot-rx-reliability-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'figures.jsonl');
};

export const figure = (section: string, name: string, value: number | string): void => {
  appendFileSync(figuresFile(), `${JSON.stringify({ section, name, value } satisfies Figure)}\n`);
};

/** Heap in use after a full GC (requires `node --expose-gc`; fails loudly without it). */
export const heapAfterGc = async (): Promise<number> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('global.gc is missing: run the reliability suite with node --expose-gc (npm run test:reliability)');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
};

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
