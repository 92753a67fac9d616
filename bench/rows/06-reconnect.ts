/**
 * Row 6 — reconnect: the server process is SIGKILLed and a standby server process takes over the
 * same port at once. Measured: time from the kill until the connect event arrives at the new
 * server (goal ≤ reconnectInterval + 50 ms), and whether every send queued while disconnected
 * arrives after it, once and in order. Baseline: a raw `ws` client with a fixed-interval redial and
 * an array as outbox.
 */
import WebSocket from 'ws';
import { connectEvent, groupMessageEvent } from '../lib/fixture';
import { connectVia, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { clientOptions, loadCreateClient, type BenchClient, pendingReason } from '../lib/onebot';
import { rawHeaders } from '../lib/raw-client';
import { sleep, spawnPeer, withPeers, type Peer } from '../lib/rpc';
import { nowMs, summarize } from '../lib/stats';
import { absGoal, SINK_SERVER, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const RECONNECT_MS = 300;
const GROUP_ID = 123456789;

let client: BenchClient | undefined;
let resolved = 0;
let rejected = 0;
let firstError: string | undefined;
let clientState = 'unknown';

/** Name of a `state$` value, whatever shape the client gives it. */
function stateName(s: unknown): string {
  if (typeof s === 'string') return s;
  if (s && typeof s === 'object') {
    const o = s as Record<string, unknown>;
    for (const k of ['state', 'status', 'kind', 'type', 'name']) if (typeof o[k] === 'string') return o[k] as string;
  }
  return 'unknown';
}

// Raw baseline: redial every RECONNECT_MS, queue while closed, flush after the connect event.
let rawOpen = false;
let rawQueue: string[] = [];

async function waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const t0 = nowMs();
  while (!pred()) {
    if (nowMs() - t0 > timeoutMs) return false;
    await sleep(1);
  }
  return true;
}

export const workers = {
  raw: {
    open(a: { url: string; selfId: number }) {
      const dial = (): void => {
        const ws = new WebSocket(a.url, { headers: rawHeaders(a.selfId), perMessageDeflate: false });
        ws.on('open', () => {
          rawOpen = true;
          ws.send(connectEvent(a.selfId));
          for (const q of rawQueue) ws.send(q);
          rawQueue = [];
        });
        ws.on('close', () => {
          rawOpen = false;
          setTimeout(dial, RECONNECT_MS);
        });
        ws.on('error', () => undefined);
      };
      dial();
    },
    async queueAfterDrop(a: { n: number; prefix: string }) {
      const dropped = await waitUntil(() => !rawOpen, 2000);
      for (let i = 0; i < a.n; i++) rawQueue.push(JSON.stringify(groupMessageEvent(i, `${a.prefix}${i}`)));
      return { dropped };
    },
    sendResults: () => ({ resolved: 0, rejected: 0 }),
  },
  onebot: {
    open(a: { url: string; selfId: number }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      client = createClient(clientOptions(a.url, a.selfId, { reconnectInterval: RECONNECT_MS }));
      client.state$?.subscribe((s) => (clientState = stateName(s)));
      client.connect();
    },
    async queueAfterDrop(a: { n: number; prefix: string }) {
      const c = client;
      if (!c) throw new Error('not open');
      // Queue once the client has seen the drop (else the first sends race the dying socket).
      const dropped = c.state$ ? await waitUntil(() => clientState !== 'open', 2000) : (await sleep(50), true);
      for (let i = 0; i < a.n; i++)
        c.sendText(`${a.prefix}${i}`, 'group', { groupId: GROUP_ID }).then(
          () => resolved++,
          (err: unknown) => {
            rejected++;
            firstError ??= err instanceof Error ? err.message : String(err);
          },
        );
      return { dropped, state: clientState };
    },
    sendResults: () => ({ resolved, rejected, firstError }),
  },
};

function textOf(frame: string): string | undefined {
  try {
    const v = JSON.parse(frame) as { post_type?: string; message?: unknown; raw_message?: unknown };
    if (v.post_type !== 'message') return undefined;
    if (typeof v.message === 'string') return v.message;
    return typeof v.raw_message === 'string' ? v.raw_message : undefined;
  } catch {
    return undefined;
  }
}

async function oneRun(variant: 'raw' | 'onebot', selfId: number, m: number, run: number, ctx: RowContext): Promise<{ ms: number; delivered: number; note?: string }> {
  const a = await startServer('server A');
  return withPeers([Promise.resolve(a.peer), spawnPeer(SINK_SERVER, { label: 'server B' }), startClient(__filename, variant, ctx)], async ([, bPeer, c]) => {
    const b = bPeer as Peer;
    const client = c as Peer;
    await connectVia(a, client, selfId);
    await b.call('record', { selfId, on: true });
    await sleep(50);
    const t0 = nowMs();
    await a.peer.kill({ now: true });
    await b.call('listen', { port: a.port });
    const prefix = `r${run}-`;
    const q = await client.call<{ dropped: boolean; state?: string }>('queueAfterDrop', { n: m, prefix }, 5000);
    await b.call('until', { selfId, field: 'connects', target: 1, timeoutMs: 10000 }, 11000);
    const ms = nowMs() - t0;
    let note: string | undefined = q.dropped ? undefined : `client never left 'open' after the kill (state ${q.state})`;
    try {
      await b.call('until', { selfId, field: 'frames', target: 1 + m, timeoutMs: 5000 }, 6000);
    } catch {
      note = 'not all queued sends arrived within 5 s';
    }
    await sleep(100); // catch duplicates arriving late
    const texts = (await b.call<string[]>('recorded', { selfId })).map(textOf).filter((t): t is string => t?.startsWith(prefix) ?? false);
    const expected = Array.from({ length: m }, (_, i) => `${prefix}${i}`);
    const inOrderOnce = texts.length === m && texts.every((t, i) => t === expected[i]);
    if (!inOrderOnce) note = `${texts.length}/${m} queued sends arrived${texts.length === m ? ' but out of order' : ''}`;
    const results = await client.call<{ resolved: number; rejected: number; firstError?: string }>('sendResults');
    if (results.rejected > 0) note = `${results.rejected} queued sends rejected (${results.firstError})`;
    return { ms, delivered: inOrderOnce ? 100 : (100 * new Set(texts).size) / m, ...(note ? { note } : {}) };
  });
}

export const reconnect: RowSpec = {
  id: 'reconnect',
  n: 6,
  title: `reconnect after a server kill (reconnectInterval ${RECONNECT_MS} ms)`,
  async run(ctx: RowContext): Promise<RowResult[]> {
    const m = ctx.quick ? 200 : 1000;
    const hasClient = loadCreateClient() !== undefined;
    const raw: number[] = [];
    const ob: number[] = [];
    const delivered: number[] = [];
    const notes = new Set<string>();
    for (let r = 0; r < ctx.runs; r++) {
      const x = await oneRun('raw', RAW_ID, m, r, ctx);
      raw.push(x.ms);
      let line = `run ${r + 1}: raw ${x.ms.toFixed(1)} ms`;
      if (hasClient) {
        const y = await oneRun('onebot', ONEBOT_ID, m, r, ctx);
        ob.push(y.ms);
        delivered.push(y.delivered);
        if (y.note) notes.add(y.note);
        line += `; onebot-rx ${y.ms.toFixed(1)} ms, ${y.delivered.toFixed(1)}% delivered${y.note ? ` (${y.note})` : ''}`;
      }
      ctx.log(line);
    }
    const pending = pendingReason();
    const deliveredSummary = summarize(delivered);
    return [
      { row: '6 reconnect: kill → connect', unit: 'ms', value: hasClient ? summarize(ob) : null, baseline: summarize(raw), goal: absGoal('<=', RECONNECT_MS + 50, 'ms'), note: hasClient ? `standby server takes the port right after SIGKILL; ${m} sendText queued while down` : pending },
      {
        row: '6 reconnect: queued sends delivered',
        unit: '%',
        // The worst run counts: one lost or reordered send is a failure.
        value: hasClient ? { ...deliveredSummary, median: deliveredSummary.min } : null,
        baseline: null,
        goal: absGoal('>=', 100, '% in order, once'),
        ...(notes.size ? { note: [...notes].join('; ') } : hasClient ? { note: 'value is the worst run' } : {}),
      },
    ];
  },
};
