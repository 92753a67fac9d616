import { TestScheduler } from 'rxjs/testing';
import { Liveness, liveness, canPing } from '../../src/transport/liveness';
import { ErrorCode, OneBotError } from '../../src/protocol/errors';

class PingSocket {
  pings: number[] = [];
  listeners = new Set<(data?: unknown) => void>();
  answer = true;
  constructor(private readonly scheduler: TestScheduler) {}
  /** Like `ws`, the pong carries the ping's payload. */
  ping(data?: string): void {
    this.pings.push(this.scheduler.now());
    if (this.answer) this.scheduler.schedule(() => this.listeners.forEach((l) => l(data)), 3);
  }
  on(_: 'pong', l: (data?: unknown) => void): void {
    this.listeners.add(l);
  }
  off(_: 'pong', l: (data?: unknown) => void): void {
    this.listeners.delete(l);
  }
}

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));

describe('liveness', () => {
  it('pings every pingInterval and stays silent while pongs come back', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const s = new PingSocket(ts);
      expectObservable(liveness(s, { pingInterval: 100, pongTimeout: 50 }, ts), '^ 1000ms !').toBe('');
      ts.schedule(() => expect(s.pings).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]), 1001);
    });
  });

  it('errors with PongTimeout pongTimeout after an unanswered ping, and unregisters its listener', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const s = new PingSocket(ts);
      ts.schedule(() => (s.answer = false), 250);
      const err = new OneBotError(ErrorCode.PongTimeout, 'no pong within 50 ms of a ping: the connection is dead', { pingInterval: 100, pongTimeout: 50 });
      expectObservable(liveness(s, { pingInterval: 100, pongTimeout: 50 }, ts)).toBe('350ms #', undefined, err);
      ts.schedule(() => expect(s.listeners.size).toBe(0), 400);
    });
  });

  it('hold() (we stopped reading) suspends the deadline and periodic pings; release() gives the unanswered ping a full pongTimeout', () => {
    const ts = newScheduler();
    ts.run(() => {
      const s = new PingSocket(ts);
      s.answer = false;
      const dead: number[] = [];
      const l = new Liveness(s, { pingInterval: 100, pongTimeout: 50 }, ts, () => dead.push(ts.now()));
      ts.schedule(() => l.hold(), 120); // ping at 100 unanswered; its deadline (150) is suspended
      ts.schedule(() => l.release(), 400); // no ping while held; the deadline runs again from 400
      ts.schedule(() => l.stop(), 1000);
      ts.schedule(() => {
        expect(s.pings).toEqual([100]);
        expect(dead).toEqual([450]);
      }, 1000);
    });
  });

  it('counts only pongs that carry the number of one of its pings (unsolicited pongs prove nothing)', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const s = new PingSocket(ts);
      s.answer = false;
      // A peer that sends pongs of its own every 10 ms, never answering ours.
      for (let t = 95; t < 200; t += 10) {
        ts.schedule(() => {
          s.listeners.forEach((l) => l(Buffer.from('hello')));
          s.listeners.forEach((l) => l(undefined));
        }, t);
      }
      const err = new OneBotError(ErrorCode.PongTimeout, 'no pong within 50 ms of a ping: the connection is dead', { pingInterval: 100, pongTimeout: 50 });
      expectObservable(liveness(s, { pingInterval: 100, pongTimeout: 50 }, ts), '^ 1000ms !').toBe('150ms #', undefined, err);
    });
  });

  it('is a no-op for sockets without ping (browsers) or with pingInterval 0', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(liveness({ send() {} }, { pingInterval: 100, pongTimeout: 50 }, ts), '^ 1000ms !').toBe('');
      const s = new PingSocket(ts);
      expectObservable(liveness(s, { pingInterval: 0, pongTimeout: 50 }, ts), '^ 1000ms !').toBe('');
      ts.schedule(() => expect(s.pings).toEqual([]), 1000);
    });
    expect(canPing({ ping() {}, on() {} })).toBe(true);
    expect(canPing(null)).toBe(false);
  });
});
