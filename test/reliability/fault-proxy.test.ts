import WebSocket from 'ws';
import { createConnectEvent } from '../../src/protocol/builders';
import { createFaultProxy, type FaultProxy } from './lib/fault-proxy';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import type { ChildReport } from './lib/server-child';

/**
 * The fault proxy and the server process work on their own (no client involved): each fault is
 * seen by a raw `ws` peer the way the faults test relies on.
 */

let server: ServerProcess;
let proxy: FaultProxy;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  server = await startServerProcess({ handshakeTimeout: 2000 });
  proxy = await createFaultProxy({ targetPort: server.port });
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await proxy.close();
  await server.stop();
});

const dial = (selfId: number, timeoutMs = 3000): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(proxy.url('/ws/'), { headers: { 'X-Self-ID': String(selfId) }, handshakeTimeout: timeoutMs });
    sockets.push(ws);
    ws.once('open', () => {
      ws.send(JSON.stringify(createConnectEvent(selfId)));
      resolve(ws);
    });
    ws.once('error', reject);
  });

const closed = (ws: WebSocket, timeoutMs: number): Promise<{ code: number } | 'timeout'> =>
  new Promise((resolve) => {
    const t = setTimeout(() => resolve('timeout'), timeoutMs);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve({ code });
    });
  });

const nextReport = (pred: (r: ChildReport) => boolean, timeoutMs = 5000): Promise<ChildReport> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error('no matching report'));
    }, timeoutMs);
    const off = server.onReport((r) => {
      if (pred(r)) {
        clearTimeout(t);
        off();
        resolve(r);
      }
    });
  });

test('pass-through: a peer handshakes through the proxy', async () => {
  const connected = nextReport((r) => r.type === 'connect' && r.selfId === 501);
  const ws = await dial(501);
  await connected;
  ws.close();
  await closed(ws, 2000);
});

test('clean close: the server kicks with a close frame (1000)', async () => {
  const connected = nextReport((r) => r.type === 'connect' && r.selfId === 502);
  const ws = await dial(502);
  await connected;
  const c = closed(ws, 3000);
  expect(await server.kick(502)).toBe(true);
  expect(await c).toEqual({ code: 1000 });
});

test('server restart: the process is killed (1006 at the peer) and serves again on the same port', async () => {
  const connected = nextReport((r) => r.type === 'connect' && r.selfId === 503);
  const ws = await dial(503);
  await connected;
  const port = server.port;
  const c = closed(ws, 5000);
  await server.restart();
  expect(await c).toEqual({ code: 1006 });
  expect(server.port).toBe(port);
  const again = nextReport((r) => r.type === 'connect' && r.selfId === 503);
  const ws2 = await dial(503);
  await again;
  ws2.close();
});

test('TCP reset mid-frame: the peer sees 1006 and the server gets a partial frame then RST', async () => {
  const connected = nextReport((r) => r.type === 'connect' && r.selfId === 504);
  const ws = await dial(504);
  await connected;
  const c = closed(ws, 3000);
  const reset = proxy.resetMidFrame({ direction: 'toServer', maxWaitMs: 1000 });
  ws.send(JSON.stringify({ big: 'x'.repeat(10_000) }));
  expect(await reset).toBeGreaterThanOrEqual(1);
  expect(await c).toEqual({ code: 1006 });
});

test('blackhole: TCP is accepted, the upgrade is never answered', async () => {
  proxy.mode = 'blackhole';
  try {
    const started = Date.now();
    await expect(dial(505, 500)).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  } finally {
    proxy.mode = 'pass';
  }
});

test('half-open: nothing passes either way, nothing closes; pings go unanswered', async () => {
  const connected = nextReport((r) => r.type === 'connect' && r.selfId === 506);
  const ws = await dial(506);
  await connected;
  expect(proxy.halfOpen({ releaseUpstreamAfterMs: 300 })).toBeGreaterThanOrEqual(1);
  let pong = false;
  ws.on('pong', () => {
    pong = true;
  });
  ws.ping();
  expect(await closed(ws, 600)).toBe('timeout');
  expect(pong).toBe(false);
  ws.terminate();
});
