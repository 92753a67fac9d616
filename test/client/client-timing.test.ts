import { TestScheduler } from 'rxjs/testing';
import { asyncScheduler, map } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { ClientState } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { FakeSocket, PingingFakeSocket, letter } from './fake-socket';

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
/** Runs a marble test; timers that would run forever (heartbeats, pings) stop at `horizon`. */
const run = (ts: TestScheduler, horizon: number, body: Parameters<TestScheduler['run']>[0]) =>
  ts.run((helpers) => {
    ts.maxFrames = horizon;
    return body(helpers);
  });

/** A socket whose dial always fails 1 ms after it starts. */
class RefusedSocket extends FakeSocket {
  constructor(url: string) {
    super(url);
    asyncScheduler.schedule(() => this.triggerError('connect ECONNREFUSED 127.0.0.1:1'), 1);
  }
}
const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', WebSocketCtor: FakeSocket, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000 };
const S: Record<ClientState['status'], string> = { idle: 'i', connecting: 'c', open: 'o', reconnecting: 'r', closing: 'z', closed: 'x' };
const statusLetters = (s: ClientState) => S[s.status];
const sentLetters = () => FakeSocket.sent$.pipe(map(letter));
const at = (ts: TestScheduler, ms: number, fn: () => void) => ts.schedule(fn, ms);

beforeEach(() => FakeSocket.reset());

describe('handshake', () => {
  it('writes the connect event first, then the sends queued before the socket opened, in order', () => {
    const ts = newScheduler();
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient(base);
      void client.sendText('a', 'private', { targetId: 2 });
      void client.sendText('b', 'group', { groupId: 3 });
      client.connect();
      at(ts, 10, () => FakeSocket.last.open());
      at(ts, 20, () => void client.sendText('d', 'private', { targetId: 2 }));
      expectObservable(sentLetters()).toBe('10ms (cab) 5ms d');
      expectObservable(client.state$.pipe(map(statusLetters))).toBe('c 9ms o');
    });
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('times the dial out after handshakeTimeout and redials (the stale socket is closed first)', () => {
    const ts = newScheduler();
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, handshakeTimeout: 300 });
      client.connect();
      at(ts, 1400, () => FakeSocket.last.open());
      expectObservable(client.state$.pipe(map(statusLetters))).toBe('c 299ms r 1099ms o');
      at(ts, 301, () => {
        expect(FakeSocket.instances[0]!.closedWith).toEqual({ code: undefined, reason: undefined });
        expect(client.state.error?.code).toBe(ErrorCode.HandshakeTimeout);
      });
    });
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe('heartbeat', () => {
  it('sends a heartbeat every heartbeatInterval while open, carrying interval and status, restarting on reconnect', () => {
    const ts = newScheduler();
    const frames: string[] = [];
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, heartbeatInterval: 100, status: () => ({ online: true, good: false, x: 1 }) });
      FakeSocket.sent$.subscribe((f) => frames.push(f));
      client.connect();
      // open at 0: c; beats at 100, 200; lost at 250 (no beats while offline);
      // redial at 1250, open at 1300: c; beats at 1400, 1500.
      expectObservable(sentLetters(), '^ 1550ms !').toBe('c 99ms h 99ms h 1099ms c 99ms h 99ms h');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 250, () => FakeSocket.last.triggerClose(1001, 'going away'));
      at(ts, 1300, () => FakeSocket.last.open());
    });
    const beat = JSON.parse(frames[1]!) as Record<string, unknown>;
    expect(beat).toEqual({ time: 0, self_id: 12345, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: true, good: false, x: 1 }, interval: 100 });
  });

  it('heartbeatInterval 0 disables heartbeats; role API sends neither connect event nor heartbeats', () => {
    const ts = newScheduler();
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, role: 'API', heartbeatInterval: 50 });
      void client.send({ status: 'ok', retcode: 0, data: null });
      client.connect();
      at(ts, 5, () => FakeSocket.last.open());
      expectObservable(sentLetters(), '^ 300ms !').toBe('5ms r');
    });
  });
});

describe('reconnect', () => {
  it('redials reconnectInterval after a loss, and sends the connect event again', () => {
    const ts = newScheduler();
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient(base);
      client.connect();
      expectObservable(client.state$.pipe(map(statusLetters))).toBe('(co) 46ms r 1009ms o');
      expectObservable(sentLetters()).toBe('c 1059ms c');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 50, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 1060, () => FakeSocket.last.open());
      // Checks scheduled now run before the redial timer due at the same frame, hence +1.
      at(ts, 1050, () => expect(FakeSocket.instances).toHaveLength(1));
      at(ts, 1051, () => expect(FakeSocket.instances).toHaveLength(2));
    });
  });

  it('backs off exponentially with per-attempt jitter up to the cap', () => {
    const ts = newScheduler();
    const delays: number[] = [];
    const draws = [0, 1, 0, 0.5, 0];
    let i = 0;
    run(ts, 3000, () => {
      const client = createClient({ ...base, WebSocketCtor: RefusedSocket, reconnectInterval: 100, backoff: { factor: 2, max: 500, jitter: 0.5 }, random: () => draws[i++ % draws.length]! });
      client.state$.subscribe((s) => s.delay !== undefined && delays.push(s.delay));
      client.connect();
    });
    // attempt 1: 100 * (1 + .5*0) = 100; 2: 200 * 1.5 = 300; 3: 400; 4: min(500, 800*1.25) = 500; 5: 500
    expect(delays.slice(0, 5)).toEqual([100, 300, 400, 500, 500]);
  });

  it('gives up after maxReconnectAttempts: state closed, run() resolves, pending sends reject', async () => {
    const ts = newScheduler();
    let final: Promise<ClientState> | undefined;
    let pending: Promise<void> | undefined;
    const errors: OneBotError[] = [];
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, maxReconnectAttempts: 2 });
      client.errors$.subscribe((e) => errors.push(e));
      pending = client.send({ status: 'ok', retcode: 0, data: null });
      final = client.run();
      at(ts, 10, () => FakeSocket.last.triggerError('Unexpected server response: 403'));
      at(ts, 1020, () => FakeSocket.last.triggerError('Unexpected server response: 403'));
      at(ts, 2030, () => FakeSocket.last.triggerError('Unexpected server response: 403'));
      expectObservable(client.state$.pipe(map((s) => `${S[s.status]}${s.attempt}`)), '^ 5000ms !').toBe('a 9ms b 1009ms d 1009ms (x|)', {
        a: 'c0',
        b: 'r1',
        d: 'r2',
        x: 'x2',
      });
    });
    expect(FakeSocket.instances).toHaveLength(3);
    const state = await final!;
    expect(state).toMatchObject({ status: 'closed', reason: 'attempts-exhausted', attempt: 2 });
    expect(state.error?.code).toBe(ErrorCode.Forbidden);
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.AttemptsExhausted });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.Forbidden, ErrorCode.Forbidden, ErrorCode.Forbidden]);
  });

  it('resets the attempt count only after the connection stayed up minUptime', () => {
    const ts = newScheduler();
    const attempts: number[] = [];
    run(ts, 10_000, () => {
      const client = createClient({ ...base, minUptime: 500 });
      client.state$.subscribe((s) => s.status === 'reconnecting' && attempts.push(s.attempt));
      client.connect();
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 100, () => FakeSocket.last.triggerClose(1008, 'invalid x-self-id')); // up 100 ms: 1
      at(ts, 1101, () => FakeSocket.last.open());
      at(ts, 1201, () => FakeSocket.last.triggerClose(1008, 'invalid x-self-id')); // up 100 ms: 2
      at(ts, 2202, () => FakeSocket.last.open());
      at(ts, 3000, () => FakeSocket.last.triggerClose(1001)); // up 800 ms: reset → 1
    });
    expect(attempts).toEqual([1, 2, 1]);
  });

  it('reports a 1008 close as Forbidden with the server reason in state.lastClose', () => {
    const ts = newScheduler();
    const errors: OneBotError[] = [];
    run(ts, 10_000, () => {
      const client = createClient(base);
      client.errors$.subscribe((e) => errors.push(e));
      client.connect();
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 5, () => FakeSocket.last.triggerClose(1008, 'Duplicate X-Self-ID'));
      at(ts, 6, () => expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 1, lastClose: { code: 1008, reason: 'Duplicate X-Self-ID' }, delay: 1000 }));
    });
    expect(errors.map((e) => [e.code, e.message])).toEqual([[ErrorCode.Forbidden, 'server closed the connection: 1008 policy violation: Duplicate X-Self-ID']]);
  });
});

describe('liveness', () => {
  it('terminates and redials when a ping goes unanswered for pongTimeout', () => {
    const ts = newScheduler();
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, WebSocketCtor: PingingFakeSocket, pingInterval: 100, pongTimeout: 30 });
      client.connect();
      // pings at 100 (answered), 200 (not) → dead at 230
      expectObservable(client.state$.pipe(map(statusLetters)), '^ 1000ms !').toBe('(co) 226ms r');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 150, () => ((FakeSocket.last as PingingFakeSocket).answerPings = false));
      at(ts, 231, () => {
        expect((FakeSocket.instances[0] as PingingFakeSocket).terminated).toBe(true);
        expect(client.state.error?.code).toBe(ErrorCode.PongTimeout);
      });
    });
  });
});
