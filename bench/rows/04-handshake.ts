/**
 * Row 4 — handshake: time from the socket opening at the server (`connection`) to the lifecycle
 * connect event arriving there, over many fresh connections. Absolute goal: p99 ≤ 5 ms. The baseline
 * is a raw `ws` client sending a pre-serialized connect event from its `open` handler.
 */
import type WebSocket from 'ws';
import { ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { clientOptions, loadCreateClient, type BenchClient, pendingReason } from '../lib/onebot';
import { openRaw } from '../lib/raw-client';
import { withPeers, type Peer } from '../lib/rpc';
import { latency, summarize } from '../lib/stats';
import { absGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

let rawWs: WebSocket | undefined;
let client: BenchClient | undefined;

export const workers = {
  raw: {
    async openOne(a: { url: string; selfId: number }) {
      rawWs = await openRaw(a.url, a.selfId);
    },
    closeOne() {
      rawWs?.terminate();
      rawWs = undefined;
    },
  },
  onebot: {
    openOne(a: { url: string; selfId: number }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      client = createClient(clientOptions(a.url, a.selfId));
      client.connect();
    },
    async closeOne() {
      const c = client;
      client = undefined;
      await c?.disconnect();
    },
  },
};

async function samples(server: Peer, client: Peer, url: string, selfId: number, n: number): Promise<{ ms: number[]; notConnect: number }> {
  const ms: number[] = [];
  let notConnect = 0;
  for (let i = 0; i < n; i++) {
    const next = server.call<{ ms: number; connect: boolean }>('nextHandshake', { selfId, timeoutMs: 5000 }, 6000);
    await client.call('openOne', { url, selfId }, 5000);
    const r = await next;
    ms.push(r.ms);
    if (!r.connect) notConnect++;
    await client.call('closeOne', {}, 5000);
  }
  return { ms, notConnect };
}

export const handshake: RowSpec = {
  id: 'handshake',
  n: 4,
  title: 'handshake: socket open → connect event at the server',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 200 : 500;
    const hasClient = loadCreateClient() !== undefined;
    const server = await startServer();
    return withPeers([Promise.resolve(server.peer), startClient(__filename, 'raw', ctx), ...(hasClient ? [startClient(__filename, 'onebot', ctx)] : [])], async ([, raw, ob]) => {
      if (!raw) throw new Error('no raw client');
      await samples(server.peer, raw, server.url, RAW_ID, 20);
      if (ob) await samples(server.peer, ob, server.url, ONEBOT_ID, 20);
      const rawP99: number[] = [];
      const obP99: number[] = [];
      const obP50: number[] = [];
      let notConnect = 0;
      for (let r = 0; r < ctx.runs; r++) {
        const a = latency((await samples(server.peer, raw, server.url, RAW_ID, n)).ms);
        rawP99.push(a.p99);
        let line = `run ${r + 1}: raw p50 ${a.p50.toFixed(3)} p99 ${a.p99.toFixed(3)} ms`;
        if (ob) {
          const s = await samples(server.peer, ob, server.url, ONEBOT_ID, n);
          notConnect += s.notConnect;
          const b = latency(s.ms);
          obP99.push(b.p99);
          obP50.push(b.p50);
          line += `; onebot-rx p50 ${b.p50.toFixed(3)} p99 ${b.p99.toFixed(3)} max ${b.max.toFixed(3)} ms`;
        }
        ctx.log(line);
      }
      const note = !ob
        ? pendingReason()
        : `${n} fresh connections per run; onebot-rx p50 ${summarize(obP50).median.toFixed(2)} ms${notConnect ? `; ${notConnect} connections whose first frame was NOT the connect event` : ''}`;
      return [{ row: '4 handshake p99', unit: 'ms', value: ob ? summarize(obP99) : null, baseline: summarize(rawP99), goal: absGoal('<=', 5, 'ms', 'p99 '), note }];
    });
  },
};
