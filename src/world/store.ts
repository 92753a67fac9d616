import type { StoredForward, StoredMessage } from './spec';

/**
 * The world's message store: every message (and merged-forward) with its id, bounded in count and
 * in bytes. When either bound would be exceeded, the oldest entries are dropped first; a dropped
 * message is gone for `get_msg`, `delete_msg` and `reply` lookups, exactly as on a real account
 * whose history has been trimmed. Pure: no clock, no timers.
 */

/**
 * Bounds of the message store.
 * @since 0.2.0 @category world
 */
export interface StoreOptions {
  /** Most entries (messages plus forwards) kept. @defaultValue 10000 */
  readonly maxMessages?: number;
  /** Most bytes kept, counted as the UTF-8 length of each entry's JSON. @defaultValue 16 MiB */
  readonly maxBytes?: number;
}

/** @since 0.2.0 @category world */
export const DEFAULT_STORE_OPTIONS: Required<StoreOptions> = Object.freeze({
  maxMessages: 10_000,
  maxBytes: 16 * 1024 * 1024,
});

/** UTF-8 length of a string, without TextEncoder (the pure core uses no host APIs). */
export const utf8Length = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

type Entry = { readonly kind: 'message'; readonly value: StoredMessage; readonly bytes: number } | { readonly kind: 'forward'; readonly value: StoredForward; readonly bytes: number };

const keyOf = (kind: Entry['kind'], id: number | string): string => `${kind}:${id}`;

/** What a `put` dropped to stay within bounds (oldest first). @since 0.2.0 @category world */
export interface Evicted {
  readonly messages: readonly number[];
  readonly forwards: readonly string[];
}

/** @since 0.2.0 @category world */
export class MessageStore {
  readonly options: Required<StoreOptions>;
  /** Insertion order is eviction order (a Map iterates in insertion order). */
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private evictedCount = 0;

  constructor(options: StoreOptions = {}) {
    const maxMessages = options.maxMessages ?? DEFAULT_STORE_OPTIONS.maxMessages;
    const maxBytes = options.maxBytes ?? DEFAULT_STORE_OPTIONS.maxBytes;
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new RangeError(`maxMessages must be a positive integer, got ${maxMessages}`);
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    this.options = { maxMessages, maxBytes };
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Entries dropped to stay within bounds since the store was made. */
  get evicted(): number {
    return this.evictedCount;
  }

  putMessage(message: StoredMessage): Evicted {
    return this.put({ kind: 'message', value: message, bytes: utf8Length(JSON.stringify(message)) }, keyOf('message', message.message_id));
  }

  putForward(forward: StoredForward): Evicted {
    return this.put({ kind: 'forward', value: forward, bytes: utf8Length(JSON.stringify(forward)) }, keyOf('forward', forward.id));
  }

  getMessage(messageId: number): StoredMessage | undefined {
    const e = this.entries.get(keyOf('message', messageId));
    return e?.kind === 'message' ? e.value : undefined;
  }

  getForward(id: string): StoredForward | undefined {
    const e = this.entries.get(keyOf('forward', id));
    return e?.kind === 'forward' ? e.value : undefined;
  }

  /** Removes a message (a recall); `true` if it was there. */
  deleteMessage(messageId: number): boolean {
    const key = keyOf('message', messageId);
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.entries.delete(key);
    this.totalBytes -= e.bytes;
    return true;
  }

  /** Messages held, oldest first. */
  messages(): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const e of this.entries.values()) if (e.kind === 'message') out.push(e.value);
    return out;
  }

  /** Forwards held, oldest first. */
  forwards(): StoredForward[] {
    const out: StoredForward[] = [];
    for (const e of this.entries.values()) if (e.kind === 'forward') out.push(e.value);
    return out;
  }

  /**
   * Adds an entry (replacing one with the same id, which then counts as newest) and evicts the
   * oldest until both bounds hold. An entry larger than `maxBytes` on its own is not kept at all.
   */
  private put(entry: Entry, key: string): Evicted {
    const messages: number[] = [];
    const forwards: string[] = [];
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.totalBytes -= old.bytes;
    }
    this.entries.set(key, entry);
    this.totalBytes += entry.bytes;
    while (this.entries.size > this.options.maxMessages || this.totalBytes > this.options.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestKey);
      this.totalBytes -= oldest.bytes;
      this.evictedCount++;
      if (oldest.kind === 'message') messages.push(oldest.value.message_id);
      else forwards.push(oldest.value.id);
    }
    return { messages, forwards };
  }
}
