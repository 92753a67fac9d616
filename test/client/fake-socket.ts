import { Subject } from 'rxjs';

/**
 * A hand-written socket in the browser's shape for marble tests. Every instance registers itself;
 * `sent$` carries every frame any instance writes, at the virtual time it is written.
 */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  static sent$ = new Subject<string>();
  static reset(): void {
    FakeSocket.instances = [];
    FakeSocket.sent$ = new Subject<string>();
  }
  static get last(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!s) throw new Error('no socket created yet');
    return s;
  }

  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  onopen: ((e: unknown) => void) | null = null;
  onclose: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  onmessage: ((e: unknown) => void) | null = null;
  sent: string[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
    FakeSocket.sent$.next(data);
  }

  /** Our side closes: the fake server acknowledges at once. */
  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code: code ?? 1005, reason: reason ?? '', wasClean: true });
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  triggerMessage(data: unknown): void {
    this.onmessage?.({ data });
  }

  triggerClose(code: number, reason = '', wasClean = true): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean });
  }

  /** A failed dial or a network error: error, then close 1006 (as browsers and ws do). */
  triggerError(message: string): void {
    this.readyState = 3;
    this.onerror?.({ type: 'error', message });
    this.onclose?.({ code: 1006, reason: '', wasClean: false });
  }
}

/**
 * A Node-ws-like fake: can ping; `answerPings` decides whether pongs come back. Like `ws`, a pong
 * carries the ping's payload; it comes back at once, or, with `holdPongs`, when `releasePongs()` is
 * called (a peer that has not read that far yet).
 */
export class PingingFakeSocket extends FakeSocket {
  answerPings = true;
  holdPongs = false;
  pings = 0;
  /** Payloads of the pings, in order. */
  pingData: unknown[] = [];
  /** Frames written before each ping (index = ping order). */
  sentBeforePing: number[] = [];
  terminated = false;
  private held: unknown[] = [];
  private pongListeners: ((data?: unknown) => void)[] = [];
  ping(data?: unknown): void {
    this.pings++;
    this.pingData.push(data);
    this.sentBeforePing.push(this.sent.length);
    if (!this.answerPings) return;
    if (this.holdPongs) this.held.push(data);
    else this.pong(data);
  }
  /** Answers the held pings, oldest first (`count` of them, default all). */
  releasePongs(count = this.held.length): void {
    for (const d of this.held.splice(0, count)) this.pong(d);
  }
  /** A pong arrives (an unsolicited one if `data` matches no ping). */
  pong(data?: unknown): void {
    for (const l of [...this.pongListeners]) l(typeof data === 'string' ? Buffer.from(data) : data);
  }
  on(event: string, l: (data?: unknown) => void): void {
    if (event === 'pong') this.pongListeners.push(l);
  }
  off(event: string, l: (data?: unknown) => void): void {
    if (event === 'pong') this.pongListeners = this.pongListeners.filter((x) => x !== l);
  }
  terminate(): void {
    this.terminated = true;
    this.triggerClose(1006, '', false);
  }
}

/** One letter per frame for marbles: c = connect, h = heartbeat, r = API response, else the text. */
export const letter = (frame: string): string => {
  const f = JSON.parse(frame) as Record<string, unknown>;
  if (f.meta_event_type === 'lifecycle') return 'c';
  if (f.meta_event_type === 'heartbeat') return 'h';
  if ('retcode' in f) return 'r';
  if (typeof f.raw_message === 'string') return f.raw_message;
  return '?';
};
