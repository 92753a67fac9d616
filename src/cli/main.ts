#!/usr/bin/env node
import { runCli } from './program';

/**
 * The `onebot-rx` executable: hands the real process streams to {@link runCli} and turns Ctrl-C /
 * SIGTERM into a clean stop (a second Ctrl-C exits at once).
 */

const interrupt = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Nothing should keep the process alive now; a paused stdin (a terminal) would.
    process.stdin.destroy();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Safety net: exit even if some handle lingers (the timer itself does not keep the process up).
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (e: unknown) => {
    process.stderr.write(`onebot-rx: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
