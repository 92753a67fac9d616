/**
 * Row 8 — the await loop: how a bot usually sends, one message at a time, awaiting each.
 * onebot-rx runs `await client.sendText(text, 'group', { groupId, userId })` N times with the
 * client's DEFAULT options (only `url`, `selfId` and a silent logger are set: delivery
 * confirmation, outbox, ping and heartbeat are as shipped). The raw `ws` baseline awaits each
 * write callback (`await new Promise((r) => ws.send(json, r))`, the event pre-serialized once).
 * The naive RxJS client is shown for reference: its send returns nothing, so its `await` is a bare
 * microtask and confirms nothing. Timed from the start of the loop until the sink (another process)
 * has received the N-th frame.
 */
import type WebSocket from 'ws';
import { FIXTURE_JSON, FIXTURE_TEXT } from '../lib/fixture';
import { connectVia, deliveredPerSecond, NAIVE_ID, ONEBOT_ID, RAW_ID, startClient, startServer } from '../lib/harness';
import { createNaiveClient, type NaiveClient } from '../lib/naive-rx-client';
import { clientModule, loadCreateClient, pendingReason, silentLogger, type BenchClient } from '../lib/onebot';
import { openRaw } from '../lib/raw-client';
import { withPeers } from '../lib/rpc';
import { nowMs, summarize } from '../lib/stats';
import { ratioGoal, type RowContext, type RowResult, type RowSpec } from '../lib/types';

const GROUP_ID = 123456789;
const USER_ID = 20002000;
/** Longest a single loop may run in a peer (the orchestrator's call deadline is a bit longer). */
const LOOP_DEADLINE_MS = 55000;

let rawWs: WebSocket | undefined;
let naive: NaiveClient | undefined;
let client: BenchClient | undefined;
let failures = 0;
let firstFailure: string | undefined;

/** Runs `step` n times in sequence, awaiting each; gives up past the deadline. */
async function awaitLoop(n: number, step: () => unknown): Promise<void> {
  const t0 = nowMs();
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0 && nowMs() - t0 > LOOP_DEADLINE_MS) throw new Error(`await loop: deadline after ${i} of ${n} sends`);
    await step();
  }
}

export const workers = {
  raw: {
    async open(a: { url: string; selfId: number }) {
      rawWs = await openRaw(a.url, a.selfId);
    },
    loop(a: { n: number }) {
      const ws = rawWs;
      if (!ws) throw new Error('not open');
      return awaitLoop(a.n, () => new Promise<void>((resolve, reject) => ws.send(FIXTURE_JSON, (err) => (err ? reject(err) : resolve()))));
    },
  },
  naive: {
    open(a: { url: string; selfId: number }) {
      naive = createNaiveClient({ url: a.url, selfId: a.selfId, heartbeatInterval: 30000, reconnectInterval: 5000 });
      naive.connect();
    },
    loop(a: { n: number }) {
      const c = naive;
      if (!c) throw new Error('not open');
      return awaitLoop(a.n, () => c.sendText(FIXTURE_TEXT, 'group', { groupId: GROUP_ID, userId: USER_ID }));
    },
  },
  onebot: {
    open(a: { url: string; selfId: number }) {
      const createClient = loadCreateClient();
      if (!createClient) throw new Error('createClient has not landed');
      // Defaults on purpose: this row is about what a user gets without tuning anything.
      client = createClient({ url: a.url, selfId: a.selfId, logger: silentLogger() });
      client.connect();
    },
    async loop(a: { n: number }) {
      const c = client;
      if (!c) throw new Error('not open');
      await awaitLoop(a.n, () =>
        c.sendText(FIXTURE_TEXT, 'group', { groupId: GROUP_ID, userId: USER_ID }).then(undefined, (err: unknown) => {
          failures++;
          firstFailure ??= err instanceof Error ? err.message : String(err);
        }),
      );
      // A rejected send never reaches the sink: say why now instead of letting the sink time out.
      if (failures > 0) throw new Error(`${failures} sends rejected (first: ${firstFailure})`);
    },
    failures: () => ({ failures, firstFailure }),
  },
};

export const awaitRow: RowSpec = {
  id: 'await',
  n: 8,
  title: 'await loop: await each sendText (default options) until the sink has the N-th',
  async run(ctx: RowContext): Promise<RowResult[]> {
    const n = ctx.quick ? 20000 : 100000;
    const hasClient = loadCreateClient() !== undefined;
    const server = await startServer();
    const spawns = [Promise.resolve(server.peer), startClient(__filename, 'raw', ctx), startClient(__filename, 'naive', ctx), ...(hasClient ? [startClient(__filename, 'onebot', ctx)] : [])];
    return withPeers(spawns, async ([, raw, nv, ob]) => {
      if (!raw || !nv) throw new Error('no raw or naive client');
      await connectVia(server, raw, RAW_ID);
      await connectVia(server, nv, NAIVE_ID);
      if (ob) await connectVia(server, ob, ONEBOT_ID);
      const measure = (peer: typeof raw, selfId: number, count: number): Promise<number> => deliveredPerSecond(server.peer, peer, selfId, count, 'loop');
      // Warm-up: JIT, socket buffers.
      await measure(raw, RAW_ID, n >> 2);
      await measure(nv, NAIVE_ID, n >> 2);
      if (ob) await measure(ob, ONEBOT_ID, n >> 2);
      const runs = { raw: [] as number[], naive: [] as number[], onebot: [] as number[] };
      for (let r = 0; r < ctx.runs; r++) {
        runs.raw.push(await measure(raw, RAW_ID, n));
        runs.naive.push(await measure(nv, NAIVE_ID, n));
        if (ob) runs.onebot.push(await measure(ob, ONEBOT_ID, n));
        const k = (xs: number[]): string => `${((xs.at(-1) ?? NaN) / 1000).toFixed(1)}k`;
        ctx.log(`run ${r + 1} (ev/s): raw ${k(runs.raw)}, naive ${k(runs.naive)}${ob ? `, onebot-rx ${k(runs.onebot)}` : ''}`);
      }
      const fail = ob ? await ob.call<{ failures: number; firstFailure?: string }>('failures') : undefined;
      const note = !ob
        ? pendingReason()
        : `${n} awaited sends per run via ${clientModule()}, default options; naive = no confirmation (reference only)` +
          (fail && fail.failures > 0 ? `; ${fail.failures} sends rejected (${fail.firstFailure})` : '');
      return [
        {
          row: '8 await loop sendText()',
          unit: 'ev/s',
          value: ob ? summarize(runs.onebot) : null,
          baseline: summarize(runs.raw),
          naive: summarize(runs.naive),
          goal: ratioGoal('>=', 1.0),
          note,
        },
      ];
    });
  },
};
