import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode } from '../../src/protocol/errors';
import { FakeSocket, letter } from './fake-socket';

/**
 * What a user observes of the client's surface: hot streams, detached methods, built-ins that
 * answer with each client's settings, and handler outcomes settled on the scheduler.
 */

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', WebSocketCtor: FakeSocket, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000 };
const json = (s: string) => JSON.parse(s) as Record<string, unknown>;
const groupMessage = (text: string) =>
  JSON.stringify({
    time: 1,
    self_id: 12345,
    post_type: 'message',
    message_type: 'group',
    sub_type: 'normal',
    message_id: 7,
    group_id: 3,
    user_id: 2,
    anonymous: null,
    message: [{ type: 'text', data: { text } }],
    raw_message: text,
    font: 0,
    sender: { user_id: 2 },
  });

beforeEach(() => FakeSocket.reset());

describe('inbound streams are hot', () => {
  it('a late subscriber sees what a hot stream would: only what arrives after it subscribed', () => {
    const ts = newScheduler();
    const early: string[] = [];
    const late: string[] = [];
    const lateGroups: string[] = [];
    ts.run(() => {
      const client = createClient(base);
      client.messages$.subscribe((m) => early.push(m.raw_message));
      client.connect();
      ts.schedule(() => {
        FakeSocket.last.open();
        FakeSocket.last.triggerMessage(groupMessage('a'));
      }, 0);
      ts.schedule(() => {
        // First subscribers of these streams: nothing that came before is replayed.
        client.events$.subscribe((e) => late.push((e as { raw_message: string }).raw_message));
        client.groupMessages$.subscribe((m) => lateGroups.push(m.raw_message));
      }, 5);
      ts.schedule(() => FakeSocket.last.triggerMessage(groupMessage('b')), 10);
    });
    expect(early).toEqual(['a', 'b']);
    expect(late).toEqual(['b']);
    expect(lateGroups).toEqual(['b']);
  });

  it('a stream first subscribed after the client stopped completes at once, as a completed Subject would', async () => {
    const client = createClient(base);
    await client.disconnect();
    const seen: string[] = [];
    const streams: Observable<unknown>[] = [client.frames$, client.events$, client.messages$, client.requests$, client.errors$, client.sent$, client.state$];
    for (const stream of streams) {
      stream.subscribe({ next: () => seen.push('next'), complete: () => seen.push('complete') });
    }
    // Each completes at once (a completed BehaviorSubject replays nothing).
    expect(seen).toEqual(Array(7).fill('complete'));
  });

  it('returns the same stream object on every access', () => {
    const client = createClient(base);
    expect(client.messages$).toBe(client.messages$);
    expect(client.state$).toBe(client.state$);
    expect(client.errors$).toBe(client.errors$);
  });
});

describe('client methods', () => {
  it('work detached from the client (const { send, sendText, connect } = client)', async () => {
    const client = createClient(base);
    const { connect, send, sendText, createTextMessage, handle, disconnect, onError } = client;
    const errors: string[] = [];
    onError((e) => errors.push(e.code));
    connect();
    FakeSocket.last.open();
    await sendText('a', 'private', { targetId: 1 });
    await send(createTextMessage('b', 'group', { groupId: 3 }));
    await expect(send([1] as never)).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
    handle('get_login_info', () => ({ user_id: 1, nickname: 'x' }));
    FakeSocket.last.triggerMessage(JSON.stringify({ action: 'get_login_info', params: {}, echo: 1 }));
    FakeSocket.last.triggerMessage('not json');
    expect(FakeSocket.last.sent.map(letter)).toEqual(['c', 'a', 'b', 'r']);
    expect(errors).toEqual([ErrorCode.InvalidJson]);
    await disconnect();
    expect(client.state.status).toBe('closed');
  });

  it('a send written at once resolves; sendText resolves with its event', async () => {
    const client = createClient(base);
    client.connect();
    FakeSocket.last.open();
    const event = await client.sendText('hi', 'group', { groupId: 3 });
    expect(event).toMatchObject({ message_type: 'group', group_id: 3, raw_message: 'hi', self_id: 12345, user_id: 12345 });
    expect(json(FakeSocket.last.sent[1]!)).toEqual(JSON.parse(JSON.stringify(event)));
    await expect(client.send(event)).resolves.toBeUndefined();
    await client.disconnect();
  });

  it('sendText rejects a frame too large for maxPayload with FrameTooLarge', async () => {
    const client = createClient({ ...base, maxPayload: 64 });
    await expect(client.sendText('x'.repeat(100), 'private', { targetId: 1 })).rejects.toMatchObject({ code: ErrorCode.FrameTooLarge });
    await client.disconnect();
  });
});

describe('built-in API handlers', () => {
  it("are shared but answer with each client's own settings", async () => {
    const a = createClient({ ...base, selfId: 111, nickname: 'a' });
    const b = createClient({ ...base, selfId: 222, nickname: 'b' });
    a.connect();
    const sa = FakeSocket.last;
    b.connect();
    const sb = FakeSocket.last;
    sa.open();
    sb.open();
    const call = JSON.stringify({ action: 'get_login_info', params: {}, echo: 'e' });
    sa.triggerMessage(call);
    sb.triggerMessage(call);
    expect(json(sa.sent[1]!)).toMatchObject({ data: { user_id: 111, nickname: 'a' }, echo: 'e' });
    expect(json(sb.sent[1]!)).toMatchObject({ data: { user_id: 222, nickname: 'b' }, echo: 'e' });
    // Overriding one client's handler leaves the other's built-in in place; undo restores it.
    const undo = a.handle('get_login_info', () => ({ user_id: 1, nickname: 'override' }));
    sa.triggerMessage(call);
    sb.triggerMessage(call);
    expect(json(sa.sent[2]!)).toMatchObject({ data: { nickname: 'override' } });
    expect(json(sb.sent[2]!)).toMatchObject({ data: { nickname: 'b' } });
    undo();
    sa.triggerMessage(call);
    expect(json(sa.sent[3]!)).toMatchObject({ data: { nickname: 'a' } });
    await Promise.all([a.disconnect(), b.disconnect()]);
  });
});

describe('API answering', () => {
  const call = (action: string, echo: number) => JSON.stringify({ action, params: {}, echo });

  it('_rate_limited calls run one at a time, rateLimitInterval apart after each settles; failures are reported', () => {
    const ts = newScheduler();
    const started: number[] = [];
    const errors: string[] = [];
    let socket: FakeSocket | undefined;
    ts.run(({ cold }) => {
      const client = createClient({ ...base, scheduler: ts, rateLimitInterval: 500 });
      client.errors$.subscribe((e) => errors.push(`${e.code} ${e.message}`));
      let n = 0;
      client.handle('get_status', () => {
        started.push(ts.now());
        n++;
        if (n === 2) throw new Error('boom');
        return cold('100ms (x|)', { x: { online: true, good: true } });
      });
      client.connect();
      ts.schedule(() => {
        socket = FakeSocket.last;
        socket.open();
        for (let i = 1; i <= 3; i++) socket.triggerMessage(call('get_status_rate_limited', i));
      }, 0);
    });
    // 1st at 0 settles at 100, 2nd at 600 throws at once, 3rd at 1100.
    expect(started).toEqual([0, 600, 1100]);
    expect(errors).toEqual([`${ErrorCode.HandlerFailed} handler for get_status_rate_limited failed: boom`]);
    // Every call was answered `async` at once.
    expect(socket!.sent.slice(1).map(json)).toEqual([1, 2, 3].map((echo) => expect.objectContaining({ status: 'async', retcode: 1, echo })));
  });

  it('a handler whose promise never settles is answered with a timeout failure after apiTimeout', () => {
    const ts = newScheduler();
    const errors: string[] = [];
    let socket: FakeSocket | undefined;
    ts.run(() => {
      const client = createClient({ ...base, scheduler: ts, apiTimeout: 1000 });
      client.errors$.subscribe((e) => errors.push(e.code));
      client.handle('get_status', () => new Promise(() => undefined));
      client.connect();
      ts.schedule(() => {
        socket = FakeSocket.last;
        socket.open();
        socket.triggerMessage(call('get_status', 7));
      }, 0);
      ts.schedule(() => expect(socket!.sent).toHaveLength(1), 999);
    });
    expect(json(socket!.sent[1]!)).toMatchObject({ status: 'failed', retcode: 1500, echo: 7, message: 'handler for get_status did not answer within 1000 ms' });
    expect(errors).toEqual([ErrorCode.HandlerTimeout]);
  });

  it('an Observable handler completing without a value answers null; only its first value is taken', () => {
    const ts = newScheduler();
    let socket: FakeSocket | undefined;
    ts.run(({ cold }) => {
      const client = createClient({ ...base, scheduler: ts });
      client.handle('get_status', () => cold('10ms |'));
      client.handle('get_login_info', () => cold('10ms a 10ms b|', { a: 1, b: 2 }));
      client.connect();
      ts.schedule(() => {
        socket = FakeSocket.last;
        socket.open();
        socket.triggerMessage(call('get_status', 1));
        socket.triggerMessage(call('get_login_info', 2));
      }, 0);
    });
    expect(socket!.sent.slice(1).map(json)).toEqual([
      expect.objectContaining({ status: 'ok', data: null, echo: 1 }),
      expect.objectContaining({ status: 'ok', data: 1, echo: 2 }),
    ]);
  });
});
