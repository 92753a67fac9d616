/**
 * Delivery bookkeeping, as a machine with no I/O: frames in, decisions out. It owns the outbox
 * (frames waiting for a writable link) and the frames written on the current link that the server
 * has not confirmed yet. The Rx pipeline (`connection.ts`) asks it what to write, tells it what
 * was written and which ping was answered, and carries out what it answers: settle these sends,
 * report those frames, ping now. Table-tested in `test/client/delivery.test.ts`.
 *
 * Why confirmations: a WebSocket write only hands a frame to the local socket. A link that dies
 * right after may lose it, and nothing on the wire says so. A pong, though, is sent by the peer only
 * after it read every frame before the ping (docs/architecture.md, "Delivery"). So every frame is
 * either confirmed by such a pong, or, when its link dies first, handed back to be reported.
 */

/** How a `send()` learns its outcome. */
export interface Settle {
  resolve(): void;
  reject(error: unknown): void;
}

/** One frame on its way out. */
export interface Outgoing {
  /** The pre-encoded JSON text. */
  readonly text: string;
  /**
   * `send`: a user's send; `answer`: an API answer, which belongs to the link `linkId` that asked;
   * `meta`: the connect event and heartbeats, which belong to one link and never wait in the outbox.
   */
  readonly kind: 'send' | 'answer' | 'meta';
  readonly linkId?: number;
  /** The `send()` promise; for answers, none. */
  readonly settle?: Settle;
}

/**
 * The two queues are bounded by the same numbers, each on its own: frames waiting to be written
 * (beyond, a new frame is refused), and frames written but not confirmed yet (beyond, writing waits
 * for the server's confirmations: a producer faster than the server is slowed down, not refused).
 * @internal
 */
export interface DeliveryLimits {
  /** Frames in each queue, at most. */
  readonly outboxLimit: number;
  /** Their total size (characters of JSON text) in each queue, at most. */
  readonly outboxBytes: number;
}

/** What a link's end leaves behind. */
export interface LinkLoss {
  /** Written on the link, never confirmed: they may or may not have arrived. */
  readonly unconfirmed: readonly Outgoing[];
  /** API answers of that link still waiting: nobody asks for them any more, they are dropped. */
  readonly unsentAnswers: readonly Outgoing[];
  /** API answers written past the bounds ({@link Delivery.wroteUntracked}) and never confirmed: only their number is known. */
  readonly untrackedAnswers: number;
}

/** While one acknowledgement ping is in flight, another goes out after this many more writes. */
export const ACK_BATCH = 128;

/** A FIFO array with a moving head (O(1) shift, compacted when the dead prefix dominates). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.clear();
    return all;
  }
  private clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** @internal */
export class Delivery {
  private readonly waiting = new Fifo<Outgoing>();
  private readonly unconfirmed = new Fifo<Outgoing>();
  /** Frames written on the current link so far, and how many of them are confirmed. */
  private written = 0;
  private confirmed = 0;
  /** Acknowledgement pings in flight: [ping number, frames written before it, untracked answers written before it], oldest first. */
  private readonly pings: [seq: number, upTo: number, untrackedUpTo: number][] = [];
  /** Answers written on the current link without being kept ({@link wroteUntracked}), and how many of them are confirmed. */
  private untracked = 0;
  private untrackedConfirmed = 0;
  /** Sizes (characters of JSON text) of the waiting and of the unconfirmed frames. */
  private waitingSize = 0;
  private unconfirmedSize = 0;

  constructor(private readonly limits: DeliveryLimits) {}

  /** Frames not yet confirmed: waiting, or written and unconfirmed. */
  get count(): number {
    return this.waiting.length + this.unconfirmed.length;
  }

  /** Their size (characters of JSON text). */
  get bytes(): number {
    return this.waitingSize + this.unconfirmedSize;
  }

  /** Frames waiting to be written. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Queues a frame behind the others; `false` (and nothing queued) when the waiting queue is full. */
  offer(frame: Outgoing): boolean {
    const { outboxLimit, outboxBytes } = this.limits;
    if (this.waiting.length >= outboxLimit || this.waitingSize + frame.text.length > outboxBytes) return false;
    this.waiting.push(frame);
    this.waitingSize += frame.text.length;
    return true;
  }

  /**
   * The next frame to write, removed from the queue; `undefined` when none waits, or while the
   * frames written and not yet confirmed fill their bound (a pong makes room). The caller writes
   * it, then calls {@link wrote}.
   */
  take(): Outgoing | undefined {
    const next = this.waiting.peek();
    if (next === undefined) return undefined;
    const { outboxLimit, outboxBytes } = this.limits;
    const room = this.unconfirmed.length === 0 || (this.unconfirmed.length < outboxLimit && this.unconfirmedSize + next.text.length <= outboxBytes);
    if (!room) return undefined;
    this.waiting.shift();
    this.waitingSize -= next.text.length;
    return next;
  }

  /**
   * `frame` (from {@link take}) was written. With `confirmable` (the link can ping) it is kept until
   * a pong confirms it; otherwise nothing more can be learnt about it and it is done.
   */
  wrote(frame: Outgoing, confirmable: boolean): void {
    if (!confirmable) return;
    this.unconfirmed.push(frame);
    this.unconfirmedSize += frame.text.length;
    this.written++;
  }

  /** Whether an acknowledgement ping should go out now: frames are uncovered, and no ping is in flight (or a long batch is). */
  shouldPing(): boolean {
    const uncovered = this.uncovered();
    return uncovered > 0 && (this.pings.length === 0 || uncovered >= ACK_BATCH);
  }

  /** Frames and untracked answers written after the last acknowledgement ping. */
  private uncovered(): number {
    const lastPing = this.pings[this.pings.length - 1];
    return this.written - (lastPing?.[1] ?? this.confirmed) + (this.untracked - (lastPing?.[2] ?? this.untrackedConfirmed));
  }

  /**
   * An API answer was written straight away, without being kept (its text is not retained, so it
   * costs no memory and takes no room among the unconfirmed frames). Answers must not wait for
   * confirmations: the pong that would confirm earlier frames may be queued behind the very calls
   * being answered, so holding their answers, or pausing reading, could never free it. Counted, so
   * a link that dies before a pong covers them reports how many.
   */
  wroteUntracked(): void {
    this.untracked++;
  }

  /** Whether frames or untracked answers were written after the last acknowledgement ping (a ping before a close covers them). */
  hasUncovered(): boolean {
    return this.uncovered() > 0;
  }

  /** An acknowledgement ping numbered `seq` was sent after everything written so far. */
  pinged(seq: number): void {
    this.pings.push([seq, this.written, this.untracked]);
  }

  /**
   * The peer answered ping `seq` (any ping: periodic ones too, since an answer proves everything
   * before it was read): returns the frames it confirms, oldest first.
   */
  pong(seq: number): Outgoing[] {
    let upTo = this.confirmed;
    while (this.pings.length > 0 && this.pings[0]![0] <= seq) {
      const [, written, untracked] = this.pings.shift()!;
      upTo = written;
      this.untrackedConfirmed = untracked;
    }
    const done: Outgoing[] = [];
    for (; this.confirmed < upTo; this.confirmed++) {
      const frame = this.unconfirmed.shift()!;
      this.unconfirmedSize -= frame.text.length;
      done.push(frame);
    }
    return done;
  }

  /**
   * The link died: returns its unconfirmed frames and the API answers still waiting for it (both
   * leave the outbox); the sends still waiting stay, for the next link.
   */
  linkLost(): LinkLoss {
    const unconfirmed = this.unconfirmed.drain();
    const keep: Outgoing[] = [];
    const unsentAnswers: Outgoing[] = [];
    for (const frame of this.waiting.drain()) (frame.kind === 'answer' ? unsentAnswers : keep).push(frame);
    for (const frame of keep) this.waiting.push(frame);
    this.unconfirmedSize = 0;
    for (const frame of unsentAnswers) this.waitingSize -= frame.text.length;
    const untrackedAnswers = this.untracked - this.untrackedConfirmed;
    this.written = 0;
    this.confirmed = 0;
    this.untracked = 0;
    this.untrackedConfirmed = 0;
    this.pings.length = 0;
    return { unconfirmed, unsentAnswers, untrackedAnswers };
  }

  /** The client stopped: every waiting frame leaves the outbox, to be rejected. */
  close(): Outgoing[] {
    this.waitingSize = 0;
    return this.waiting.drain();
  }
}
