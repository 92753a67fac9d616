import { Subject, type Observable } from 'rxjs';
import type { SocketLike, WebSocketCtorLike } from '../../index';

/**
 * A WebSocket constructor for `createClient({ WebSocketCtor })` that reports every frame written
 * and received, with the time, so the inspector shows the wire as it is (the relay copies frames
 * unchanged, so these are the frames the bot server sees).
 */

/** One frame on the wire. */
export interface WireFrame {
  /** Running number, from 1. */
  readonly n: number;
  /** `out`: to the bot server; `in`: from it. */
  readonly dir: 'in' | 'out';
  /** Wall-clock time in ms (Date.now()). */
  readonly time: number;
  readonly text: string;
}

export interface Tap {
  readonly Ctor: WebSocketCtorLike;
  readonly frames$: Observable<WireFrame>;
}

export const createTap = (Base: typeof WebSocket = WebSocket, now: () => number = Date.now): Tap => {
  const frames = new Subject<WireFrame>();
  let n = 0;
  const record = (dir: 'in' | 'out', data: unknown): void => {
    const text = typeof data === 'string' ? data : `<binary frame of ${String((data as { byteLength?: number; size?: number }).byteLength ?? (data as { size?: number }).size ?? "?")} bytes>`;
    frames.next({ n: ++n, dir, time: now(), text });
  };
  class TappedWebSocket extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      // Registered before the client's own listener: a received frame is shown before what it causes.
      this.addEventListener('message', (e: MessageEvent) => record('in', e.data));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      record('out', data);
      super.send(data);
    }
  }
  return { Ctor: TappedWebSocket as unknown as WebSocketCtorLike, frames$: frames.asObservable() };
};

export type { SocketLike };
