import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server';
import { createConnectEvent } from '../../src/protocol/builders';
import { createFaultProxy, type FaultProxy } from '../reliability/lib/fault-proxy';

/**
 * FINDINGS.md F2: the reference server never checks that a bot is still there. After a half-open
 * link (the bot's side is gone, the server's TCP socket is not), the old session keeps the
 * `self_id` registered and every reconnect of that bot is refused with HTTP 409 until the kernel
 * gives up on the socket (hours with default keepalive). Real servers ping (NoneBot2 via websockets:
 * every 20 s). Proposed options: `pingInterval` / `pongTimeout`, as the client has.
 */

let server: ReferenceServer;
let proxy: FaultProxy;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets) s.terminate();
  await proxy.close();
  await server.close();
});

const dial = (url: string, selfId: number): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { 'X-Self-ID': String(selfId) } });
    sockets.push(ws);
    ws.once('open', () => {
      ws.send(JSON.stringify(createConnectEvent(selfId)));
      resolve(ws);
    });
    ws.once('error', reject);
  });

test('a half-open bot is dropped by the server within its liveness window, so the bot can come back', async () => {
  const options: ReferenceServerOptions & { pingInterval: number; pongTimeout: number } = { port: 0, pingInterval: 200, pongTimeout: 200 };
  server = await createReferenceServer(options);
  proxy = await createFaultProxy({ targetPort: server.port });
  const old = await dial(proxy.url('/ws/'), 90002);
  await server.waitForBot(90002);
  proxy.halfOpen(); // the server's socket stays open forever unless the server itself notices
  old.terminate();
  await server.waitForDisconnect(90002, 3000);
  await dial(server.url, 90002);
  await server.waitForBot(90002);
});
