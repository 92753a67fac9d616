import WebSocket from 'ws';
import type { WebSocketCtorLike } from '../transport/socket-factory';

/**
 * A `ws` WebSocket that reports every text frame the client writes. The CLI uses it to show the
 * answers the client sends to API calls (the client answers them itself, with its built-in or
 * registered handlers). It is a subclass, so the client still detects a Node socket and sends its
 * handshake headers.
 *
 * @internal
 */
export const tappedWebSocket = (onSend: (text: string) => void): WebSocketCtorLike => {
  class TappedWebSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string') {
        try {
          onSend(data);
        } catch {
          // Printing must never break the connection.
        }
      }
      (super.send as (d: unknown, ...r: unknown[]) => void)(data, ...rest);
    }
  }
  return TappedWebSocket as unknown as WebSocketCtorLike;
};
