import { TestScheduler } from 'rxjs/testing';
import { map, of, delay, NEVER, throwError } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { SentMessage } from '../../src/client/builtins';
import type { ClientState } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import type { MessageEvent } from '../../src/protocol/codecs/events';
import { FakeSocket, letter } from './fake-socket';

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const run = (ts: TestScheduler, horizon: number, body: Parameters<TestScheduler['run']>[0]) =>
  ts.run((helpers) => {
    ts.maxFrames = horizon;
    return body(helpers);
  });
const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', WebSocketCtor: FakeSocket, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000 };
const at = (ts: TestScheduler, ms: number, fn: () => void) => ts.schedule(fn, ms);
const json = (s: string) => JSON.parse(s) as Record<string, unknown>;

const privateMessage = (text: string, userId = 20002000) =>
  JSON.stringify({
    time: 1,
    self_id: 12345,
    post_type: 'message',
    message_type: 'private',
    sub_type: 'friend',
    message_id: 7,
    user_id: userId,
    message: [{ type: 'text', data: { text } }],
    raw_message: text,
    font: 0,
    sender: { user_id: userId },
  });

beforeEach(() => FakeSocket.reset());

describe('outbox', () => {
  it('keeps sends made while disconnected and flushes them after the next handshake, in order, exactly once', async () => {
    const ts = newScheduler();
    const promises: Promise<unknown>[] = [];
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient(base);
      client.connect();
      expectObservable(FakeSocket.sent$.pipe(map(letter))).toBe('c 1199ms (cabd)');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 10, () => FakeSocket.last.triggerClose(1006, '', false));
      at(ts, 20, () => promises.push(client.sendText('a', 'private', { targetId: 1 }), client.sendText('b', 'private', { targetId: 1 })));
      at(ts, 1011, () => expect(FakeSocket.instances).toHaveLength(2)); // redialed at 1010
      at(ts, 1100, () => promises.push(client.sendText('d', 'private', { targetId: 1 }))); // dialing, not open yet
      at(ts, 1200, () => FakeSocket.last.open());
    });
    await expect(Promise.all(promises)).resolves.toHaveLength(3);
    expect(FakeSocket.instances[0]!.sent.map(letter)).toEqual(['c']);
    expect(FakeSocket.instances[1]!.sent.map(letter)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('rejects the newest send beyond outboxLimit with OutboxOverflow and reports it on errors$', async () => {
    const ts = newScheduler();
    const errors: OneBotError[] = [];
    const results: Promise<unknown>[] = [];
    run(ts, 1000, () => {
      const client = createClient({ ...base, outboxLimit: 2 });
      client.errors$.subscribe((e) => errors.push(e));
      results.push(client.sendText('a', 'private'), client.sendText('b', 'private'), client.sendText('c', 'private'));
      client.connect();
      at(ts, 5, () => FakeSocket.last.open());
    });
    const settled = await Promise.allSettled(results);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.OutboxOverflow, message: 'outbox full (2 frames waiting; outboxLimit 2, outboxBytes 16777216): send rejected' });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.OutboxOverflow]);
    expect(FakeSocket.last.sent.map(letter)).toEqual(['c', 'a', 'b']);
  });

  it('holds frames while the socket is above the high-water mark and releases them in order when it drains', () => {
    const ts = newScheduler();
    run(ts, 1000, ({ expectObservable }) => {
      const client = createClient({ ...base, highWaterMark: 100 });
      client.connect();
      expectObservable(FakeSocket.sent$.pipe(map(letter))).toBe('c 9ms a 39ms (bd)');
      at(ts, 0, () => FakeSocket.last.open());
      at(ts, 10, () => {
        void client.sendText('a', 'private');
        FakeSocket.last.bufferedAmount = 500;
        void client.sendText('b', 'private');
        void client.sendText('d', 'private');
      });
      at(ts, 45, () => (FakeSocket.last.bufferedAmount = 0)); // next poll at 50
    });
  });

  it('rejects unsendable frames at once: InvalidOutgoing and FrameTooLarge', async () => {
    const client = createClient({ ...base, maxPayload: 64 });
    await expect(client.send([1] as never)).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
    await expect(client.send({ foo: 1 } as never)).rejects.toMatchObject({
      code: ErrorCode.InvalidOutgoing,
      message: 'a frame must be an event (post_type), an API response (status, retcode, no post_type) or an API request (action)',
    });
    await expect(client.send('not json')).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
    const big = { status: 'ok', retcode: 0, data: 'x'.repeat(100) } as const;
    await expect(client.send(big)).rejects.toMatchObject({ code: ErrorCode.FrameTooLarge, data: { maxPayload: 64 } });
    await expect(client.sendText('x', 'group')).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
    await client.disconnect();
  });
});

describe('inbound', () => {
  it('routes frames to the typed streams', () => {
    const ts = newScheduler();
    const seen: string[] = [];
    run(ts, 1000, () => {
      const client = createClient(base);
      client.privateMessages$.subscribe((m) => seen.push(`private ${m.raw_message}`));
      client.groupMessages$.subscribe((m) => seen.push(`group ${m.group_id}`));
      client.notices$.subscribe((n) => seen.push(`notice ${n.notice_type}`));
      client.requestEvents$.subscribe((r) => seen.push(`request ${r.request_type}`));
      client.meta$.subscribe((m) => seen.push(`meta ${m.meta_event_type}`));
      client.events$.subscribe((e) => seen.push(`event ${e.post_type}`));
      client.responses$.subscribe((r) => seen.push(`response ${r.retcode}`));
      client.connect();
      at(ts, 0, () => {
        const s = FakeSocket.last;
        s.open();
        s.triggerMessage(privateMessage('hi'));
        s.triggerMessage(JSON.stringify({ ...json(privateMessage('x')), message_type: 'group', sub_type: 'normal', group_id: 9, anonymous: null }));
        s.triggerMessage(JSON.stringify({ time: 1, self_id: 1, post_type: 'notice', notice_type: 'friend_add', user_id: 2 }));
        s.triggerMessage(JSON.stringify({ time: 1, self_id: 1, post_type: 'request', request_type: 'friend', user_id: 2, comment: '', flag: 'f' }));
        s.triggerMessage(JSON.stringify({ time: 1, self_id: 1, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: true, good: true }, interval: 5 }));
        s.triggerMessage(JSON.stringify({ time: 1, self_id: 1, post_type: 'custom_thing', x: 1 }));
        s.triggerMessage(JSON.stringify({ status: 'ok', retcode: 0, data: null }));
      });
    });
    // Each frame reaches its streams' subscribers in the order they subscribed.
    expect(seen).toEqual([
      'private hi',
      'event message',
      'group 9',
      'event message',
      'notice friend_add',
      'event notice',
      'request friend',
      'event request',
      'meta heartbeat',
      'event meta_event',
      'event custom_thing',
      'response 0',
    ]);
  });

  it('turns bad input into errors$ values and keeps the connection (no reconnect)', () => {
    const ts = newScheduler();
    const errors: OneBotError[] = [];
    const messages: MessageEvent[] = [];
    let state: ClientState | undefined;
    run(ts, 1000, () => {
      const client = createClient(base);
      client.errors$.subscribe((e) => errors.push(e));
      client.messages$.subscribe((m) => messages.push(m));
      client.connect();
      at(ts, 0, () => {
        const s = FakeSocket.last;
        s.open();
        s.triggerMessage('{not json');
        s.triggerMessage('[1,2]');
        s.triggerMessage(JSON.stringify({ ...json(privateMessage('x')), user_id: 'nope' }));
        s.triggerMessage(new ArrayBuffer(4));
        s.triggerMessage(JSON.stringify({ hello: 1 }));
        s.triggerMessage(privateMessage('still alive'));
      });
      at(ts, 500, () => (state = client.state));
    });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.InvalidJson, ErrorCode.NotObject, ErrorCode.InvalidEvent, ErrorCode.BinaryFrame, ErrorCode.UnknownFrame]);
    expect(errors[2]!.message).toContain('user_id: expected number, got string "nope"');
    expect(messages.map((m) => m.raw_message)).toEqual(['still alive']);
    expect(state?.status).toBe('open');
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('validate: false trusts event shapes but still routes and rejects non-JSON', () => {
    const ts = newScheduler();
    const errors: string[] = [];
    const seen: unknown[] = [];
    run(ts, 100, () => {
      const client = createClient({ ...base, validate: false });
      client.errors$.subscribe((e) => errors.push(e.code));
      client.messages$.subscribe((m) => seen.push(m.user_id));
      client.connect();
      at(ts, 0, () => {
        FakeSocket.last.open();
        FakeSocket.last.triggerMessage(JSON.stringify({ ...json(privateMessage('x')), user_id: 'unchecked' }));
        FakeSocket.last.triggerMessage('nope');
      });
    });
    expect(seen).toEqual(['unchecked']);
    expect(errors).toEqual([ErrorCode.InvalidJson]);
  });
});

describe('API answers', () => {
  const call = (action: string, params: unknown, echo: unknown) => JSON.stringify({ action, params, echo });

  it('answers built-ins at once with echo copied verbatim (number, string, object) and 1404 for unknown actions', () => {
    const ts = newScheduler();
    const sent: SentMessage[] = [];
    run(ts, 100, () => {
      const client = createClient({ ...base, selfId: 10001, nickname: 'bot' });
      client.sent$.subscribe((m) => sent.push(m));
      client.connect();
      at(ts, 0, () => {
        const s = FakeSocket.last;
        s.open();
        s.triggerMessage(call('get_login_info', undefined, 17));
        s.triggerMessage(call('send_private_msg', { user_id: '20002000', message: 'hi [CQ:face,id=1]' }, '18'));
        s.triggerMessage(call('send_msg', { group_id: 5, message: [{ type: 'text', data: { text: 'g' } }] }, { seq: 19 }));
        s.triggerMessage(call('get_guild_service_profile', {}, 20));
        s.triggerMessage(call('send_group_msg', { message: 'x' }, 21));
      });
    });
    const answers = FakeSocket.last.sent.slice(1).map(json);
    expect(answers[0]).toEqual({ status: 'ok', retcode: 0, data: { user_id: 10001, nickname: 'bot' }, message: '', wording: '', echo: 17 });
    expect(answers[1]).toMatchObject({ status: 'ok', retcode: 0, echo: '18', data: { message_id: sent[0]!.messageId } });
    expect(answers[2]).toMatchObject({ status: 'ok', retcode: 0, echo: { seq: 19 }, data: { message_id: sent[1]!.messageId } });
    expect(answers[3]).toMatchObject({ status: 'failed', retcode: 1404, echo: 20, data: null });
    expect(answers[4]).toMatchObject({ status: 'failed', retcode: 1400, echo: 21 });
    expect(sent.map((m) => [m.messageType, m.userId, m.groupId, m.rawMessage])).toEqual([
      ['private', 20002000, undefined, 'hi [CQ:face,id=1]'],
      ['group', undefined, 5, 'g'],
    ]);
    expect(sent[0]!.messageId).not.toBe(sent[1]!.messageId);
  });

  it('runs user handlers returning Observables on the scheduler, times them out, and reports failures', () => {
    const ts = newScheduler();
    const errors: OneBotError[] = [];
    run(ts, 2000, ({ expectObservable }) => {
      const client = createClient({ ...base, apiTimeout: 500 });
      client.errors$.subscribe((e) => errors.push(e));
      client.handle('get_friend_list', () => of([{ user_id: 1, nickname: 'a', remark: '' }]).pipe(delay(100)));
      client.handle('get_group_list', () => NEVER);
      client.handle('get_cookies', () => {
        throw new Error('boom');
      });
      client.handle('clean_cache', () => throwError(() => new Error('disk')));
      client.connect();
      expectObservable(FakeSocket.sent$.pipe(map((f) => String(json(f).echo ?? 'c')))).toBe('(c34) 95ms 1 399ms 2');
      at(ts, 0, () => {
        const s = FakeSocket.last;
        s.open();
        s.triggerMessage(call('get_friend_list', {}, 1));
        s.triggerMessage(call('get_group_list', {}, 2));
        s.triggerMessage(call('get_cookies', {}, 3));
        s.triggerMessage(call('clean_cache', {}, 4));
      });
    });
    const byEcho = new Map(FakeSocket.last.sent.slice(1).map((f) => [json(f).echo, json(f)]));
    expect(byEcho.get(1)).toMatchObject({ status: 'ok', data: [{ user_id: 1, nickname: 'a', remark: '' }] });
    expect(byEcho.get(2)).toMatchObject({ status: 'failed', retcode: 1500, message: 'handler for get_group_list did not answer within 500 ms' });
    expect(byEcho.get(3)).toMatchObject({ status: 'failed', retcode: 1500, message: 'boom' });
    expect(byEcho.get(4)).toMatchObject({ status: 'failed', retcode: 1500, message: 'disk' });
    expect(errors.map((e) => e.code).sort()).toEqual([ErrorCode.HandlerFailed, ErrorCode.HandlerFailed, ErrorCode.HandlerTimeout].sort());
  });

  it('_async actions are answered async at once; handle() returns an undo that restores the default', () => {
    const ts = newScheduler();
    const calls: string[] = [];
    run(ts, 100, () => {
      const client = createClient(base);
      const undo = client.handle('get_login_info', () => ({ user_id: 1, nickname: 'mine' }));
      client.handle('send_like', (p) => void calls.push(`like ${p.user_id}`));
      client.connect();
      at(ts, 0, () => {
        FakeSocket.last.open();
        FakeSocket.last.triggerMessage(call('send_like_async', { user_id: '5' }, 1));
        FakeSocket.last.triggerMessage(call('get_login_info', {}, 2));
        undo();
        FakeSocket.last.triggerMessage(call('get_login_info', {}, 3));
      });
    });
    const answers = FakeSocket.last.sent.slice(1).map(json);
    expect(answers[0]).toMatchObject({ status: 'async', retcode: 1, data: null, echo: 1 });
    expect(answers[1]).toMatchObject({ data: { nickname: 'mine' }, echo: 2 });
    expect(answers[2]).toMatchObject({ data: { user_id: 12345, nickname: 'onebot-rx' }, echo: 3 });
    expect(calls).toEqual(['like 5']);
  });

  it('answers a malformed API request with 1400 and its echo', () => {
    const ts = newScheduler();
    run(ts, 100, () => {
      const client = createClient(base);
      client.connect();
      at(ts, 0, () => {
        FakeSocket.last.open();
        FakeSocket.last.triggerMessage(JSON.stringify({ action: 5, echo: 'e1' }));
      });
    });
    expect(json(FakeSocket.last.sent[1]!)).toMatchObject({ status: 'failed', retcode: 1400, echo: 'e1' });
  });
});

describe('lifecycle', () => {
  it('disconnect() closes with 1000, never redials, ends every stream and run() resolves', async () => {
    const ts = newScheduler();
    let final: Promise<ClientState> | undefined;
    let disconnected: Promise<void> | undefined;
    let late: Promise<void> | undefined;
    run(ts, 10_000, ({ expectObservable }) => {
      const client = createClient({ ...base, heartbeatInterval: 100 });
      final = client.run();
      expectObservable(client.state$.pipe(map((s) => s.status[0]))).toBe('c 9ms o 39ms (cc|)'); // closing, then closed when the close is answered
      expectObservable(client.messages$).toBe('50ms |');
      at(ts, 10, () => FakeSocket.last.open());
      at(ts, 50, () => (disconnected = client.disconnect()));
      at(ts, 60, () => {
        late = client.send({ status: 'ok', retcode: 0, data: null });
        late.catch(() => undefined); // asserted below
      });
    });
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.last.closedWith).toEqual({ code: 1000, reason: 'client disconnect' });
    await expect(disconnected).resolves.toBeUndefined();
    await expect(final).resolves.toMatchObject({ status: 'closed', reason: 'disconnected' });
    await expect(late).rejects.toMatchObject({ code: ErrorCode.ClientClosed });
  });

  it('run() and disconnect() on a stopped client resolve at once with the final state', async () => {
    const client = createClient(base);
    await client.disconnect();
    await expect(client.run()).resolves.toMatchObject({ status: 'closed', reason: 'disconnected' });
    await expect(client.disconnect()).resolves.toBeUndefined();
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('disconnect() while waiting to reconnect cancels the redial and rejects queued sends with ClientClosed', async () => {
    const ts = newScheduler();
    let pending: Promise<unknown> | undefined;
    run(ts, 10_000, () => {
      const client = createClient(base);
      client.connect();
      at(ts, 5, () => FakeSocket.last.triggerError('connect ECONNREFUSED'));
      at(ts, 10, () => {
        pending = client.sendText('a', 'private');
        void client.disconnect();
      });
    });
    expect(FakeSocket.instances).toHaveLength(1);
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ClientClosed, message: 'client closed' });
  });

  it('connect() is idempotent', () => {
    const ts = newScheduler();
    run(ts, 100, () => {
      const client = createClient(base);
      client.connect();
      client.connect();
      at(ts, 1, () => client.connect());
    });
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('callbacks fire on connect, message and disconnect; a throwing callback is reported, the stream goes on', () => {
    const ts = newScheduler();
    const log: string[] = [];
    const errors: OneBotError[] = [];
    run(ts, 5000, () => {
      const client = createClient(base);
      client.onError((e) => errors.push(e));
      client.onConnect((s) => log.push(`connect ${s.attempt}`));
      client.onDisconnect((close) => log.push(`disconnect ${close?.code}`));
      const off = client.onMessage((m) => {
        log.push(`message ${m.raw_message}`);
        throw new Error('callback bug');
      });
      client.connect();
      at(ts, 0, () => {
        FakeSocket.last.open();
        FakeSocket.last.triggerMessage(privateMessage('1'));
        FakeSocket.last.triggerMessage(privateMessage('2'));
        off();
        FakeSocket.last.triggerMessage(privateMessage('3'));
        FakeSocket.last.triggerClose(1001, 'bye');
      });
      at(ts, 1001, () => FakeSocket.last.open());
    });
    expect(log).toEqual(['connect 0', 'message 1', 'message 2', 'disconnect 1001', 'connect 1']);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [ErrorCode.CallbackFailed, 'onMessage callback failed: callback bug'],
      [ErrorCode.CallbackFailed, 'onMessage callback failed: callback bug'],
    ]);
  });

  it('builds events with the bound selfId (client.createConnectEvent, createHeartbeatEvent, createTextMessage)', () => {
    const client = createClient({ ...base, selfId: 777, heartbeatInterval: 15000, messageFormat: 'string' });
    expect(client.createConnectEvent()).toMatchObject({ self_id: 777, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });
    expect(client.createHeartbeatEvent()).toMatchObject({ self_id: 777, interval: 15000, status: { online: true, good: true } });
    expect(client.createTextMessage('a[b]', 'group', { groupId: 3 })).toMatchObject({ self_id: 777, group_id: 3, message: 'a&#91;b&#93;', user_id: 777 });
    void client.disconnect();
  });
});
