/**
 * Row 2 — inbound events/s: a source (another process) pushes pre-framed group message events; the
 * client counts them on `events$` (full io-ts decoding, and with `validate: false`), against a raw
 * `ws` receiver doing `JSON.parse` + the same `OneBotEvent` codec, and `JSON.parse` alone. The naive
 * RxJS client (which parses and does not validate) is shown beside `validate: false`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type WebSocket from 'ws';
import { connectVia, NAIVE_ID, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { createNaiveClient, type NaiveClient } from '../lib/naive-rx-client';
import { clientOptions, loadCreateClient, loadEventCodec, ROOT, type BenchClient, pendingReason } from '../lib/onebot';
import { openRaw } from '../lib/raw-client';
import { withPeers, type Peer } from '../lib/rpc';
import { nowMs, summarize } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const counts = new Map<number, number>();
const waiters: Array<{ selfId: number; target: number; resolve: () => void }> = [];
const sockets: WebSocket[] = [];
const clients: BenchClient[] = [];
const naiveClients: NaiveClient[] = [];
let invalid = 0;

function bump(selfId: number): void {
  const c = (counts.get(selfId) ?? 0) + 1;
  counts.set(selfId, c);
  if (waiters.length === 0) return;
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (w && w.selfId === selfId && c >= w.target) {
      waiters.splice(i, 1);
      w.resolve();
    }
  }
}

const common = {
  count: (a: { selfId: number }) => counts.get(a.selfId) ?? 0,
  until(a: { selfId: number; target: number; timeoutMs: number }) {
    return new Promise<void>((resolve, reject) => {
      if ((counts.get(a.selfId) ?? 0) >= a.target) return resolve();
      const timer = setTimeout(() => reject(new Error(`until ${a.target}: got ${counts.get(a.selfId) ?? 0}`)), a.timeoutMs);
      waiters.push({ selfId: a.selfId, target: a.target, resolve: () => (clearTimeout(timer), resolve()) });
    });
  },
  invalid: () => invalid,
};

export const workers = {
  raw: {
    ...common,
    async open(a: { url: string; selfId: number; decode: boolean }) {
      const codec = a.decode ? loadEventCodec() : undefined;
      if (a.decode && !codec) throw new Error('OneBotEvent codec has not landed');
      const ws = await openRaw(a.url, a.selfId);
      sockets.push(ws);
      const selfId = a.selfId;
      if (codec)
        ws.on('message', (data) => {
          if (codec.decode(JSON.parse(data.toString()))._tag === 'Right') bump(selfId);
          else invalid++;
        });
      else
        ws.on('message', (data) => {
          if (JSON.parse(data.toString()) !== null) bump(selfId);
        });
    },
  },
  naive: {
    ...common,
    open(a: { url: string; selfId: number }) {
      const client = createNaiveClient({ url: a.url, selfId: a.selfId, heartbeatInterval: 0, reconnectInterval: 1000 });
      naiveClients.push(client);
      const selfId = a.selfId;
      client.events$.subscribe(() => bump(selfId));
      client.connect();
    },
  },
  onebot: {
    ...common,
    open(a: { url: string; selfId: number; validate: boolean }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      const client = createClient(clientOptions(a.url, a.selfId, a.validate ? {} : { validate: false }));
      clients.push(client);
      const selfId = a.selfId;
      client.events$.subscribe(() => bump(selfId));
      client.connect();
    },
  },
};

async function measure(server: Peer, client: Peer, selfId: number, n: number): Promise<number> {
  const timeoutMs = 60000;
  const before = await client.call<number>('count', { selfId });
  const done = client.call('until', { selfId, target: before + n, timeoutMs }, timeoutMs + 1000);
  const t0 = nowMs();
  await server.call('blast', { selfId, n, timeoutMs }, timeoutMs + 1000);
  await done;
  return (n / (nowMs() - t0)) * 1000;
}

/** Whether the client offers a validation switch at all (else the second pair is pending). */
function validateOptionOffered(): boolean {
  const dir = path.join(ROOT, 'src', 'client');
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir).some((f) => f.endsWith('.ts') && /\bvalidate\??\s*:/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
}

export const inbound: RowSpec = {
  id: 'inbound',
  n: 2,
  title: 'inbound events/s (source → client events$)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 50000 : 200000;
    const hasCodec = loadEventCodec() !== undefined;
    const hasClient = loadCreateClient() !== undefined;
    const offersValidate = hasClient && validateOptionOffered();
    const server = await startServer();
    const RAW_DECODE = RAW_ID;
    const RAW_PARSE = RAW_ID + 1;
    const OB_VALID = ONEBOT_ID;
    const OB_NOVALID = ONEBOT_ID + 1;
    const spawns = [Promise.resolve(server.peer), startClient(__filename, 'raw', ctx), startClient(__filename, 'naive', ctx), ...(hasClient ? [startClient(__filename, 'onebot', ctx)] : [])];
    return withPeers(spawns, async ([, raw, nv, ob]) => {
      if (!raw || !nv) throw new Error('no raw or naive client');
      const pairs: Array<{ label: string; peer: Peer; selfId: number; runs: number[] }> = [];
      if (hasCodec) {
        await connectVia(server, raw, RAW_DECODE, { decode: true });
        pairs.push({ label: 'raw parse+decode', peer: raw, selfId: RAW_DECODE, runs: [] });
      }
      await connectVia(server, raw, RAW_PARSE, { decode: false });
      pairs.push({ label: 'raw parse', peer: raw, selfId: RAW_PARSE, runs: [] });
      await connectVia(server, nv, NAIVE_ID);
      pairs.push({ label: 'naive events$', peer: nv, selfId: NAIVE_ID, runs: [] });
      if (ob) {
        await connectVia(server, ob, OB_VALID, { validate: true });
        pairs.push({ label: 'events$ validated', peer: ob, selfId: OB_VALID, runs: [] });
        if (offersValidate) {
          await connectVia(server, ob, OB_NOVALID, { validate: false });
          pairs.push({ label: 'events$ validate:false', peer: ob, selfId: OB_NOVALID, runs: [] });
        }
      }
      for (const p of pairs) await measure(server.peer, p.peer, p.selfId, n >> 2);
      for (let r = 0; r < ctx.runs; r++) {
        for (const p of pairs) p.runs.push(await measure(server.peer, p.peer, p.selfId, n));
        ctx.log(`run ${r + 1}: ${pairs.map((p) => `${p.label} ${p.runs.at(-1)?.toFixed(0)}/s`).join(', ')}`);
      }
      const get = (label: string) => {
        const p = pairs.find((x) => x.label === label);
        return p ? summarize(p.runs) : null;
      };
      const invalid = await raw.call<number>('invalid');
      const unit = 'ev/s';
      return [
        {
          row: '2 inbound events$ (io-ts)',
          unit,
          value: get('events$ validated'),
          baseline: get('raw parse+decode'),
          goal: ratioGoal('>=', 0.8),
          note: !hasCodec ? 'pending: OneBotEvent codec has not landed' : !hasClient ? pendingReason() : invalid > 0 ? `raw decode rejected ${invalid} fixture events` : `${n} events per run; baseline = JSON.parse + OneBotEvent.decode`,
        },
        {
          row: '2 inbound events$ (validate:false)',
          unit,
          value: get('events$ validate:false'),
          baseline: get('raw parse'),
          naive: get('naive events$'),
          goal: ratioGoal('>=', 0.8),
          ...(!offersValidate ? { note: hasClient ? 'pending: the client offers no `validate` option' : pendingReason() } : {}),
        },
      ];
    });
  },
};
