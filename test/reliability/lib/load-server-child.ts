/**
 * Child-process entry of the hostile-load test: runs the reference server with the options in
 * argv[2] (JSON) under `--expose-gc`, and answers `stats` (server stats, heap after a full GC,
 * RSS) and `stop` over IPC. Nothing per message crosses IPC, so the server's own work is measured.
 */
import { createReferenceServer } from '../../../src/server/reference-server';
import type { ReferenceServerOptions, ServerStats } from '../../../src/server/reference-server';

/** `stats`: figures now; `reset` restarts the longest-loop-turn figure. */
export type LoadCommand = { readonly cmd: 'stats'; readonly gc: boolean; readonly reset?: boolean } | { readonly cmd: 'stop' };
export type LoadReport =
  | { readonly type: 'ready'; readonly port: number }
  | {
      readonly type: 'stats';
      readonly stats: ServerStats;
      readonly heapUsed: number;
      readonly rss: number;
      /** Longest event-loop turn (wall clock) since the last reset... */
      readonly loopMaxMs: number;
      /** ...and the CPU time the process (all its threads) used during it: far below the wall time means the OS ran something else. */
      readonly loopMaxCpuMs: number;
    };

const main = async (): Promise<void> => {
  const options = JSON.parse(process.argv[2] ?? '{}') as ReferenceServerOptions;
  const server = await createReferenceServer({ ...options, port: 0 });
  // Longest event-loop turn since the last report: how long one piece of work held everyone.
  let loopMaxMs = 0;
  let loopMaxCpuMs = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const tick = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    if (now - last - 10 > loopMaxMs) {
      loopMaxMs = now - last - 10;
      loopMaxCpuMs = (cpu.user + cpu.system) / 1000;
    }
    if (process.env.RELIABILITY_SERVER_TRACE && now - last - 10 > 40) console.log(`server: event loop held for ${(now - last - 10).toFixed(0)} ms`);
    last = now;
  }, 10);
  process.on('message', (m: LoadCommand) => {
    if (m.cmd === 'stats') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (m.gc) {
        if (gc === undefined) throw new Error('load-server-child needs --expose-gc');
        gc();
        gc();
      }
      const mem = process.memoryUsage();
      process.send?.({ type: 'stats', stats: server.stats(), heapUsed: mem.heapUsed, rss: mem.rss, loopMaxMs, loopMaxCpuMs } satisfies LoadReport);
      if (m.reset === true) {
        loopMaxMs = 0;
        loopMaxCpuMs = 0;
      }
      last = performance.now();
    } else if (m.cmd === 'stop') {
      clearInterval(tick);
      void server.close().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port: server.port } satisfies LoadReport);
};

main().catch((e: unknown) => {
  console.error('load-server-child failed:', e instanceof Error ? e.message : String(e));
  process.exit(2);
});
