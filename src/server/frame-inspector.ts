import { Worker } from 'node:worker_threads';
import * as E from 'fp-ts/Either';
import { ErrorCode, ProtocolError } from '../protocol/errors';
import { decodeFrameValue, type Frame } from '../protocol/frame';
import { inspectJson, routedTail, type Inspection } from './frame-shape';

/**
 * Turns one received WebSocket message into a decoded frame, or into the error that says why not,
 * within the server's frame limits (`maxPayload`, `maxDepth`, `maxValues`, `maxSegments`).
 *
 * Small frames (up to `workerDecodeBytes`) are checked and parsed inline. Larger ones are checked
 * and parsed on one worker thread shared by the server: parsing a 16 MiB frame costs 100–800 ms
 * here, and on the main thread that time would be taken from every other bot's routing. Only a
 * frame within the limits comes back (as a structured clone, whose cost the limits bound), and the
 * codec pass then runs on the main thread as for small frames.
 *
 * The worker takes one frame at a time and rests as long as the frame took before the next one, so
 * big frames get at most half a core: on a small machine (CI has two cores) a bot streaming huge
 * frames cannot take a whole core from the routing of everyone else. Its frames wait their turn,
 * and its socket stays paused meanwhile.
 * @internal
 */

/** @internal */
export interface InspectorLimits {
  readonly maxPayload: number;
  readonly maxDepth: number;
  readonly maxValues: number;
  readonly maxSegments: number;
  readonly workerDecodeBytes: number;
}

/** @internal */
export interface Inspected {
  readonly frame: E.Either<ProtocolError, Frame>;
  /**
   * For a message event parsed on the worker: its routed encoding (see `routedTail`) as UTF-8
   * bytes, made there, so that routing a 16 MiB message costs the main thread no encoding at all.
   */
  readonly routedTail?: Uint8Array;
}

type WorkerResult = Inspection & { readonly routedTail?: Uint8Array };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const inspectJson = ${inspectJson.toString()};
const routedTail = ${routedTail.toString()};
parentPort.on('message', ({ id, bytes, limits }) => {
  let result;
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    result = inspectJson(text, limits.maxDepth, limits.maxValues, limits.maxSegments);
    const v = result.ok ? result.value : undefined;
    if (v !== null && typeof v === 'object' && v.post_type === 'message') result.routedTail = new Uint8Array(Buffer.from(routedTail(v), 'utf8'));
  } catch (e) {
    result = { ok: false, parseError: 'decoding failed: ' + (e && e.message ? e.message : String(e)) };
  }
  parentPort.postMessage({ id, result }, result.routedTail ? [result.routedTail.buffer] : []);
});
`;

const limitWords = { maxDepth: 'nesting depth', maxValues: 'JSON values', maxSegments: 'message segments' } as const;

/** The error for a frame over a limit: its `data.limit` names the option. @internal */
export const limitError = (limit: string, value: number, found: string, size: number): ProtocolError =>
  new ProtocolError(ErrorCode.FrameTooLarge, `frame over ${limit} (${value}): ${found}`, { limit, [limit]: value, size });

const verdict = (r: WorkerResult, limits: InspectorLimits, size: number): Inspected => {
  if (r.ok) return { frame: decodeFrameValue(r.value), routedTail: r.routedTail };
  if (r.limit === undefined) return { frame: E.left(new ProtocolError(ErrorCode.InvalidJson, `frame is not valid JSON: ${r.parseError}`)) };
  const what = r.limit === 'maxDepth' ? `${limitWords.maxDepth} above ${limits.maxDepth}` : `at least ${r.found} ${limitWords[r.limit]}`;
  return { frame: E.left(limitError(r.limit, limits[r.limit], what, size)) };
};

/** @internal */
export class FrameInspector {
  private worker: Worker | undefined;
  private nextJob = 1;
  private readonly jobs = new Map<number, (r: WorkerResult) => void>();
  /** Frames not yet posted, oldest first. */
  private readonly queue: Array<() => void> = [];
  private running = false;
  private resting: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(private readonly limits: InspectorLimits) {}

  /** Frames waiting for (or on) the worker. */
  get inWorker(): number {
    return this.jobs.size;
  }

  /** The verdict on one message: at once for small frames, later for those parsed on the worker. */
  inspect(data: Buffer, isBinary: boolean): Inspected | Promise<Inspected> {
    const l = this.limits;
    const size = data.length; // before the bytes are transferred to the worker
    if (isBinary) return { frame: E.left(new ProtocolError(ErrorCode.BinaryFrame, 'binary frame: OneBot v11 frames are JSON text')) };
    if (size > l.maxPayload) {
      return { frame: E.left(new ProtocolError(ErrorCode.FrameTooLarge, `frame too large: ${size} bytes, maxPayload is ${l.maxPayload}`, { limit: 'maxPayload', size, maxPayload: l.maxPayload })) };
    }
    if (size <= l.workerDecodeBytes) return verdict(inspectJson(data.toString('utf8'), l.maxDepth, l.maxValues, l.maxSegments), l, size);
    return this.onWorker(data).then((r) => verdict(r, l, size));
  }

  /** Stops the worker; frames still on it are answered as failed. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    clearTimeout(this.resting);
    this.failAll('the server is closing');
    if (w !== undefined) await w.terminate();
  }

  private onWorker(data: Buffer): Promise<WorkerResult> {
    return new Promise((resolve) => {
      const id = this.nextJob++;
      this.jobs.set(id, resolve);
      this.queue.push(() => {
        // A transferable copy unless the buffer is the sole user of its memory (ws may hand out slices).
        const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        const bytes = own ? new Uint8Array(data.buffer, 0, data.byteLength) : new Uint8Array(data);
        const { maxDepth, maxValues, maxSegments } = this.limits;
        this.ensureWorker().postMessage({ id, bytes, limits: { maxDepth, maxValues, maxSegments } }, [bytes.buffer as ArrayBuffer]);
      });
      this.postNext();
    });
  }

  private postNext(): void {
    if (this.running || this.resting !== undefined) return;
    const post = this.queue.shift();
    if (post === undefined) return;
    this.running = true;
    this.startedAt = performance.now();
    post();
  }

  /** One frame done: rest as long as it took (half a core at most), then post the next. */
  private done(): void {
    this.running = false;
    const took = performance.now() - this.startedAt;
    this.resting = setTimeout(() => {
      this.resting = undefined;
      this.postNext();
    }, took);
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', ({ id, result }: { id: number; result: Inspection }) => {
      const resolve = this.jobs.get(id);
      this.jobs.delete(id);
      this.done();
      resolve?.(result);
    });
    const lost = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = undefined; // the next big frame starts a new one
      this.failAll(why);
    };
    w.on('error', (e) => lost(`decoding worker failed: ${e.message}`));
    w.on('exit', (code) => lost(`decoding worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private failAll(why: string): void {
    const waiting = [...this.jobs.values()];
    this.jobs.clear();
    this.queue.length = 0;
    this.running = false;
    for (const resolve of waiting) resolve({ ok: false, parseError: why });
  }
}
