/** Pure parts of artillery-engine-onebot: id ranges and worker slots, reply matching, error names, options. */
import { Conversations, ReplyTimeout, TooManyWaiters, matches, type Reply } from '../../packages/artillery-engine-onebot/src/conversations';
import { errorNameOf, nameOfThrown, StepError } from '../../packages/artillery-engine-onebot/src/errors';
import { IdRange, workerSlot } from '../../packages/artillery-engine-onebot/src/ids';
import { durationMs, resolveOptions } from '../../packages/artillery-engine-onebot/src/options';
import { parseExpectation } from '../../packages/artillery-engine-onebot/src/engine';

const reply = (over: Partial<Reply>): Reply => ({ messageType: 'private', userId: 1, groupId: undefined, text: '', rawMessage: '', ...over });

describe('worker slots and id ranges', () => {
  it.each([
    ['single worker', undefined, {}, { slot: 0, source: 'single' }],
    ['local worker 3 of 4', [{ worker: 3, totalWorkers: 4 }], {}, { slot: 2, source: 'artillery-local' }],
    ['process index 1, one local worker', [{ worker: 1, totalWorkers: 1 }], { ONEBOT_WORKER_INDEX: '1' }, { slot: 1, source: 'env' }],
    ['process index 2 × 3 local workers, worker 2', [{ worker: 2, totalWorkers: 3 }], { ONEBOT_WORKER_INDEX: '2' }, { slot: 7, source: 'env' }],
  ])('%s', (_name, phases, env, want) => {
    expect(workerSlot(phases as never, env, 1000)).toEqual(want);
  });

  it('hashes a cloud WORKER_ID into the slot space, stably', () => {
    const a = workerSlot(undefined, { WORKER_ID: 'worker-abc' }, 1000);
    expect(a.source).toBe('artillery-cloud');
    expect(a.slot).toBeGreaterThanOrEqual(0);
    expect(a.slot).toBeLessThan(1000);
    expect(workerSlot(undefined, { WORKER_ID: 'worker-abc' }, 1000)).toEqual(a);
  });

  it('refuses a malformed ONEBOT_WORKER_INDEX', () => {
    expect(() => workerSlot(undefined, { ONEBOT_WORKER_INDEX: '-1' }, 1000)).toThrow(/non-negative integer/);
    expect(() => workerSlot(undefined, { ONEBOT_WORKER_INDEX: 'x' }, 1000)).toThrow(/non-negative integer/);
  });

  it('never hands out an id of another slot, and stops at the stride', () => {
    const a = new IdRange(1000, 0, 3);
    const b = new IdRange(1000, 1, 3);
    const fromA = [a.take(), a.take(), a.take(), a.take()];
    const fromB = [b.take(), b.take(), b.take()];
    expect(fromA).toEqual([1000, 1001, 1002, undefined]);
    expect(fromB).toEqual([1003, 1004, 1005]);
    expect(b.at(2)).toBe(1005);
    expect(b.at(3)).toBeUndefined();
  });

  it('refuses a range beyond safe integers', () => {
    expect(() => new IdRange(Number.MAX_SAFE_INTEGER - 10, 5, 10)).toThrow(/MAX_SAFE_INTEGER/);
  });
});

describe('reply correlation', () => {
  it('matches text (plain or CQ), regex and any', () => {
    expect(matches({ kind: 'text', text: 'hi' }, reply({ text: 'hi' }))).toBe(true);
    expect(matches({ kind: 'text', text: '[CQ:face,id=1]' }, reply({ text: '', rawMessage: '[CQ:face,id=1]' }))).toBe(true);
    expect(matches({ kind: 'text', text: 'hi' }, reply({ text: 'hi!' }))).toBe(false);
    expect(matches({ kind: 'regex', regex: /^h/g }, reply({ text: 'hi' }))).toBe(true);
    expect(matches({ kind: 'regex', regex: /^h/g }, reply({ text: 'hi' }))).toBe(true); // lastIndex reset
    expect(matches({ kind: 'any' }, reply({}))).toBe(true);
  });

  it('resolves the first waiter of the same conversation whose expectation holds', async () => {
    let t = 0;
    const c = new Conversations(10, 100, () => t);
    const a = c.expect('group', 5, { kind: 'text', text: 'for a' }, 1000);
    const b = c.expect('group', 5, { kind: 'any' }, 1000);
    const other = c.expect('private', 5, { kind: 'any' }, 1000);
    t = 7;
    expect(c.offer(reply({ messageType: 'group', groupId: 5, text: 'for a' }))).toBe(true);
    await expect(a.promise).resolves.toMatchObject({ elapsedMs: 7 });
    t = 9;
    expect(c.offer(reply({ messageType: 'group', groupId: 5, text: 'whatever' }))).toBe(true);
    await expect(b.promise).resolves.toMatchObject({ elapsedMs: 9 });
    expect(c.offer(reply({ messageType: 'group', groupId: 6, text: 'x' }))).toBe(false); // other group
    expect(c.pending).toBe(1);
    other.cancel();
    expect(c.pending).toBe(0);
  });

  it('times out, fails all on loss, and is bounded', async () => {
    const c = new Conversations(10, 2);
    const slow = c.expect('private', 1, { kind: 'any' }, 20);
    await expect(slow.promise).rejects.toBeInstanceOf(ReplyTimeout);
    const x = c.expect('private', 1, { kind: 'any' }, 1000);
    const y = c.expect('private', 2, { kind: 'any' }, 1000);
    expect(() => c.expect('private', 3, { kind: 'any' }, 1000)).toThrow(TooManyWaiters);
    c.failAll(new StepError('closed_1006'));
    await expect(x.promise).rejects.toThrow('closed_1006');
    await expect(y.promise).rejects.toThrow('closed_1006');
    expect(c.pending).toBe(0);
  });
});

describe('error names', () => {
  it.each([
    [{ error: { code: 'ONEBOT_UNAUTHORIZED', data: { status: 401 } } }, 'handshake_401'],
    [{ error: { code: 'ONEBOT_FORBIDDEN', data: { status: 403 } } }, 'handshake_403'],
    [{ error: { code: 'ONEBOT_SOCKET_ERROR', data: { status: 502 } } }, 'handshake_502'],
    [{ error: { code: 'ONEBOT_FORBIDDEN', data: { code: 1008, reason: 'Duplicate X-Self-ID' } } }, 'closed_1008'],
    [{ error: { code: 'ONEBOT_CONNECTION_CLOSED', data: { code: 1006 } } }, 'closed_1006'],
    [{ error: { code: 'ONEBOT_HANDSHAKE_TIMEOUT', data: {} } }, 'handshake_timeout'],
    [{ error: { code: 'ONEBOT_PONG_TIMEOUT', data: {} } }, 'pong_timeout'],
    [{ error: { code: 'ONEBOT_SOCKET_ERROR', message: 'connect ECONNREFUSED 127.0.0.1:1', data: {} } }, 'connect_refused'],
    [{ lastClose: { code: 1011 } }, 'closed_1011'],
    [{}, 'socket_error'],
  ])('%j → %s', (state, name) => {
    expect(errorNameOf(state)).toBe(name);
  });

  it('names thrown errors', () => {
    expect(nameOfThrown(new StepError('reply_timeout'))).toBe('reply_timeout');
    expect(nameOfThrown(Object.assign(new Error('x'), { code: 'ONEBOT_DELIVERY_UNKNOWN' }))).toBe('delivery_unknown');
    expect(nameOfThrown(Object.assign(new Error('x'), { code: 'ONEBOT_OUTBOX_OVERFLOW' }))).toBe('send_failed_outbox_overflow');
    expect(nameOfThrown(new Error('user code'))).toBe('function_failed');
  });
});

describe('options and step values', () => {
  it('applies defaults and takes config.target as the url', () => {
    const o = resolveOptions(undefined, 'ws://127.0.0.1:1/');
    expect(o).toMatchObject({ url: 'ws://127.0.0.1:1/', selfIdBase: 1_000_000_000, idStride: 1_000_000, replyTimeoutMs: 10_000, messageFormat: 'array' });
  });

  it('refuses bad values with the field named', () => {
    expect(() => resolveOptions({ idStride: 0 }, undefined)).toThrow(/idStride/);
    expect(() => resolveOptions({ replyTimeout: 'soon' }, undefined)).toThrow(/replyTimeout/);
    expect(() => resolveOptions({ messageFormat: 'xml' }, undefined)).toThrow(/messageFormat/);
  });

  it.each([
    [2, 2000],
    ['2', 2000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['1m', 60000],
  ])('duration %j = %d ms', (v, ms) => {
    expect(durationMs(v, 'x')).toBe(ms);
  });

  it('parses expectReply forms', () => {
    expect(parseExpectation(undefined)).toBeUndefined();
    expect(parseExpectation('any')).toEqual({ kind: 'any' });
    expect(parseExpectation('hi')).toEqual({ kind: 'text', text: 'hi' });
    expect(parseExpectation({ text: 3 })).toEqual({ kind: 'text', text: '3' });
    expect(parseExpectation({ regex: '^a', flags: 'i' })).toMatchObject({ kind: 'regex' });
    expect(() => parseExpectation({ regex: '(' })).toThrow(/regex/);
    expect(() => parseExpectation([1])).toThrow(/expectReply/);
  });
});
