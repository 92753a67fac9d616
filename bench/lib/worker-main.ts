/**
 * Entry of a client peer process: `worker-main.ts <row file> <variant>` loads the row module and
 * serves its `workers[variant]` commands (e.g. `raw` or `onebot`) to the orchestrator.
 */
import * as path from 'node:path';
import { serveRpc, type Handlers } from './rpc';

const [rowFile, variant] = process.argv.slice(2);
if (!rowFile || !variant) throw new Error('usage: worker-main.ts <row file> <variant>');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require(path.resolve(rowFile)) as { workers?: Record<string, Handlers> };
const handlers = mod.workers?.[variant];
if (!handlers) throw new Error(`${rowFile} has no worker variant ${variant}`);
serveRpc(handlers);
