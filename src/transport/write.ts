import type { SocketLike } from './socket-factory';

/**
 * The write path of one open connection. Two jobs:
 *
 * - **Coalescing.** Node's `ws` turns every `send` into its own `writev` syscall. The first frame of
 *   a tick is written at once (a lone frame, such as an API answer, leaves with no added latency).
 *   When a second frame follows in the same tick and the socket exposes the underlying stream's
 *   `cork`/`uncork` (Node), the stream is corked and a microtask uncorks it, so the rest of the
 *   tick's frames leave in one syscall, in order. Elsewhere it is a plain `send` per frame (a
 *   browser batches on its own).
 * - **Backpressure.** `ready` turns false while the socket holds more than `highWaterMark` unsent
 *   bytes (`bufferedAmount`); the client then keeps frames in its outbox instead of piling them onto
 *   the socket's unbounded buffer.
 */

/** @internal */
export interface FrameWriter {
  /** Open and under the high-water mark: a frame written now goes out without piling up. */
  readonly ready: boolean;
  /** Whether the socket is open at all. */
  readonly open: boolean;
  /**
   * Hands one pre-encoded frame to the socket. `true` = accepted by an open socket ("written");
   * `false` = the socket was not open and nothing was written.
   */
  write(text: string): boolean;
}

/** Node's `net.Socket` surface used for corking, detected at run time. @internal */
interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

const OPEN = 1;

const corkableOf = (socket: SocketLike): Corkable | undefined => {
  const raw = (socket as { _socket?: Partial<Corkable> })._socket;
  return raw !== undefined && raw !== null && typeof raw.cork === 'function' && typeof raw.uncork === 'function' ? (raw as Corkable) : undefined;
};

/** Tick states of {@link SocketWriter}. */
const IDLE = 0; // nothing written this tick
const WROTE = 1; // one frame written directly; the end-of-tick microtask is queued
const CORKED = 2; // the stream is corked until the end of the tick

class SocketWriter implements FrameWriter {
  // Declared, then assigned in the constructor (no class-field initializers, which an ES2020
  // bundle turns into a defineProperty call each).
  private declare tick: number;
  private declare stream: Corkable | undefined | null;
  private declare readonly socket: SocketLike;
  private declare readonly send: (text: string) => void;
  private declare readonly highWaterMark: number;
  /** Bound once: no closure allocated per frame or per tick. */
  private declare readonly endTick: () => void;

  constructor(socket: SocketLike, send: (text: string) => void, highWaterMark: number) {
    this.tick = IDLE;
    this.stream = null;
    this.socket = socket;
    this.send = send;
    this.highWaterMark = highWaterMark;
    this.endTick = () => {
      const wasCorked = this.tick === CORKED;
      this.tick = IDLE;
      const s = this.stream;
      if (wasCorked && s && s.destroyed !== true) s.uncork();
    };
  }

  get open(): boolean {
    return this.socket.readyState === OPEN;
  }

  get ready(): boolean {
    return this.socket.readyState === OPEN && (this.socket.bufferedAmount ?? 0) <= this.highWaterMark;
  }

  write(text: string): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.tick === IDLE) {
      // The raw stream appears only once the socket is open, so look it up lazily, once.
      if (this.stream === null) this.stream = corkableOf(this.socket);
      if (this.stream !== undefined) {
        this.tick = WROTE;
        queueMicrotask(this.endTick);
      }
    } else if (this.tick === WROTE) {
      // A second frame in the same tick: from here on the tick's frames share one syscall.
      this.stream!.cork();
      this.tick = CORKED;
    }
    this.send(text);
    return true;
  }
}

/**
 * Creates the writer of one connection. `send` is the actual write (normally `socket.send`).
 *
 * @internal
 */
export const createFrameWriter = (socket: SocketLike, send: (text: string) => void, highWaterMark: number): FrameWriter =>
  new SocketWriter(socket, send, highWaterMark);
