import { TestScheduler } from 'rxjs/testing';
import { asyncScheduler, map } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { ClientState, OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { FakeSocket, PingingFakeSocket, letter } from './fake-socket';

/**
 * A send at each moment of the reconnect cycle (issue 10): while dialing, at open, while open, at the
 * moment of loss (inside `state$`, `errors$` and `onDisconnect` subscribers), while waiting to redial,
 * during the redial, and while closing. Each marble shows every frame written by any socket: the send
 * (`x`) is written exactly once, after the next connection's connect event (`c`); or, when the
 * client stops first, it is never written and its promise rejects with `ClientClosed`.
 *
 * Both delivery modes: `'write'` on a socket that cannot ping (the promise resolves on write), `'ack'`
 * on one that answers each ping 1 ms later (the promise resolves on the pong).
 */

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const at = (ts: TestScheduler, ms: number, fn: () => void) => ts.schedule(fn, ms);
const S: Record<ClientState['status'], string> = { idle: 'i', connecting: 'd', open: 'o', reconnecting: 'r', closing: 'z', closed: 'x' };
const sent = () => FakeSocket.sent$.pipe(map(letter));
const statuses = (client: OneBotClient) => client.state$.pipe(map((s) => S[s.status]));

/** A socket whose close handshake is answered 100 ms after our close frame (so `closing` lasts). */
class SlowCloseSocket extends FakeSocket {
  override close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
    asyncScheduler.schedule(() => this.triggerClose(code ?? 1005, reason ?? ''), 100);
  }
}
/** Answers each ping 1 ms later, as a peer across a network would (never inside `ping()` itself). */
class AsyncPongSocket extends PingingFakeSocket {
  override ping(data?: unknown): void {
    const answer = this.answerPings;
    this.answerPings = false;
    super.ping(data);
    this.answerPings = answer;
    if (answer) asyncScheduler.schedule(() => this.pong(data), 1);
  }
}
class SlowClosePingingSocket extends AsyncPongSocket {
  override close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
    asyncScheduler.schedule(() => this.triggerClose(code ?? 1005, reason ?? ''), 100);
  }
}

const MODES = {
  write: { confirmDelivery: 'write', WebSocketCtor: FakeSocket, slowClose: SlowCloseSocket },
  ack: { confirmDelivery: 'ack', WebSocketCtor: AsyncPongSocket, slowClose: SlowClosePingingSocket },
} as const;

beforeEach(() => FakeSocket.reset());

describe.each(Object.keys(MODES) as (keyof typeof MODES)[])("a send at each moment of the reconnect cycle, confirmDelivery '%s'", (mode) => {
  const m = MODES[mode];
  const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', WebSocketCtor: m.WebSocketCtor, confirmDelivery: m.confirmDelivery, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000 };

  /** Sends `x` once; its outcome is read after the virtual run (promises settle in microtasks). */
  const sender = (client: () => OneBotClient) => {
    let outcome: Promise<string> | undefined;
    return {
      send: () => {
        outcome ??= client()
          .sendText('x', 'private', { targetId: 2 })
          .then(
            () => 'resolved',
            (e: OneBotError) => e.code,
          );
      },
      outcome: () => {
        if (outcome === undefined) throw new Error('the send was never made');
        return outcome;
      },
    };
  };

  /**
   * The reconnect cycle every loss test shares: open at 0 (`c`), the link lost at 50, the redial at
   * 1050, open at 1060 (`c`, then `x`).
   */
  const lossCycle = (ts: TestScheduler, client: OneBotClient, lose: () => void) => {
    client.connect();
    at(ts, 0, () => FakeSocket.last.open());
    at(ts, 50, lose);
    at(ts, 1060, () => FakeSocket.last.open());
  };
  const AFTER_LOSS = 'c 1059ms (cx)';
  const STATUS_AFTER_LOSS = '(do) 46ms r 1009ms o';

  it('while dialing: written after the connect event, on open', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      client.connect();
      expectObservable(sent()).toBe('10ms (cx)');
      at(ts, 5, x.send);
      at(ts, 10, () => FakeSocket.last.open());
    });
    expect(await x.outcome()).toBe('resolved');
  });

  it.each(['a state$ subscriber', 'an onConnect callback'] as const)('at open, from %s: written right after the connect event', async (where) => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      if (where === 'a state$ subscriber') client.state$.subscribe((s) => s.status === 'open' && x.send());
      else client.onConnect(() => x.send());
      client.connect();
      expectObservable(sent()).toBe('10ms (cx)');
      at(ts, 10, () => FakeSocket.last.open());
    });
    expect(await x.outcome()).toBe('resolved');
  });

  it('while open: written at once', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      client.connect();
      expectObservable(sent()).toBe('c 19ms x');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 20, x.send);
    });
    expect(await x.outcome()).toBe('resolved');
  });

  describe('at the moment of loss', () => {
    it.each([
      ['a state$ subscriber', 'a close (1006)'],
      ['a state$ subscriber', 'a close 1008 (reported as Forbidden)'],
      ['an errors$ subscriber', 'a close 1008 (reported as Forbidden)'],
      ['an onDisconnect callback', 'a close (1006)'],
      ['an onDisconnect callback', 'a close 1008 (reported as Forbidden)'],
    ] as const)('from %s, after %s: not written to the dead socket; written once after the next connect event', async (where, cause) => {
      const ts = newScheduler();
      let client!: OneBotClient;
      const x = sender(() => client);
      ts.run(({ expectObservable }) => {
        ts.maxFrames = 5000;
        client = createClient(base);
        if (where === 'a state$ subscriber') client.state$.subscribe((s) => s.status === 'reconnecting' && x.send());
        if (where === 'an errors$ subscriber') client.errors$.subscribe((e) => e.code === ErrorCode.Forbidden && x.send());
        if (where === 'an onDisconnect callback') client.onDisconnect(() => x.send());
        expectObservable(sent()).toBe(AFTER_LOSS);
        expectObservable(statuses(client)).toBe(STATUS_AFTER_LOSS);
        lossCycle(ts, client, () => (cause === 'a close (1006)' ? FakeSocket.last.triggerClose(1006, '', false) : FakeSocket.last.triggerClose(1008, 'policy')));
      });
      expect(FakeSocket.instances).toHaveLength(2);
      expect(FakeSocket.instances[0]!.sent.map(letter)).toEqual(['c']);
      expect(await x.outcome()).toBe('resolved');
    });

    it.each(['a state$ subscriber', 'an errors$ subscriber', 'an onDisconnect callback'] as const)(
      'from %s, after a pong timeout: not written to the dead socket; written once after the next connect event',
      async (where) => {
        const ts = newScheduler();
        let client!: OneBotClient;
        const x = sender(() => client);
        ts.run(({ expectObservable }) => {
          ts.maxFrames = 5000;
          // Pings every 20 ms, 20 ms to answer; the first socket stops answering at 30.
          client = createClient({ ...base, WebSocketCtor: PingingFakeSocket, pingInterval: 20, pongTimeout: 20 });
          if (where === 'a state$ subscriber') client.state$.subscribe((s) => s.status === 'reconnecting' && x.send());
          if (where === 'an errors$ subscriber') client.errors$.subscribe((e) => e.code === ErrorCode.PongTimeout && x.send());
          if (where === 'an onDisconnect callback') client.onDisconnect(() => x.send());
          // Pings at 20 (answered), 40 (not): dead at 60; redial at 1060, open at 1070.
          expectObservable(sent()).toBe('c 1069ms (cx)');
          expectObservable(statuses(client)).toBe('(do) 56ms r 1009ms o');
          client.connect();
          at(ts, 0, () => FakeSocket.last.open());
          at(ts, 30, () => ((FakeSocket.last as PingingFakeSocket).answerPings = false));
          at(ts, 1070, () => FakeSocket.last.open());
        });
        expect((FakeSocket.instances[0] as PingingFakeSocket).terminated).toBe(true);
        expect(FakeSocket.instances[0]!.sent.map(letter)).toEqual(['c']);
        expect(await x.outcome()).toBe('resolved');
      },
    );
  });

  it('while waiting to redial: written once after the next connect event', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      expectObservable(sent()).toBe(AFTER_LOSS);
      lossCycle(ts, client, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 500, x.send);
    });
    expect(await x.outcome()).toBe('resolved');
  });

  it('during the redial (the new socket not open yet): written once after its connect event', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      expectObservable(sent()).toBe(AFTER_LOSS);
      lossCycle(ts, client, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 1055, () => {
        expect(FakeSocket.instances).toHaveLength(2);
        expect(FakeSocket.last.readyState).toBe(0);
        x.send();
      });
    });
    expect(await x.outcome()).toBe('resolved');
  });

  it('during a failed redial: waits through it, written once after the connect event of the one that opens', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      client.connect();
      // Open at 0, lost at 50; redial at 1050 fails at 1060; redial at 2060 opens at 2070.
      expectObservable(sent()).toBe('c 2069ms (cx)');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 50, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 1055, x.send);
      at(ts, 1060, () => FakeSocket.last.triggerError('connect ECONNREFUSED'));
      at(ts, 2070, () => FakeSocket.last.open());
    });
    expect(FakeSocket.instances).toHaveLength(3);
    expect(FakeSocket.instances[1]!.sent).toEqual([]);
    expect(await x.outcome()).toBe('resolved');
  });

  it('while closing (disconnect() waits for the server to answer the close): never written, rejected with ClientClosed', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient({ ...base, WebSocketCtor: m.slowClose });
      client.connect();
      expectObservable(sent()).toBe('c');
      // disconnect at 20 (closing until the answer at 120), the send at 30.
      expectObservable(statuses(client)).toBe('(do) 16ms z 99ms (x|)');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 20, () => void client.disconnect());
      at(ts, 30, () => {
        expect(client.state.status).toBe('closing');
        x.send();
      });
    });
    expect(FakeSocket.instances).toHaveLength(1);
    expect(await x.outcome()).toBe(ErrorCode.ClientClosed);
  });

  it('while waiting to redial, then the client stops: never written, rejected with ClientClosed', async () => {
    const ts = newScheduler();
    let client!: OneBotClient;
    const x = sender(() => client);
    ts.run(({ expectObservable }) => {
      ts.maxFrames = 5000;
      client = createClient(base);
      client.connect();
      expectObservable(sent()).toBe('c');
      expectObservable(statuses(client)).toBe('(do) 46ms r 149ms (x|)');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 50, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 100, x.send);
      at(ts, 200, () => void client.disconnect());
    });
    expect(FakeSocket.instances).toHaveLength(1);
    expect(await x.outcome()).toBe(ErrorCode.ClientClosed);
  });
});
