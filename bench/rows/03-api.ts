/**
 * Row 3 — API answers. The server (another process) sends `{action, params, echo}` and times the
 * answer: one at a time (p50/p99 latency) and with 64 calls in flight (throughput). The client
 * answers through `client.handle('get_login_info', …)`; the baseline is a raw `ws` responder that
 * parses the request and sends the same response object back.
 */
import type WebSocket from 'ws';
import { connectVia, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { clientOptions, loadCreateClient, type BenchClient, pendingReason } from '../lib/onebot';
import { openRaw } from '../lib/raw-client';
import { withPeers, type Peer } from '../lib/rpc';
import { summarize, type Latency } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

let rawWs: WebSocket | undefined;
let client: BenchClient | undefined;

const loginInfo = (selfId: number) => ({ user_id: selfId, nickname: 'bench' });

export const workers = {
  raw: {
    async open(a: { url: string; selfId: number }) {
      const ws = await openRaw(a.url, a.selfId);
      rawWs = ws;
      const data = loginInfo(a.selfId);
      ws.on('message', (raw) => {
        const req = JSON.parse(raw.toString()) as { action?: unknown; echo?: unknown };
        if (typeof req.action !== 'string') return;
        ws.send(JSON.stringify({ status: 'ok', retcode: 0, data, message: '', wording: '', echo: req.echo }));
      });
    },
  },
  onebot: {
    open(a: { url: string; selfId: number }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      client = createClient(clientOptions(a.url, a.selfId));
      const data = loginInfo(a.selfId);
      client.handle('get_login_info', () => data);
      client.connect();
    },
  },
};

interface Runs {
  p50: number[];
  p99: number[];
  tput: number[];
}

async function once(server: Peer, selfId: number, n: number, runs: Runs): Promise<void> {
  const seq = await server.call<Latency>('apiSequential', { selfId, n, warmup: 50, timeoutMs: 30000 }, 31000);
  const par = await server.call<{ perSecond: number }>('apiConcurrent', { selfId, n: n * 4, inflight: 64, timeoutMs: 30000 }, 31000);
  runs.p50.push(seq.p50);
  runs.p99.push(seq.p99);
  runs.tput.push(par.perSecond);
}

export const api: RowSpec = {
  id: 'api',
  n: 3,
  title: 'API answers (server → client.handle → server)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 2000 : 10000;
    const hasClient = loadCreateClient() !== undefined;
    const server = await startServer();
    return withPeers([Promise.resolve(server.peer), startClient(__filename, 'raw', ctx), ...(hasClient ? [startClient(__filename, 'onebot', ctx)] : [])], async ([, raw, ob]) => {
      if (!raw) throw new Error('no raw client');
      await connectVia(server, raw, RAW_ID);
      if (ob) await connectVia(server, ob, ONEBOT_ID);
      const rawRuns: Runs = { p50: [], p99: [], tput: [] };
      const obRuns: Runs = { p50: [], p99: [], tput: [] };
      await once(server.peer, RAW_ID, n >> 2, { p50: [], p99: [], tput: [] });
      if (ob) await once(server.peer, ONEBOT_ID, n >> 2, { p50: [], p99: [], tput: [] });
      for (let r = 0; r < ctx.runs; r++) {
        await once(server.peer, RAW_ID, n, rawRuns);
        if (ob) await once(server.peer, ONEBOT_ID, n, obRuns);
        const f = (x: Runs) => `p50 ${x.p50.at(-1)?.toFixed(3)} ms p99 ${x.p99.at(-1)?.toFixed(3)} ms ${x.tput.at(-1)?.toFixed(0)}/s`;
        ctx.log(`run ${r + 1}: raw ${f(rawRuns)}${ob ? `; onebot-rx ${f(obRuns)}` : ''}`);
      }
      const pending = ob ? {} : { note: pendingReason() };
      return [
        { row: '3 API sequential p50', unit: 'ms', value: ob ? summarize(obRuns.p50) : null, baseline: summarize(rawRuns.p50), goal: ratioGoal('<=', 1.2), ...(ob ? { note: `${n} sequential calls, ${n * 4} with 64 in flight, per run` } : pending) },
        { row: '3 API sequential p99', unit: 'ms', value: ob ? summarize(obRuns.p99) : null, baseline: summarize(rawRuns.p99), goal: ratioGoal('<=', 1.5), ...pending },
        { row: '3 API 64 in flight', unit: 'calls/s', value: ob ? summarize(obRuns.tput) : null, baseline: summarize(rawRuns.tput), goal: ratioGoal('>=', 0.8), ...pending },
      ];
    });
  },
};
