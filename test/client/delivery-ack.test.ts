import { TestScheduler } from 'rxjs/testing';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { FakeSocket, PingingFakeSocket, letter } from './fake-socket';

/**
 * `confirmDelivery: 'ack'` (FINDINGS F1): a send resolves only once a pong to a ping written after it
 * came back; sends left unconfirmed when the link dies reject with `DeliveryUnknown` and are not sent
 * again. The fake answers pings like `ws` (same payload), at once or when released.
 */

const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', confirmDelivery: 'ack', WebSocketCtor: PingingFakeSocket, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000 };
const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
/** Lets promise reactions run. */
const settle = () => new Promise<void>((r) => setImmediate(r));
const sock = () => FakeSocket.last as PingingFakeSocket;

type Outcome = 'pending' | 'resolved' | `rejected ${string}`;
const watch = (p: Promise<unknown>) => {
  const o = { v: 'pending' as Outcome };
  p.then(
    () => (o.v = 'resolved'),
    (e: OneBotError) => (o.v = `rejected ${e.code}`),
  );
  return o;
};

const connected = (opts: Partial<ClientOptions> = {}) => {
  const client = createClient({ ...base, ...opts });
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  client.connect();
  sock().open();
  return { client, errors };
};

beforeEach(() => FakeSocket.reset());

describe("confirmDelivery 'ack' (sockets that can ping)", () => {
  it('resolves a send only when the pong of a ping written after it arrives', async () => {
    const { client } = connected();
    sock().holdPongs = true;
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    await settle();
    expect(sock().sent.map(letter)).toEqual(['c', 'a']);
    // One ping, right after the frame, carrying its number.
    expect(sock().pingData).toEqual(['1']);
    expect(sock().sentBeforePing).toEqual([2]);
    expect(a.v).toBe('pending');
    sock().releasePongs();
    await settle();
    expect(a.v).toBe('resolved');
    await client.disconnect();
  });

  it('coalesces: sends written while a ping is in flight share the next ping, sent when the pong comes', async () => {
    const { client } = connected();
    sock().holdPongs = true;
    const outcomes = ['a', 'b', 'c', 'd'].map((t) => watch(client.sendText(t, 'private', { targetId: 2 })));
    await settle();
    expect(sock().sent.map(letter)).toEqual(['c', 'a', 'b', 'c', 'd'].map((x, i) => (i === 0 ? 'c' : x)));
    expect(sock().pings).toBe(1);
    sock().releasePongs();
    await settle();
    // The pong covers `a` only; b, c, d get one ping together, written after all three.
    expect(outcomes.map((o) => o.v)).toEqual(['resolved', 'pending', 'pending', 'pending']);
    expect(sock().pingData).toEqual(['1', '2']);
    expect(sock().sentBeforePing).toEqual([2, 5]);
    sock().releasePongs();
    await settle();
    expect(outcomes.map((o) => o.v)).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);
    expect(sock().pings).toBe(2);
    await client.disconnect();
  });

  it('a long batch gets a ping every 128 frames, so the peer confirms it piecewise', async () => {
    const { client } = connected({ outboxLimit: 1000 });
    sock().holdPongs = true;
    const outcomes = Array.from({ length: 300 }, (_, i) => watch(client.sendText(`m${i}`, 'private', { targetId: 2 })));
    await settle();
    expect(sock().sentBeforePing).toEqual([2, 130, 258]);
    sock().releasePongs(2);
    await settle();
    // The first two pongs confirm the first 129 sends; the third ping is still unanswered.
    expect(outcomes.filter((o) => o.v === 'resolved')).toHaveLength(129);
    sock().releasePongs();
    await settle();
    // Its pong confirms up to 257, then one ping covers the last 43.
    expect(outcomes.filter((o) => o.v === 'resolved')).toHaveLength(257);
    expect(sock().sentBeforePing).toEqual([2, 130, 258, 301]);
    sock().releasePongs();
    await settle();
    expect(outcomes.every((o) => o.v === 'resolved')).toBe(true);
    await client.disconnect();
  });

  it('ignores pongs that answer no ping of ours (unsolicited, or another payload)', async () => {
    const { client } = connected();
    sock().holdPongs = true;
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    sock().pong('999');
    sock().pong();
    await settle();
    expect(a.v).toBe('pending');
    sock().releasePongs();
    await settle();
    expect(a.v).toBe('resolved');
    await client.disconnect();
  });

  it('on a lost link rejects the unconfirmed sends with DeliveryUnknown, reports it once, and does not send them again', async () => {
    const { client, errors } = connected();
    sock().holdPongs = true;
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    const b = watch(client.sendText('b', 'private', { targetId: 2 }));
    await settle();
    sock().triggerClose(1006, '', false);
    // Sent while disconnected: waits in the outbox, goes out after the next handshake.
    const c = watch(client.sendText('c', 'private', { targetId: 2 }));
    await settle();
    expect([a.v, b.v, c.v]).toEqual([`rejected ${ErrorCode.DeliveryUnknown}`, `rejected ${ErrorCode.DeliveryUnknown}`, 'pending']);
    const unknown = errors.filter((e) => e.code === ErrorCode.DeliveryUnknown);
    expect(unknown.map((e) => [e.message, e.data.count, e.data.cause, (e.data.frames as string[]).map((f) => JSON.parse(f).raw_message)])).toEqual([
      ['connection ended before the server confirmed 2 written frame(s): they may or may not have arrived, and are not sent again', 2, ErrorCode.ConnectionClosed, ['a', 'b']],
    ]);
    await client.disconnect();
  });

  it('after the reconnect only the never-written sends go out, after the connect event', () => {
    const ts = newScheduler();
    const outcomes: Array<{ v: Outcome }> = [];
    ts.run(() => {
      const client = createClient({ ...base, scheduler: ts });
      client.connect();
      ts.schedule(() => {
        sock().open();
        sock().holdPongs = true;
        outcomes.push(watch(client.sendText('a', 'private', { targetId: 2 })));
      }, 0);
      ts.schedule(() => sock().triggerClose(1006, '', false), 10);
      ts.schedule(() => outcomes.push(watch(client.sendText('b', 'private', { targetId: 2 }))), 20);
      // The redial is at 10 + 1000.
      ts.schedule(() => sock().open(), 1015);
      ts.schedule(() => {
        expect(FakeSocket.instances).toHaveLength(2);
        expect(FakeSocket.instances[0]!.sent.map(letter)).toEqual(['c', 'a']);
        expect(FakeSocket.instances[1]!.sent.map(letter)).toEqual(['c', 'b']);
        void client.disconnect();
      }, 1016);
    });
  });

  it('a half-open link: the unanswered ack ping fails the link within pongTimeout and the send rejects', async () => {
    const ts = newScheduler();
    const states: string[] = [];
    let error: OneBotError | undefined;
    let outcome: { v: Outcome } | undefined;
    ts.run(() => {
      const client = createClient({ ...base, scheduler: ts, pingInterval: 100, pongTimeout: 30 });
      client.state$.subscribe((s) => states.push(`${ts.now()} ${s.status}`));
      client.errors$.subscribe((e) => {
        if (e.code === ErrorCode.DeliveryUnknown) error = e;
      });
      client.connect();
      ts.schedule(() => {
        sock().open();
        sock().answerPings = false;
      }, 0);
      ts.schedule(() => (outcome = watch(client.sendText('a', 'private', { targetId: 2 }))), 5);
      ts.schedule(() => expect(outcome?.v).toBe('pending'), 34);
      ts.schedule(() => void client.disconnect(), 500);
    });
    // Ack ping at 5, no pong by 35: dead (before the periodic ping at 100 could even be sent).
    expect(states.slice(0, 5)).toEqual(['0 idle', '0 connecting', '0 open', '35 reconnecting', '500 closed']);
    expect((FakeSocket.instances[0] as PingingFakeSocket).terminated).toBe(true);
    expect(error?.data).toMatchObject({ count: 1, cause: ErrorCode.PongTimeout });
    await settle();
    expect(outcome?.v).toBe(`rejected ${ErrorCode.DeliveryUnknown}`);
  });

  it('an idle half-open link is still found by the periodic ping within pingInterval + pongTimeout', () => {
    const ts = newScheduler();
    const states: string[] = [];
    ts.run(() => {
      const client = createClient({ ...base, scheduler: ts, pingInterval: 100, pongTimeout: 30 });
      client.state$.subscribe((s) => states.push(`${ts.now()} ${s.status}`));
      client.connect();
      ts.schedule(() => {
        sock().open();
        sock().answerPings = false;
      }, 0);
      ts.schedule(() => void client.disconnect(), 500);
    });
    expect(states.slice(0, 4)).toEqual(['0 idle', '0 connecting', '0 open', '130 reconnecting']);
  });

  it('liveness and acknowledgement share one kind of ping: a periodic ping confirms what was written before it', async () => {
    const { client } = connected({ pingInterval: 0 });
    sock().holdPongs = true;
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    await settle();
    sock().releasePongs();
    await settle();
    expect(a.v).toBe('resolved');
    expect(sock().pings).toBe(1);
    await client.disconnect();
  });

  it('outboxLimit unconfirmed sends hold back further writes until confirmations make room; the waiting queue has its own outboxLimit', async () => {
    const { client, errors } = connected({ outboxLimit: 2 });
    sock().holdPongs = true;
    const sends = ['a', 'b', 'c', 'd', 'e'].map((t) => watch(client.sendText(t, 'private', { targetId: 2 })));
    await settle();
    // a, b written (unconfirmed: the bound is full); c, d wait; e finds the waiting queue full.
    expect(sends.map((s) => s.v)).toEqual(['pending', 'pending', 'pending', 'pending', `rejected ${ErrorCode.OutboxOverflow}`]);
    expect(sock().sent.map(letter)).toEqual(['c', 'a', 'b']);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.OutboxOverflow]);
    for (let i = 0; i < 4; i++) {
      sock().releasePongs();
      await settle();
    }
    expect(sock().sent.map(letter)).toEqual(['c', 'a', 'b', 'c', 'd']);
    expect(sends.slice(0, 4).map((s) => s.v)).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);
    await client.disconnect();
  });

  it('queued sends flushed after the handshake are acknowledged too', async () => {
    const client = createClient(base);
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    const b = watch(client.sendText('b', 'private', { targetId: 2 }));
    client.connect();
    sock().holdPongs = true;
    sock().open();
    await settle();
    expect(sock().sent.map(letter)).toEqual(['c', 'a', 'b']);
    expect(sock().sentBeforePing).toEqual([2]);
    expect([a.v, b.v]).toEqual(['pending', 'pending']);
    sock().releasePongs();
    await settle();
    sock().releasePongs();
    await settle();
    expect([a.v, b.v]).toEqual(['resolved', 'resolved']);
    await client.disconnect();
  });

  it('disconnect() pings for sends not yet covered before it writes the close frame', async () => {
    const { client } = connected();
    sock().holdPongs = true;
    let pingsAtClose = -1;
    const s = sock();
    const close = s.close.bind(s);
    s.close = (code?: number, reason?: string) => {
      pingsAtClose = s.pings;
      close(code, reason);
    };
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    const b = watch(client.sendText('b', 'private', { targetId: 2 }));
    await client.disconnect();
    await settle();
    expect(pingsAtClose).toBe(2);
    expect(s.sentBeforePing).toEqual([2, 3]);
    // This fake closes at once, before any pong: both are unknown, not "closed" (they were written).
    expect([a.v, b.v]).toEqual([`rejected ${ErrorCode.DeliveryUnknown}`, `rejected ${ErrorCode.DeliveryUnknown}`]);
  });
});

describe("confirmDelivery 'write', and sockets that cannot ping", () => {
  it("'write' resolves once written; the frame is still confirmed by a ping, and reported if its link dies first", async () => {
    const { client, errors } = connected({ confirmDelivery: 'write' });
    sock().holdPongs = true;
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    await settle();
    expect(a.v).toBe('resolved');
    expect(sock().pings).toBe(1);
    sock().triggerClose(1006, '', false);
    await settle();
    const unknown = errors.filter((e) => e.code === ErrorCode.DeliveryUnknown);
    expect(unknown.map((e) => (e.data.frames as string[]).map((f) => JSON.parse(f).raw_message))).toEqual([['a']]);
    await client.disconnect();
  });

  it("a socket without ping (browsers) falls back to 'write'", async () => {
    const client = createClient({ ...base, WebSocketCtor: FakeSocket, confirmDelivery: 'ack' });
    client.connect();
    FakeSocket.last.open();
    const a = watch(client.sendText('a', 'private', { targetId: 2 }));
    await settle();
    expect(a.v).toBe('resolved');
    await client.disconnect();
  });

  it('rejects an unknown confirmDelivery at createClient', () => {
    expect(() => createClient({ ...base, confirmDelivery: 'never' as 'ack' })).toThrow(
      new RangeError(`onebot-rx: option confirmDelivery must be 'ack' or 'write', got "never"`),
    );
  });
});
