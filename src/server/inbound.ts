import type { RawData, WebSocket } from 'ws';
import type { FrameInspector, Inspected } from './frame-inspector';

/**
 * The frames of one connection, handled one at a time and in order. A frame parsed on the decoding
 * worker holds the frames behind it, and the socket is paused meanwhile, so what waits here is
 * bounded by what `ws` had already read (one socket read) plus the frame on the worker. Other
 * callers (the API-answering engine's backpressure) can pause reading too: the socket reads again
 * once nobody holds it paused.
 *
 * One connection gets at most `SLICE_MS` of the event loop per turn: past it, the rest of what it
 * sent waits for the next turn (socket paused meanwhile), so a bot that floods frames, each cheap,
 * delays the others' routing by a slice, not by its whole burst.
 * @internal
 */
const SLICE_MS = 4;

export class Inbound {
  private readonly waiting: Array<{ readonly data: Buffer; readonly isBinary: boolean }> = [];
  private busy = false;
  private stopped = false;
  private readonly pausedBy = new Set<string>();

  constructor(
    private readonly ws: WebSocket,
    private readonly inspector: FrameInspector,
    private readonly handle: (frame: Inspected, bytes: number) => void,
  ) {}

  /** Feeds one received message. */
  push(data: RawData, isBinary: boolean): void {
    if (this.stopped) return;
    this.waiting.push({ data: toBuffer(data), isBinary });
    this.drain();
  }

  pause(reason: string): void {
    if (this.pausedBy.size === 0 && !this.stopped) this.ws.pause();
    this.pausedBy.add(reason);
  }

  resume(reason: string): void {
    if (!this.pausedBy.delete(reason) || this.pausedBy.size > 0 || this.stopped) return;
    this.ws.resume();
  }

  /** Drops what waits; later messages are ignored. */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  private drain(): void {
    const started = performance.now();
    while (!this.busy && !this.stopped && this.waiting.length > 0) {
      if (performance.now() - started > SLICE_MS) {
        this.busy = true;
        this.pause('slice');
        setImmediate(() => {
          this.busy = false;
          this.resume('slice');
          this.drain();
        });
        return;
      }
      const { data, isBinary } = this.waiting.shift()!;
      const bytes = data.length; // the worker takes the buffer itself
      const verdict = this.inspector.inspect(data, isBinary);
      if (!(verdict instanceof Promise)) {
        this.handle(verdict, bytes);
        continue;
      }
      this.busy = true;
      this.pause('worker');
      void verdict.then((v) => {
        this.busy = false;
        if (this.stopped) return;
        this.handle(v, bytes);
        this.resume('worker');
        this.drain();
      });
    }
  }
}

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
