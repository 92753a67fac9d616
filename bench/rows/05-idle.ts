/**
 * Row 5 — idle connections: N clients with heartbeats armed, all in one process, connected to a
 * server in another process. Memory per connection = (RSS / heap after GC with all N connected −
 * the same before the first connection) / N; each variant runs in a fresh `--expose-gc` process.
 * Three variants per run: raw `ws` + `setInterval`, the naive RxJS client, onebot-rx.
 */
import WebSocket from 'ws';
import { connectEvent, heartbeatEvent } from '../lib/fixture';
import { NAIVE_ID, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { createNaiveClient, type NaiveClient } from '../lib/naive-rx-client';
import { clientOptions, loadCreateClient, type BenchClient, type CreateClient, pendingReason } from '../lib/onebot';
import { rawHeaders } from '../lib/raw-client';
import { sleep, withPeers, type Peer } from '../lib/rpc';
import { summarize } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const HEARTBEAT_MS = 15000;

type Variant = 'raw' | 'naive' | 'onebot';
interface Mem {
  rss: number;
  heap: number;
  heapTotal: number;
  external: number;
}
const sockets: WebSocket[] = [];
const timers: NodeJS.Timeout[] = [];
const clients: BenchClient[] = [];
const naiveClients: NaiveClient[] = [];
let createClient: CreateClient | undefined;

/** Memory after 3 full GCs. `heapTotal` and `external` are logged only, to tell where RSS goes. */
function mem(): Mem {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

export const workers = {
  raw: {
    mem,
    prepare: () => undefined,
    async openBatch(a: { url: string; selfId: number; count: number }) {
      await Promise.all(
        Array.from(
          { length: a.count },
          () =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(a.url, { headers: rawHeaders(a.selfId), perMessageDeflate: false });
              sockets.push(ws);
              ws.once('open', () => {
                ws.send(connectEvent(a.selfId));
                timers.push(setInterval(() => ws.send(heartbeatEvent(a.selfId, HEARTBEAT_MS)), HEARTBEAT_MS));
                resolve();
              });
              ws.once('error', reject);
            }),
        ),
      );
    },
  },
  naive: {
    mem,
    prepare: () => undefined,
    openBatch(a: { url: string; selfId: number; count: number }) {
      for (let i = 0; i < a.count; i++) {
        const c = createNaiveClient({ url: a.url, selfId: a.selfId, heartbeatInterval: HEARTBEAT_MS, reconnectInterval: 5000 });
        naiveClients.push(c);
        c.connect();
      }
    },
  },
  onebot: {
    mem,
    prepare() {
      createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
    },
    openBatch(a: { url: string; selfId: number; count: number }) {
      if (!createClient) throw new Error('prepare first');
      for (let i = 0; i < a.count; i++) {
        const c = createClient(clientOptions(a.url, a.selfId, { heartbeatInterval: HEARTBEAT_MS, reconnectInterval: 5000 }));
        clients.push(c);
        c.connect();
      }
    },
  },
};


async function oneRun(variant: Variant, selfId: number, n: number, ctx: RowContext): Promise<Mem> {
  const server = await startServer();
  return withPeers([Promise.resolve(server.peer), startClient(__filename, variant, ctx, ['--expose-gc'])], async ([, client]) => {
    const c = client as Peer;
    await c.call('prepare');
    const before = await c.call<Mem>('mem');
    const batch = 250;
    for (let done = 0; done < n; done += batch) {
      const count = Math.min(batch, n - done);
      await c.call('openBatch', { url: server.url, selfId, count }, 30000);
      await server.peer.call('until', { selfId, field: 'connects', target: done + count, timeoutMs: 30000 }, 31000);
    }
    await sleep(500);
    const after = await c.call<Mem>('mem');
    const per = (k: keyof Mem): number => (after[k] - before[k]) / n / 1024;
    return { rss: per('rss'), heap: per('heap'), heapTotal: per('heapTotal'), external: per('external') };
  });
}

export const idle: RowSpec = {
  id: 'idle',
  n: 5,
  title: 'idle connections: memory per connection',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 1000 : 5000;
    const hasClient = loadCreateClient() !== undefined;
    const variants: Array<[Variant, number]> = [['raw', RAW_ID], ['naive', NAIVE_ID], ...(hasClient ? [['onebot', ONEBOT_ID] as [Variant, number]] : [])];
    const seen: Record<Variant, Mem[]> = { raw: [], naive: [], onebot: [] };
    for (let r = 0; r < ctx.runs; r++) {
      for (const [variant, selfId] of variants) seen[variant].push(await oneRun(variant, selfId, n, ctx));
      const line = variants
        .map(([v]) => {
          const m = seen[v].at(-1) as Mem;
          return `${v} ${m.rss.toFixed(1)} RSS, ${m.heap.toFixed(1)} heap used (${m.heapTotal.toFixed(1)} total), ${m.external.toFixed(1)} external`;
        })
        .join('; ');
      ctx.log(`run ${r + 1} (KB per connection): ${line}`);
    }
    const of = (v: Variant, k: keyof Mem) => summarize(seen[v].map((m) => m[k]));
    const note = hasClient ? `${n} connections, heartbeat every ${HEARTBEAT_MS} ms, one process per variant per run` : pendingReason();
    return [
      { row: '5 idle RSS / connection', unit: 'KB', value: hasClient ? of('onebot', 'rss') : null, baseline: of('raw', 'rss'), naive: of('naive', 'rss'), goal: ratioGoal('<=', 1.5), note },
      {
        row: '5 idle heap / connection',
        unit: 'KB',
        value: hasClient ? of('onebot', 'heap') : null,
        baseline: of('raw', 'heap'),
        naive: of('naive', 'heap'),
        goal: [ratioGoal('<=', 2.0), ratioGoal('<=', 1.0, '', 'naive')],
      },
    ];
  },
};
