import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default (): void => {
  process.env.RELIABILITY_FIGURES_DIR ??= mkdtempSync(join(tmpdir(), 'onebot-rx-reliability-'));
};
