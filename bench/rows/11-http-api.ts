/**
 * Row 11 — HTTP API calls/s. A load process POSTs `{}` to `/get_login_info` with 64 requests in
 * flight over keep-alive connections, against two servers in their own processes: onebot-rx's
 * `httpApi()` transport (answered by `client.handle('get_login_info', …)`, through the same
 * answering engine as every transport), and a plain Node `http` server that reads the body, parses
 * it and answers the same JSON. Goal: ≥ 0.8× the plain server.
 */
import { createServer, Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startClient } from '../lib/harness';
import { withPeers, type Peer } from '../lib/rpc';
import { nowMs, summarize } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const SELF_ID = 10001000;
const data = { user_id: SELF_ID, nickname: 'bench' };

export const workers = {
  plain: {
    async open(): Promise<{ port: number }> {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const action = (req.url ?? '/').slice(1).split('?')[0];
          const params = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : {};
          const body = action === 'get_login_info' && params !== null ? JSON.stringify({ status: 'ok', retcode: 0, data, message: '', wording: '' }) : '{}';
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { port: (server.address() as AddressInfo).port };
    },
  },
  onebot: {
    async open(): Promise<{ port: number }> {
      // Loaded here, in the worker process only.
      const { createClient, silentLogger } = require('../../src/index') as typeof import('../../src/index');
      const { httpApi } = require('../../src/server') as typeof import('../../src/server');
      const api = httpApi({ port: 0 });
      const client = createClient({ selfId: SELF_ID, transports: [api], heartbeatInterval: 0, logger: silentLogger });
      client.handle('get_login_info', () => data);
      client.connect();
      while (api.address === undefined) await new Promise((r) => setTimeout(r, 5));
      return { port: api.address.port };
    },
  },
  load: {
    /** `n` POSTs with `inflight` at once; calls per second. */
    async run(a: { port: number; n: number; inflight: number; timeoutMs: number }): Promise<{ perSecond: number }> {
      const agent = new Agent({ keepAlive: true, maxSockets: a.inflight });
      const body = '{}';
      const one = (): Promise<void> =>
        new Promise((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: a.port, path: '/get_login_info', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
              res.on('end', () => (res.statusCode === 200 && text.includes('"retcode":0') ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const deadline = Date.now() + a.timeoutMs;
      let started = 0;
      const t0 = nowMs();
      const lane = async (): Promise<void> => {
        while (started < a.n) {
          if (Date.now() > deadline) throw new Error(`not done within ${a.timeoutMs} ms`);
          started++;
          await one();
        }
      };
      await Promise.all(Array.from({ length: a.inflight }, lane));
      const seconds = (nowMs() - t0) / 1000;
      agent.destroy();
      return { perSecond: a.n / seconds };
    },
  },
};

export const httpApiRow: RowSpec = {
  id: 'http-api',
  n: 11,
  title: 'HTTP API calls/s (httpApi transport vs a plain Node http server)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 5000 : 20000;
    const inflight = 64;
    return withPeers([startClient(__filename, 'plain', ctx), startClient(__filename, 'onebot', ctx), startClient(__filename, 'load', ctx)], async ([plain, ob, load]) => {
      const plainPort = (await plain!.call<{ port: number }>('open', {}, 10000)).port;
      const obPort = (await ob!.call<{ port: number }>('open', {}, 10000)).port;
      const run = (peer: Peer, port: number, count: number) => peer.call<{ perSecond: number }>('run', { port, n: count, inflight, timeoutMs: 60000 }, 61000);
      // Warm-up of both.
      await run(load!, plainPort, n >> 2);
      await run(load!, obPort, n >> 2);
      const raw: number[] = [];
      const rx: number[] = [];
      for (let r = 0; r < ctx.runs; r++) {
        raw.push((await run(load!, plainPort, n)).perSecond);
        rx.push((await run(load!, obPort, n)).perSecond);
        ctx.log(`run ${r + 1}: plain http ${raw.at(-1)!.toFixed(0)}/s; onebot-rx httpApi ${rx.at(-1)!.toFixed(0)}/s`);
      }
      return [
        {
          row: '11 HTTP API 64 in flight',
          unit: 'calls/s',
          value: summarize(rx),
          baseline: summarize(raw),
          goal: ratioGoal('>=', 0.8),
          note: `${n} keep-alive POSTs per run; baseline: plain Node http server answering the same JSON`,
        },
      ];
    });
  },
};
