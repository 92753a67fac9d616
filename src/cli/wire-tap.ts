import { map } from 'rxjs';
import WebSocket from 'ws';
import type { Transport } from '../transport/adapter';
import type { WebSocketCtorLike } from '../transport/socket-factory';

/** Calls `onSend`, never letting printing break the wire. */
const safely = (onSend: (text: string) => void, text: string): void => {
  try {
    onSend(text);
  } catch {
    // Printing must never break the connection.
  }
};

/**
 * The same tap on the listening transports: every frame written to an application socket (forward
 * WS) and every HTTP API answer body is reported before it leaves. The adapters' own objects are
 * wrapped in place (their getters, such as a socket's `buffered`, stay live).
 *
 * @internal
 */
export const tappedTransport = <T extends Transport>(transport: T, onSend: (text: string) => void): T => {
  if (transport.kind === 'forward-ws') {
    const listen = transport.listen.bind(transport);
    const tapped: typeof listen = () =>
      listen().pipe(
        map((e) => {
          if (e.type !== 'peer') return e;
          const write = e.peer.write.bind(e.peer);
          (e.peer as { write: typeof write }).write = (text) => (safely(onSend, text), write(text));
          return e;
        }),
      );
    Object.assign(transport, { listen: tapped });
  } else if (transport.kind === 'http-api') {
    const listen = transport.listen.bind(transport);
    const tapped: typeof listen = () =>
      listen().pipe(
        map((e) => {
          if (e.type !== 'call') return e;
          const respond = e.call.respond.bind(e.call);
          (e.call as { respond: typeof respond }).respond = (status, body) => (safely(onSend, body), respond(status, body));
          return e;
        }),
      );
    Object.assign(transport, { listen: tapped });
  }
  return transport;
};

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
      if (typeof data === 'string') safely(onSend, data);
      (super.send as (d: unknown, ...r: unknown[]) => void)(data, ...rest);
    }
  }
  return TappedWebSocket as unknown as WebSocketCtorLike;
};
