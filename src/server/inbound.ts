import type { RawData, WebSocket } from 'ws';
import type { FrameInspector, Inspected } from './frame-inspector';

/**
 * The frames of one connection, handled one at a time and in order. A frame parsed on the decoding
 * worker holds the frames behind it, and the socket is paused meanwhile, so what waits here is
 * bounded by what `ws` had already read (one socket read) plus the frame on the worker. Every frame
 * received is handled, even when the connection ends meanwhile. Other
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
  /** A frame is on the decoding worker: the ones behind it wait. */
  private onWorker = false;
  private sliceScheduled = false;
  /** The connection ended: nothing more comes in, what is queued is handled at once. */
  private inputClosed = false;
  private readonly pausedBy = new Set<string>();

  constructor(
    private readonly ws: WebSocket,
    private readonly inspector: FrameInspector,
    private readonly handle: (frame: Inspected, bytes: number) => void,
  ) {}

  /** Feeds one received message. */
  push(data: RawData, isBinary: boolean): void {
    if (this.inputClosed) return;
    this.waiting.push({ data: toBuffer(data), isBinary });
    this.drain(SLICE_MS);
  }

  pause(reason: string): void {
    if (this.pausedBy.size === 0 && !this.inputClosed) this.ws.pause();
    this.pausedBy.add(reason);
  }

  resume(reason: string): void {
    if (!this.pausedBy.delete(reason) || this.pausedBy.size > 0 || this.inputClosed) return;
    this.ws.resume();
  }

  /**
   * The socket closed: frames received before are still handled, now rather than slice by slice
   * (a frame the peer saw acknowledged by a pong must not be dropped), except those behind a frame
   * on the worker, which follow it as soon as it is back.
   */
  closeInput(): void {
    this.inputClosed = true;
    this.drain(Infinity);
  }

  private drain(budgetMs: number): void {
    const started = performance.now();
    while (!this.onWorker && this.waiting.length > 0) {
      if (performance.now() - started > budgetMs) return this.nextSlice();
      const { data, isBinary } = this.waiting.shift()!;
      const bytes = data.length; // the worker takes the buffer itself
      const verdict = this.inspector.inspect(data, isBinary);
      if (!(verdict instanceof Promise)) {
        this.handle(verdict, bytes);
        continue;
      }
      this.onWorker = true;
      this.pause('worker');
      void verdict.then((v) => {
        this.onWorker = false;
        this.handle(v, bytes);
        this.resume('worker');
        this.drain(this.inputClosed ? Infinity : SLICE_MS);
      });
    }
  }

  /** The rest waits for the next turn of the event loop; the socket is not read meanwhile. */
  private nextSlice(): void {
    if (this.sliceScheduled) return;
    this.sliceScheduled = true;
    this.pause('slice');
    setImmediate(() => {
      this.sliceScheduled = false;
      this.resume('slice');
      this.drain(this.inputClosed ? Infinity : SLICE_MS);
    });
  }
}

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
