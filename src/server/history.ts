/**
 * One bounded history list (events, bad frames, connections, rejections): oldest entries are
 * dropped once the list holds more than `limit` entries or more than `bytes` bytes. Each entry
 * states its own size when recorded (for events: the size of the frame it came from).
 * @internal
 */
export class History<T> {
  private readonly items: T[] = [];
  private readonly sizes: number[] = [];
  /** Index of the oldest live entry: dropping from the front is O(1), compaction is amortised. */
  private head = 0;
  private total = 0;
  /** Entries dropped to stay within the bounds, since the start. */
  dropped = 0;

  constructor(
    readonly limit: number,
    readonly bytes: number,
  ) {}

  get count(): number {
    return this.items.length - this.head;
  }

  get size(): number {
    return this.total;
  }

  /** Records `item`, then drops the oldest entries until both bounds hold (an item larger than `bytes` is not kept). */
  push(item: T, size: number): void {
    this.items.push(item);
    this.sizes.push(size);
    this.total += size;
    while (this.count > 0 && (this.count > this.limit || this.total > this.bytes)) this.dropOldest();
  }

  /** Entries oldest first (a copy). */
  list(): T[] {
    return this.items.slice(this.head);
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.head; i < this.items.length; i++) if (predicate(this.items[i] as T)) return this.items[i];
    return undefined;
  }

  private dropOldest(): void {
    this.total -= this.sizes[this.head] as number;
    this.items[this.head] = undefined as T;
    this.head += 1;
    this.dropped += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }
}
