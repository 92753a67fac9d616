import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap in use after full collections, for the memory bounds of the regression tests (`npm test`
 * runs jest without `--expose-gc`, so the collector is exposed here, the documented V8 way).
 */
let gc: (() => void) | undefined;

export const heapAfterGc = async (): Promise<number> => {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
};

export const MiB = 1024 * 1024;
