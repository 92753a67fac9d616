/**
 * Row 12 — forward WebSocket API round trip. A caller process dials `/api` and sends
 * `{action: 'get_login_info', params: {}, echo: n}`, one at a time (p50/p99 of the round trip), then
 * 64 in flight (throughput). onebot-rx side: the `forwardWs()` transport answering through
 * `client.handle('get_login_info', …)`; baseline: a raw `ws` `WebSocketServer` that parses the
 * request and sends the same response object back. Goals as row 3 (reverse WS): p50 ≤ 1.2×,
 * p99 ≤ 1.5×, throughput ≥ 0.8×.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startClient } from '../lib/harness';
import { withPeers, type Peer } from '../lib/rpc';
import { latency, nowMs, summarize, type Latency } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const SELF_ID = 10001000;
const data = { user_id: SELF_ID, nickname: 'bench' };

export const workers = {
  raw: {
    async open(): Promise<{ url: string }> {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
      await new Promise((resolve) => wss.once('listening', resolve));
      wss.on('connection', (ws) => {
        ws.on('message', (raw) => {
          const req = JSON.parse(raw.toString()) as { action?: unknown; echo?: unknown };
          if (typeof req.action !== 'string') return;
          ws.send(JSON.stringify({ status: 'ok', retcode: 0, data, message: '', wording: '', echo: req.echo }));
        });
      });
      return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api` };
    },
  },
  onebot: {
    async open(): Promise<{ url: string }> {
      const { createClient, silentLogger } = require('../../src/index') as typeof import('../../src/index');
      const { forwardWs } = require('../../src/server') as typeof import('../../src/server');
      const ws = forwardWs({ port: 0 });
      const client = createClient({ selfId: SELF_ID, transports: [ws], heartbeatInterval: 0, logger: silentLogger });
      client.handle('get_login_info', () => data);
      client.connect();
      while (ws.address === undefined) await new Promise((r) => setTimeout(r, 5));
      return { url: `${ws.address.url}api` };
    },
  },
  caller: {
    /** One socket: `n` sequential calls (latency), then `n * 4` with `inflight` at once (calls/s). */
    async run(a: { url: string; n: number; inflight: number; timeoutMs: number }): Promise<Latency & { perSecond: number }> {
      const ws = new WebSocket(a.url, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const waiting = new Map<number, () => void>();
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString()) as { echo?: number };
        if (typeof m.echo === 'number') waiting.get(m.echo)?.();
      });
      let echo = 0;
      const call = (): Promise<void> =>
        new Promise((resolve) => {
          const id = ++echo;
          waiting.set(id, () => {
            waiting.delete(id);
            resolve();
          });
          ws.send(JSON.stringify({ action: 'get_login_info', params: {}, echo: id }));
        });
      const deadline = Date.now() + a.timeoutMs;
      const samples: number[] = [];
      for (let i = 0; i < a.n; i++) {
        if (Date.now() > deadline) throw new Error(`not done within ${a.timeoutMs} ms`);
        const t = nowMs();
        await call();
        samples.push(nowMs() - t);
      }
      let started = 0;
      const total = a.n * 4;
      const t0 = nowMs();
      const lane = async (): Promise<void> => {
        while (started < total) {
          if (Date.now() > deadline) throw new Error(`not done within ${a.timeoutMs} ms`);
          started++;
          await call();
        }
      };
      await Promise.all(Array.from({ length: a.inflight }, lane));
      const perSecond = total / ((nowMs() - t0) / 1000);
      ws.close();
      return { ...latency(samples), perSecond };
    },
  },
};

export const forwardWsRow: RowSpec = {
  id: 'forward-ws',
  n: 12,
  title: 'forward WebSocket API round trip (forwardWs transport vs raw ws server)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 2000 : 10000;
    return withPeers([startClient(__filename, 'raw', ctx), startClient(__filename, 'onebot', ctx), startClient(__filename, 'caller', ctx)], async ([raw, ob, caller]) => {
      const rawUrl = (await raw!.call<{ url: string }>('open', {}, 10000)).url;
      const obUrl = (await ob!.call<{ url: string }>('open', {}, 10000)).url;
      const run = (peer: Peer, url: string, count: number) => peer.call<Latency & { perSecond: number }>('run', { url, n: count, inflight: 64, timeoutMs: 60000 }, 61000);
      await run(caller!, rawUrl, n >> 2);
      await run(caller!, obUrl, n >> 2);
      const r = { p50: [] as number[], p99: [] as number[], tput: [] as number[] };
      const o = { p50: [] as number[], p99: [] as number[], tput: [] as number[] };
      for (let i = 0; i < ctx.runs; i++) {
        for (const [url, into] of [[rawUrl, r], [obUrl, o]] as const) {
          const x = await run(caller!, url, n);
          into.p50.push(x.p50);
          into.p99.push(x.p99);
          into.tput.push(x.perSecond);
        }
        const f = (x: typeof r) => `p50 ${x.p50.at(-1)!.toFixed(3)} ms p99 ${x.p99.at(-1)!.toFixed(3)} ms ${x.tput.at(-1)!.toFixed(0)}/s`;
        ctx.log(`run ${i + 1}: raw ws ${f(r)}; onebot-rx forwardWs ${f(o)}`);
      }
      return [
        { row: '12 forward WS API p50', unit: 'ms', value: summarize(o.p50), baseline: summarize(r.p50), goal: ratioGoal('<=', 1.2), note: `${n} sequential calls on /api, ${n * 4} with 64 in flight, per run` },
        { row: '12 forward WS API p99', unit: 'ms', value: summarize(o.p99), baseline: summarize(r.p99), goal: ratioGoal('<=', 1.5) },
        { row: '12 forward WS API 64 in flight', unit: 'calls/s', value: summarize(o.tput), baseline: summarize(r.tput), goal: ratioGoal('>=', 0.8) },
      ];
    });
  },
};
