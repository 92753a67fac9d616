import WebSocket from 'ws';

/**
 * Measures `onebot.api_answer_ms` at the socket: from an API call's frame arriving to the frame
 * answering it (same `echo`) being written. This covers everything a loaded worker adds (event loop
 * lag, decoding, the answerer), which is what the application server waits for.
 *
 * It is a `ws` subclass handed to onebot-rx through its `WebSocketCtor` option; frames are only
 * parsed when they look like an API call (`"action"`) or an answer (`"retcode"`). Calls without an
 * `echo` cannot be matched and are not timed. At most `maxPending` calls are tracked per connection
 * (the oldest is forgotten beyond it).
 */
export interface ApiTimingSink {
  answered(elapsedMs: number): void;
}

type WsArgs = ConstructorParameters<typeof WebSocket>;

export const timedWebSocket = (sink: ApiTimingSink, maxPending = 10_000, now: () => number = () => performance.now()): typeof WebSocket => {
  const pending = new Map<string, number>();
  class TimedWebSocket extends WebSocket {
    constructor(...args: WsArgs) {
      super(...args);
      this.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        if (isBinary) return;
        const text = data.toString();
        if (!text.includes('"action"')) return;
        try {
          const frame = JSON.parse(text) as { action?: unknown; echo?: unknown };
          if (typeof frame.action !== 'string' || frame.echo === undefined) return;
          if (pending.size >= maxPending) pending.delete(pending.keys().next().value as string);
          pending.set(JSON.stringify(frame.echo), now());
        } catch {
          // not JSON: onebot-rx reports it on errors$
        }
      });
    }

    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string' && pending.size > 0 && data.includes('"retcode"')) {
        try {
          const frame = JSON.parse(data) as { echo?: unknown };
          if (frame.echo !== undefined) {
            const key = JSON.stringify(frame.echo);
            const at = pending.get(key);
            if (at !== undefined) {
              pending.delete(key);
              sink.answered(now() - at);
            }
          }
        } catch {
          // onebot-rx only writes JSON; nothing to time
        }
      }
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return TimedWebSocket as unknown as typeof WebSocket;
};
