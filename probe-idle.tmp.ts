import { WebSocketServer } from 'ws';
import { createClient, silentLogger } from './src/index';
const N = Number(process.env.N ?? 300);
const gc = (globalThis as { gc?: () => void }).gc!;
const heap = () => { gc(); gc(); gc(); return process.memoryUsage().heapUsed; };
(async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.on('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  let opened = 0;
  wss.on('connection', () => { opened++; });
  const h0 = heap();
  const clients = Array.from({ length: N }, (_, i) => createClient({ url, selfId: 1000 + i, logger: silentLogger, heartbeatInterval: 15000 }));
  const h1 = heap();
  if (process.env.CONNECT !== '0') {
    clients.forEach((c) => c.connect());
    while (opened < N) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
  }
  const h2 = heap();
  console.log(`constructed: ${((h1 - h0) / N / 1024).toFixed(2)} KB/client; connected: +${((h2 - h1) / N / 1024).toFixed(2)} KB/client; total ${((h2 - h0) / N / 1024).toFixed(2)}`);
  if (process.env.SNAP) {
    const v8 = await import('node:v8');
    console.log(v8.writeHeapSnapshot('/tmp/probe/idle.heapsnapshot'));
  }
  process.exit(0);
})();
