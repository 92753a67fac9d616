#!/usr/bin/env node
// `npm run test:reliability [-- --quick|--full] [jest args]`: picks the mode (flag, else
// RELIABILITY_MODE, else full: the figures; CI passes --quick) and runs jest in band under --expose-gc with a hard time bound.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
let mode = process.env.RELIABILITY_MODE === 'quick' ? 'quick' : 'full';
const rest = [];
for (const a of args) {
  if (a === '--quick') mode = 'quick';
  else if (a === '--full') mode = 'full';
  else rest.push(a);
}
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
// Quick must finish well under 20 minutes; full has the 10-minute soak plus the rest.
const limitMs = Number(process.env.RELIABILITY_TIME_LIMIT_MIN ?? (mode === 'full' ? 45 : 20)) * 60_000;
const child = spawn(process.execPath, ['--expose-gc', jestBin, '-c', 'jest.reliability.config.ts', '--runInBand', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_MODE: mode },
});
const killer = setTimeout(() => {
  console.error(`reliability suite exceeded ${limitMs / 60_000} minutes (${mode} mode): killing it`);
  child.kill('SIGKILL');
}, limitMs);
child.on('exit', (code, signal) => {
  clearTimeout(killer);
  process.exit(code ?? (signal ? 1 : 0));
});
