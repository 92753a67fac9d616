/** The raw baseline client: a bare `ws` socket with the OneBot handshake headers, nothing else. */
import WebSocket from 'ws';
import { connectEvent } from './fixture';

export function rawHeaders(selfId: number): Record<string, string> {
  return { 'X-Self-ID': String(selfId), 'X-Client-Role': 'Universal' };
}

/** Open a socket and send the lifecycle connect event first, as every implementation does. */
export function openRaw(url: string, selfId: number, timeoutMs = 10000): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers: rawHeaders(selfId), perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`raw open ${url}: timed out`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.send(connectEvent(selfId));
      resolve(ws);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
