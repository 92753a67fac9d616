import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createConnectEvent } from '../../src/protocol/builders';

/**
 * FINDINGS.md F3: when `ws` cuts a connection for a frame above the hard limit, the server sends
 * close 1009 (the bot sees 1009), but the connection record says `closeCode: 1006`,
 * `closedBy: 'client'` — the record blames the bot for a close the server made.
 */

let server: ReferenceServer;
let ws: WebSocket;
afterEach(async () => {
  ws.terminate();
  await server.close();
});

test('a connection cut for an oversize frame is recorded as closed by the server with 1009', async () => {
  server = await createReferenceServer({ port: 0, maxPayload: 1024 });
  ws = new WebSocket(server.url, { headers: { 'X-Self-ID': '90003' } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(createConnectEvent(90003)));
  await server.waitForBot(90003);
  const seen = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(JSON.stringify({ action: 'get_status', params: { pad: 'x'.repeat(200 * 1024) } }));
  expect(await seen).toBe(1009);
  const rec = await server.waitForDisconnect(90003, 5000);
  expect({ closeCode: rec.closeCode, closedBy: rec.closedBy }).toEqual({ closeCode: 1009, closedBy: 'server' });
});
