import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { figure, heapAfterGc, mib } from './lib/figures';
import { sizes } from './lib/mode';

/**
 * `sizes.soakBots` bots against the reference server (in its own process, so each side has a core)
 * for `sizes.soakSeconds`, with short-interval heartbeats and each bot sending a numbered private
 * message to the next bot every second. Zero lost messages (every resolved send recorded by the
 * server and delivered to its target bot, no duplicates), and a flat heap after GC.
 */

const BASE = 80_000;
const HEARTBEAT = 1000;
const MESSAGE_PERIOD = 1000;
/** Heap growth allowed between the warm start and the end, after GC. */
const HEAP_BOUND = 24 * 1024 * 1024;

let server: ServerProcess;
const clients: OneBotClient[] = [];
const timers: NodeJS.Timeout[] = [];

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await Promise.all(clients.map((c) => c.disconnect()));
  await server?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test(`soak: ${sizes.soakBots} bots for ${sizes.soakSeconds} s, heartbeats and traffic: zero lost, flat heap`, async () => {
  const n = sizes.soakBots;
  server = await startServerProcess({ handshakeTimeout: 10_000 });
  const connected = new Set<number>();
  const atServer = new Map<string, number>();
  server.onReport((r) => {
    if (r.type === 'connect') connected.add(r.selfId);
    else if (r.type === 'message') atServer.set(`${r.selfId}:${r.text}`, (atServer.get(`${r.selfId}:${r.text}`) ?? 0) + 1);
  });

  const delivered = new Map<string, number>();
  const resolved = new Set<string>();
  const rejected: string[] = [];
  let reconnects = 0;
  let heartbeatsSent = 0;
  for (let i = 0; i < n; i++) {
    const selfId = BASE + i;
    const c = createClient({ url: server.url(), selfId, logger: silentLogger, heartbeatInterval: HEARTBEAT, reconnectInterval: 500, pingInterval: 5000, pongTimeout: 5000 });
    clients.push(c);
    c.messages$.subscribe((m) => {
      const k = `${m.user_id}:${m.raw_message}`;
      delivered.set(`${selfId}<${k}`, (delivered.get(`${selfId}<${k}`) ?? 0) + 1);
    });
    let wasOpen = false;
    c.state$.subscribe((s) => {
      if (s.status === 'reconnecting' && wasOpen) reconnects++;
      if (s.status === 'open') wasOpen = true;
    });
    c.connect();
    // Dial in small batches: a thousand simultaneous upgrades is a thundering herd, not a soak.
    if (i % 50 === 49) await sleep(50);
  }
  const connectBy = Date.now() + 60_000;
  while (connected.size < n && Date.now() < connectBy) await sleep(100);
  expect(connected.size).toBe(n);

  // Traffic: bot i → bot i+1, numbered per sender; spread over the period so it is a stream, not a burst.
  let seq = 0;
  const sendRound = (): void => {
    seq++;
    const round = seq;
    clients.forEach((c, i) => {
      const target = BASE + ((i + 1) % n);
      const text = `r=${round}`;
      const key = `${c.selfId}:${text}`;
      setTimeout(() => {
        c.sendText(text, 'private', { targetId: target }).then(
          () => resolved.add(key),
          (e: unknown) => rejected.push(`${key} ${String(e)}`),
        );
      }, (i * MESSAGE_PERIOD) / n);
    });
  };
  const warmup = Math.min(10, Math.max(3, Math.floor(sizes.soakSeconds / 6)));
  const rounds = Math.max(1, sizes.soakSeconds - warmup);
  // Warm-up rounds (caches, JIT, buffers) before the start heap is taken.
  for (let r = 0; r < warmup; r++) {
    sendRound();
    await sleep(MESSAGE_PERIOD);
  }
  await sleep(MESSAGE_PERIOD);
  const heapStart = await heapAfterGc();
  const started = Date.now();
  for (let r = 0; r < rounds; r++) {
    sendRound();
    await sleep(MESSAGE_PERIOD);
  }
  await sleep(MESSAGE_PERIOD + 500);
  const elapsed = (Date.now() - started) / 1000;
  const heapEnd = await heapAfterGc();
  heartbeatsSent = Math.round((n * (warmup + rounds + 2) * MESSAGE_PERIOD) / HEARTBEAT);

  // Let the last deliveries land (bounded).
  const total = n * (warmup + rounds);
  const settleBy = Date.now() + 10_000;
  while ((atServer.size < resolved.size || delivered.size < resolved.size) && Date.now() < settleBy) await sleep(100);

  const lostAtServer = [...resolved].filter((k) => !atServer.has(k));
  const duplicatesAtServer = [...atServer].filter(([, c]) => c > 1).length;
  const lostDelivery = [...resolved].filter((k) => {
    const [from, text] = k.split(':') as [string, string];
    const i = Number(from) - BASE;
    const target = BASE + ((i + 1) % n);
    return !delivered.has(`${target}<${from}:${text}`);
  });
  const duplicatesDelivered = [...delivered].filter(([, c]) => c > 1).length;

  figure('soak', 'bots / duration measured', `${n} / ${elapsed.toFixed(0)} s (+${warmup} s warm-up)`);
  figure('soak', 'messages sent / resolved / rejected', `${total} / ${resolved.size} / ${rejected.length}`);
  figure('soak', 'lost at server / lost in delivery / duplicates', `${lostAtServer.length} / ${lostDelivery.length} / ${duplicatesAtServer + duplicatesDelivered}`);
  figure('soak', 'heartbeats (approx. sent, 1 s interval)', heartbeatsSent);
  figure('soak', 'reconnects', reconnects);
  figure('soak', 'heap after GC start → end (client side, all bots)', `${mib(heapStart)} → ${mib(heapEnd)} (bound +${mib(HEAP_BOUND)})`);

  expect(rejected).toEqual([]);
  expect(resolved.size).toBe(total);
  expect(lostAtServer).toEqual([]);
  expect(lostDelivery).toEqual([]);
  expect(duplicatesAtServer + duplicatesDelivered).toBe(0);
  expect(reconnects).toBe(0);
  expect(heapEnd - heapStart).toBeLessThan(HEAP_BOUND);
});
