import type { CliOutput } from '../../src/cli/io';

/** A writable that keeps what was written, optionally pretending to be a terminal. */
export interface MemoryOutput extends CliOutput {
  text(): string;
  /** Resolves once the written text matches (checked on every write), or rejects after `ms`. */
  waitFor(pattern: RegExp | string, ms?: number): Promise<string>;
}

export const memoryOutput = (isTTY = false): MemoryOutput => {
  let buf = '';
  const waiters = new Set<() => void>();
  const matches = (p: RegExp | string): boolean => (typeof p === 'string' ? buf.includes(p) : p.test(buf));
  return {
    isTTY,
    write: (chunk: string) => {
      buf += chunk;
      for (const w of [...waiters]) w();
      return true;
    },
    text: () => buf,
    waitFor: (pattern, ms = 5000) =>
      new Promise((resolve, reject) => {
        if (matches(pattern)) return resolve(buf);
        const check = (): void => {
          if (!matches(pattern)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(buf);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting for ${String(pattern)}; output so far:\n${buf}`));
        }, ms);
        waiters.add(check);
      }),
  };
};

