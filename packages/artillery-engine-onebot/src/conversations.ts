/**
 * Correlates replies with the messages that asked for them, per conversation.
 *
 * A conversation is one bot talking with one user in private (`p:<self>:<user>`) or in one group
 * (`g:<self>:<group>`). A step that expects a reply registers a waiter *before* its message event is
 * sent (a fast server may answer before the send settles). When the server has the bot send a
 * message (`send_msg`, `send_private_msg`, `send_group_msg`, a quick-operation reply), the first
 * waiter of that conversation, in registration order, whose expectation the reply satisfies is
 * resolved with the elapsed time. Several users talking in one group are told apart by their
 * expectations (a unique text per message makes the match exact).
 *
 * Bounded: at most `maxWaiters` waiters per bot connection (a step beyond it fails at once rather
 * than queueing without limit); each waiter is removed on reply, timeout or connection loss.
 */

export type Expectation =
  | { readonly kind: 'any' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'regex'; readonly regex: RegExp };

/** The part of a reply the matcher looks at. */
export interface Reply {
  readonly messageType: 'private' | 'group';
  readonly userId: number | undefined;
  readonly groupId: number | undefined;
  /** Plain text: the reply's text segments joined. */
  readonly text: string;
  /** CQ-code form. */
  readonly rawMessage: string;
}

export interface Matched {
  readonly elapsedMs: number;
  readonly reply: Reply;
}

interface Waiter {
  readonly key: string;
  readonly expectation: Expectation;
  readonly startedAt: number;
  readonly resolve: (m: Matched) => void;
  readonly reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export const conversationKey = (selfId: number, messageType: 'private' | 'group', peer: number | undefined): string =>
  `${messageType === 'group' ? 'g' : 'p'}:${selfId}:${peer ?? ''}`;

export const matches = (expectation: Expectation, reply: Reply): boolean => {
  switch (expectation.kind) {
    case 'any':
      return true;
    case 'text':
      return reply.text === expectation.text || reply.rawMessage === expectation.text;
    case 'regex':
      expectation.regex.lastIndex = 0;
      return expectation.regex.test(reply.text);
  }
};

/** A registered wait: await `promise`, or `cancel()` it (the send failed). */
export interface Pending {
  readonly promise: Promise<Matched>;
  readonly cancel: () => void;
}

export class TooManyWaiters extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} replies awaited on one bot connection (maxWaitersPerBot)`);
    this.name = 'TooManyWaiters';
  }
}

export class ReplyTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no matching reply within ${timeoutMs} ms`);
    this.name = 'ReplyTimeout';
  }
}

export class Conversations {
  private readonly waiters = new Map<string, Waiter[]>();
  private count = 0;

  constructor(
    private readonly selfId: number,
    private readonly maxWaiters: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get pending(): number {
    return this.count;
  }

  /**
   * Starts waiting for a reply in the conversation with `peer` (user id in private, group id in a
   * group). Call before sending. Its promise resolves with the time since this call, or rejects with
   * `ReplyTimeout` after `timeoutMs`, or with the error given to {@link failAll}. Throws
   * `TooManyWaiters` beyond `maxWaiters`.
   */
  expect(messageType: 'private' | 'group', peer: number, expectation: Expectation, timeoutMs: number): Pending {
    if (this.count >= this.maxWaiters) {
      throw new TooManyWaiters(this.maxWaiters);
    }
    const key = conversationKey(this.selfId, messageType, peer);
    let waiter: Waiter | undefined;
    const promise = new Promise<Matched>((resolve, reject) => {
      waiter = { key, expectation, startedAt: this.now(), resolve, reject, timer: undefined };
    });
    const w = waiter!;
    w.timer = setTimeout(() => {
      this.remove(w);
      w.reject(new ReplyTimeout(timeoutMs));
    }, timeoutMs);
    const list = this.waiters.get(key);
    if (list === undefined) this.waiters.set(key, [w]);
    else list.push(w);
    this.count++;
    // The caller may not await it yet (it sends first); a rejection is always handled there.
    promise.catch(() => undefined);
    return { promise, cancel: () => this.remove(w) };
  }

  /** Offers a reply; returns whether a waiter claimed it. */
  offer(reply: Reply): boolean {
    const peer = reply.messageType === 'group' ? reply.groupId : reply.userId;
    const list = this.waiters.get(conversationKey(this.selfId, reply.messageType, peer));
    if (list === undefined) return false;
    const index = list.findIndex((w) => matches(w.expectation, reply));
    if (index < 0) return false;
    const waiter = list[index]!;
    this.remove(waiter);
    waiter.resolve({ elapsedMs: this.now() - waiter.startedAt, reply });
    return true;
  }

  /** Rejects every waiter (the connection is gone). */
  failAll(error: Error): void {
    for (const list of [...this.waiters.values()]) {
      for (const waiter of [...list]) {
        this.remove(waiter);
        waiter.reject(error);
      }
    }
  }

  private remove(waiter: Waiter): void {
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.timer = undefined;
    const list = this.waiters.get(waiter.key);
    if (list === undefined) return;
    const index = list.indexOf(waiter);
    if (index < 0) return;
    list.splice(index, 1);
    this.count--;
    if (list.length === 0) this.waiters.delete(waiter.key);
  }
}
