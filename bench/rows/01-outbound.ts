/**
 * Row 1 — outbound events/s, a burst: the client pushing built group message events (`send`) and
 * `sendText`, against raw `ws.send` of the same event pre-serialized, and against the naive RxJS
 * client doing the same (`lib/naive-rx-client.ts`). Measured end to end: from the order to send N
 * events until the sink (another process) has received the N-th frame. The promises are not
 * awaited here; row 8 awaits each send.
 */
import type WebSocket from 'ws';
import { FIXTURE_JSON, FIXTURE_TEXT, groupMessageEvent } from '../lib/fixture';
import { connectVia, deliveredPerSecond, NAIVE_ID, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { createNaiveClient, type NaiveClient } from '../lib/naive-rx-client';
import { clientModule, clientOptions, loadCreateClient, type BenchClient, pendingReason } from '../lib/onebot';
import { openRaw } from '../lib/raw-client';
import { withPeers, type Peer } from '../lib/rpc';
import { summarize } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const GROUP_ID = 123456789;

let rawWs: WebSocket | undefined;
let client: BenchClient | undefined;
let naive: NaiveClient | undefined;
let failures = 0;
let firstFailure: string | undefined;
const EVENTS = Array.from({ length: 256 }, (_, i) => groupMessageEvent(1000 + i));

export const workers = {
  raw: {
    async open(a: { url: string; selfId: number }) {
      rawWs = await openRaw(a.url, a.selfId);
    },
    blast(a: { n: number }) {
      const ws = rawWs;
      if (!ws) throw new Error('not open');
      for (let i = 0; i < a.n; i++) ws.send(FIXTURE_JSON);
    },
  },
  naive: {
    open(a: { url: string; selfId: number }) {
      naive = createNaiveClient({ url: a.url, selfId: a.selfId, heartbeatInterval: 0, reconnectInterval: 1000 });
      naive.connect();
    },
    blast(a: { n: number; mode: 'send' | 'sendText' }) {
      const c = naive;
      if (!c) throw new Error('not open');
      if (a.mode === 'send') for (let i = 0; i < a.n; i++) c.send(EVENTS[i & 255] as object);
      else for (let i = 0; i < a.n; i++) c.sendText(FIXTURE_TEXT, 'group', { groupId: GROUP_ID });
    },
  },
  onebot: {
    open(a: { url: string; selfId: number; n: number }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      // A burst of n sends outruns highWaterMark and then waits in the outbox: size it for the burst,
      // in count and bytes (the raw baseline's buffer is unbounded too; the full run's 200,000 events
      // are 75 MB, over the default outboxBytes).
      client = createClient(clientOptions(a.url, a.selfId, { outboxLimit: a.n, outboxBytes: a.n * 1024 }));
      client.connect();
    },
    blast(a: { n: number; mode: 'send' | 'sendText' }) {
      const c = client;
      if (!c) throw new Error('not open');
      const onError = (err: unknown): void => {
        failures++;
        firstFailure ??= err instanceof Error ? err.message : String(err);
      };
      if (a.mode === 'send') for (let i = 0; i < a.n; i++) c.send(EVENTS[i & 255]).then(undefined, onError);
      else for (let i = 0; i < a.n; i++) c.sendText(FIXTURE_TEXT, 'group', { groupId: GROUP_ID }).then(undefined, onError);
    },
    failures: () => ({ failures, firstFailure }),
  },
};

const measure = (server: Peer, client: Peer, selfId: number, n: number, mode?: string): Promise<number> => deliveredPerSecond(server, client, selfId, n, 'blast', { mode });

export const outbound: RowSpec = {
  id: 'outbound',
  n: 1,
  title: 'outbound events/s (client → sink)',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 50000 : 200000;
    const hasClient = loadCreateClient() !== undefined;
    const server = await startServer();
    const spawns = [Promise.resolve(server.peer), startClient(__filename, 'raw', ctx), startClient(__filename, 'naive', ctx), ...(hasClient ? [startClient(__filename, 'onebot', ctx)] : [])];
    return withPeers(spawns, async ([, raw, nv, ob]) => {
      if (!raw || !nv) throw new Error('no raw or naive client');
      await connectVia(server, raw, RAW_ID);
      await connectVia(server, nv, NAIVE_ID);
      if (ob) await connectVia(server, ob, ONEBOT_ID, { n: 4 * n });
      // Warm-up: JIT, socket buffers.
      await measure(server.peer, raw, RAW_ID, n >> 2);
      for (const mode of ['send', 'sendText']) {
        await measure(server.peer, nv, NAIVE_ID, n >> 2, mode);
        if (ob) await measure(server.peer, ob, ONEBOT_ID, n >> 2, mode);
      }
      const rawRuns: number[] = [];
      const runs = { naive: { send: [] as number[], sendText: [] as number[] }, onebot: { send: [] as number[], sendText: [] as number[] } };
      for (let r = 0; r < ctx.runs; r++) {
        rawRuns.push(await measure(server.peer, raw, RAW_ID, n));
        for (const mode of ['send', 'sendText'] as const) {
          runs.naive[mode].push(await measure(server.peer, nv, NAIVE_ID, n, mode));
          if (ob) runs.onebot[mode].push(await measure(server.peer, ob, ONEBOT_ID, n, mode));
        }
        const k = (x: number | undefined): string => `${((x ?? NaN) / 1000).toFixed(0)}k`;
        ctx.log(
          `run ${r + 1} (ev/s): raw ${k(rawRuns.at(-1))}; naive send ${k(runs.naive.send.at(-1))}, sendText ${k(runs.naive.sendText.at(-1))}` +
            (ob ? `; onebot-rx send ${k(runs.onebot.send.at(-1))}, sendText ${k(runs.onebot.sendText.at(-1))}` : ''),
        );
      }
      const sendRuns = runs.onebot.send;
      const textRuns = runs.onebot.sendText;
      const fail = ob ? await ob.call<{ failures: number; firstFailure?: string }>('failures') : undefined;
      const note = !ob
        ? pendingReason()
        : fail && fail.failures > 0
          ? `${fail.failures} sends rejected (${fail.firstFailure})`
          : undefined;
      const unit = 'ev/s';
      const baseline = summarize(rawRuns);
      const pendingNote = ob ? `${n} events of ${FIXTURE_JSON.length} B per run via ${clientModule()}` : note;
      return [
        { row: '1 outbound send()', unit, value: ob ? summarize(sendRuns) : null, baseline, naive: summarize(runs.naive.send), goal: ratioGoal('>=', 1.0), note: note ?? pendingNote },
        { row: '1 outbound sendText()', unit, value: ob ? summarize(textRuns) : null, baseline, naive: summarize(runs.naive.sendText), goal: ratioGoal('>=', 1.0), ...(note ? { note } : {}) },
      ];
    });
  },
};
