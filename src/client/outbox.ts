/**
 * The bounded, ordered queue of frames waiting for a writable connection. Frames are pre-encoded
 * JSON text; each carries the settle functions of the `send()` promise that produced it (internal
 * frames such as API answers carry none).
 */

/**
 * One frame waiting in the {@link Outbox}: its text and the settle functions of the `send()` that
 * queued it (none for internal frames).
 * @since 0.1.0
 * @category client
 */
export interface OutboxEntry {
  readonly text: string;
  readonly resolve: (() => void) | undefined;
  readonly reject: ((error: unknown) => void) | undefined;
}

/**
 * A FIFO with a hard `limit`. `push` refuses (returns `false`) rather than evicting: the caller
 * rejects the newest send, so nothing already accepted is ever dropped silently.
 *
 * Backed by an array with a moving head, compacted when the dead prefix dominates, so `shift` is O(1)
 * amortised without allocating per entry beyond the entry itself.
 *
 * @example
 * import { Outbox } from 'onebot-rx';
 * const box = new Outbox(1);
 * box.push({ text: 'a', resolve: undefined, reject: undefined }) === true;
 * box.push({ text: 'b', resolve: undefined, reject: undefined }) === false;
 * box.shift()?.text === 'a';
 *
 * @since 0.1.0
 * @category client
 */
export class Outbox {
  private declare items: (OutboxEntry | undefined)[];
  private declare head: number;
  declare readonly limit: number;

  constructor(limit: number) {
    this.items = [];
    this.head = 0;
    this.limit = limit;
  }

  /** Number of waiting frames. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends at the tail; `false` when full (the entry is not stored). */
  push(entry: OutboxEntry): boolean {
    if (this.size >= this.limit) return false;
    this.items.push(entry);
    return true;
  }

  /** The oldest entry without removing it. */
  peek(): OutboxEntry | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the oldest entry. */
  shift(): OutboxEntry | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Empties the queue, rejecting every pending send with `error`. Returns how many were dropped. */
  rejectAll(error: unknown): number {
    let n = 0;
    for (let e = this.shift(); e !== undefined; e = this.shift()) {
      n++;
      e.reject?.(error);
    }
    return n;
  }
}
