/**
 * Each step of artillery-engine-onebot against a fake Artillery event emitter, with real onebot-rx
 * clients talking to the reference server running a small echo application on 127.0.0.1.
 */
import { startEchoServer, type EchoServer } from '../../packages/artillery-engine-onebot/support/echo-server';
import { Metric } from '../../packages/artillery-engine-onebot/src/metrics';
import { FakeEvents, makeEngine, runVu } from './fake-artillery';

let echo: EchoServer;

beforeAll(async () => {
  echo = await startEchoServer({ accessToken: undefined });
});
afterAll(async () => {
  await echo.close();
});

const engineFor = (extra: Record<string, unknown> = {}, env: Record<string, string | undefined> = {}) =>
  makeEngine({ target: echo.url, engines: { onebot: { replyTimeout: 3, ...extra } } }, env);

describe('connect', () => {
  it('opens a real connection under a generated self id and reports onebot.handshake_ms', async () => {
    const engine = engineFor({ selfIdBase: 500_000, idStride: 1000 });
    const { err, context, events } = await runVu(engine, [{ connect: {} }, { hold: 0.2 }]);
    expect(err).toBeNull();
    expect(context.vars['selfId']).toBe(500_000);
    expect(events.count('started')).toBe(1);
    expect(events.histogram(Metric.handshakeMs)).toHaveLength(1);
    expect(events.histogram(Metric.handshakeMs)[0]).toBeGreaterThan(0);
    expect(events.counter(Metric.connectionsOpened)).toBe(1);
    expect(echo.server.connections.some((c) => c.selfId === 500_000 && c.handshakeAt !== undefined)).toBe(true);
    // The VU's end closes its connection cleanly.
    const closed = await echo.server.waitForDisconnect(500_000, 3000);
    expect(closed.closeCode).toBe(1000);
  });

  it('takes the self id, user id and url from templates (payload fields)', async () => {
    const engine = makeEngine({ engines: { onebot: {} } });
    const { err, context } = await runVu(engine, [{ connect: { url: '{{ server }}', selfId: '{{ bot }}', userId: '{{ me }}' } }], {
      server: echo.url,
      bot: '424242',
      me: 77,
    });
    expect(err).toBeNull();
    expect(context.onebot?.selfId).toBe(424242);
    expect(context.onebot?.userId).toBe(77);
    expect(echo.server.connections.some((c) => c.selfId === 424242)).toBe(true);
  });

  it('names a refused handshake: handshake_401 without a token, handshake_403 with a wrong one', async () => {
    const guarded = await startEchoServer({ accessToken: 'sesame' });
    try {
      const engine = makeEngine({ target: guarded.url, engines: { onebot: { selfIdBase: 610_000 } } });
      const none = await runVu(engine, [{ connect: {} }]);
      expect(none.err).not.toBeNull();
      expect(none.events.errors()).toEqual(['handshake_401']);
      const wrong = await runVu(engine, [{ connect: { accessToken: 'nope' } }]);
      expect(wrong.events.errors()).toEqual(['handshake_403']);
      const right = await runVu(engine, [{ connect: { accessToken: 'sesame' } }]);
      expect(right.err).toBeNull();
      expect(right.events.errors()).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('names a connection refused (nothing listening) connect_refused', async () => {
    const engine = makeEngine({ target: 'ws://127.0.0.1:1/ws/', engines: { onebot: {} } });
    const { err, events } = await runVu(engine, [{ connect: {} }]);
    expect(err).not.toBeNull();
    expect(events.errors()).toEqual(['connect_refused']);
  });

  it('fails with self_id_exhausted rather than step into the next worker slot', async () => {
    const engine = engineFor({ selfIdBase: 720_000, userIdBase: 730_000, idStride: 2 });
    const events = new FakeEvents();
    const results = await Promise.all([0, 1, 2].map(() => runVu(engine, [{ connect: {} }, { hold: 0.2 }], {}, events)));
    expect(results.map((r) => r.err === null)).toEqual([true, true, false]);
    expect(events.errors()).toEqual(['self_id_exhausted']);
    expect(results.slice(0, 2).map((r) => r.context.onebot?.selfId)).toEqual([720_000, 720_001]);
  });

  it('generates ids in this worker slot: ONEBOT_WORKER_INDEX × idStride', async () => {
    const engine = engineFor({ selfIdBase: 740_000, userIdBase: 750_000, idStride: 100 }, { ONEBOT_WORKER_INDEX: '3' });
    const { err, context } = await runVu(engine, [{ connect: {} }]);
    expect(err).toBeNull();
    expect(context.onebot?.selfId).toBe(740_300);
    expect(context.onebot?.userId).toBe(750_300);
    expect(engine.slot).toEqual({ slot: 3, source: 'env' });
  });

  it('warns once when a templated self id meets several local workers (they all read every payload row)', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const engine = makeEngine({ target: echo.url, phases: [{ worker: 1, totalWorkers: 2 }], engines: { onebot: {} } });
      engine.createScenario({ flow: [{ connect: { selfId: '{{ selfId }}' } }, { connect: { selfId: '{{ other }}' } }] }, new FakeEvents());
      engine.createScenario({ flow: [{ connect: {} }] }, new FakeEvents());
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/2 local workers.*collide/);
      const single = makeEngine({ target: echo.url, phases: [{ worker: 1, totalWorkers: 1 }], engines: { onebot: {} } });
      single.createScenario({ flow: [{ connect: { selfId: '{{ selfId }}' } }] }, new FakeEvents());
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('shares a pool of bots between VUs (many users behind a few bots)', async () => {
    const engine = engineFor({ selfIdBase: 700_000, idStride: 100 });
    const events = new FakeEvents();
    const flow = [{ connect: { pool: 2 } }, { privateMessage: { text: '/echo {{ userId }}', expectReply: '{{ userId }}' } }, { hold: 0.3 }];
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => runVu(engine, flow, {}, events)));
    expect(results.map((r) => r.err)).toEqual([null, null, null, null, null]);
    const bots = new Set(results.map((r) => r.context.onebot?.selfId));
    expect([...bots].sort()).toEqual([700_098, 700_099]); // pool bots sit at the top of the worker's range
    const users = new Set(results.map((r) => r.context.onebot?.userId));
    expect(users.size).toBe(5);
    expect(events.counter(Metric.connectionsOpened)).toBe(2);
    expect(events.histogram(Metric.replyMs)).toHaveLength(5);
  });
});

describe('privateMessage', () => {
  it('times the reply from event sent to the matching send_msg (text expectation)', async () => {
    const engine = engineFor({ selfIdBase: 800_000 });
    const { err, events, context } = await runVu(engine, [
      { connect: {} },
      { privateMessage: { text: '/echo hello {{ name }}', expectReply: 'hello {{ name }}', capture: 'answer' } },
    ], { name: 'world' });
    expect(err).toBeNull();
    expect(events.counter(Metric.messagesSent)).toBe(1);
    expect(events.histogram(Metric.replyMs)).toHaveLength(1);
    expect(events.counter(`${Metric.apiPrefix}send_msg`)).toBe(1);
    expect(events.histogram(Metric.apiAnswerMs)).toHaveLength(1);
    expect(context.vars['answer']).toBe('hello world');
  });

  it('accepts regex and any expectations, and segments or CQ strings as content', async () => {
    const engine = engineFor({ selfIdBase: 810_000 });
    const { err, events } = await runVu(engine, [
      { connect: {} },
      { privateMessage: { message: [{ type: 'text', data: { text: '/echo abc123' } }], expectReply: { regex: '^ABC\\d+$', flags: 'i' } } },
      { privateMessage: { message: '/echo x&#91;y', expectReply: 'any' } },
    ]);
    expect(err).toBeNull();
    expect(events.histogram(Metric.replyMs)).toHaveLength(2);
  });

  it('counts a reply that never matches as onebot.reply_timeout and fails the VU with reply_timeout', async () => {
    const engine = engineFor({ selfIdBase: 820_000 });
    const started = Date.now();
    const { err, events } = await runVu(engine, [{ connect: {} }, { privateMessage: { text: '/echo one', expectReply: 'two', timeout: 0.3 } }]);
    expect(err).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(events.counter(Metric.replyTimeout)).toBe(1);
    expect(events.errors()).toEqual(['reply_timeout']);
    expect(events.counter(Metric.replyUnmatched)).toBe(1); // the reply "one" came, nobody wanted it
  });

  it('with onTimeout: continue, counts the timeout and goes on', async () => {
    const engine = engineFor({ selfIdBase: 830_000 });
    const { err, events } = await runVu(engine, [
      { connect: {} },
      { privateMessage: { text: 'no command', expectReply: 'any', timeout: '200ms', onTimeout: 'continue' } },
      { privateMessage: { text: '/echo after', expectReply: 'after' } },
    ]);
    expect(err).toBeNull();
    expect(events.counter(Metric.replyTimeout)).toBe(1);
    expect(events.histogram(Metric.replyMs)).toHaveLength(1);
  });

  it('fails with no_connection before a connect step', async () => {
    const { err, events } = await runVu(engineFor(), [{ privateMessage: { text: 'hi' } }]);
    expect(err).not.toBeNull();
    expect(events.errors()).toEqual(['no_connection']);
  });
});

describe('groupMessage', () => {
  it('mentions the bot (atBot) and correlates the group reply among several users of one group', async () => {
    const engine = engineFor({ selfIdBase: 900_000, idStride: 100 });
    const events = new FakeEvents();
    const flow = [
      { connect: { pool: 1 } },
      { groupMessage: { groupId: '{{ group }}', atBot: true, text: '/echo from {{ userId }}', expectReply: 'from {{ userId }}', capture: 'got' } },
    ];
    const results = await Promise.all([1, 2, 3].map(() => runVu(engine, flow, { group: 5555 }, events)));
    for (const r of results) {
      expect(r.err).toBeNull();
      expect(r.context.vars['got']).toBe(`from ${r.context.onebot?.userId}`);
    }
    expect(events.histogram(Metric.replyMs)).toHaveLength(3);
    const sent = echo.server.events().filter((e) => e.event.post_type === 'message' && e.event['group_id'] === 5555);
    expect(sent.every((e) => String(e.event['raw_message']).startsWith(`[CQ:at,qq=${results[0]!.context.onebot?.selfId}]`))).toBe(true);
  });

  it('needs a group id', async () => {
    const { err, events } = await runVu(engineFor({ selfIdBase: 910_000 }), [{ connect: {} }, { groupMessage: { text: 'x' } }]);
    expect(err).not.toBeNull();
    expect(events.errors()).toEqual(['invalid_step']);
  });
});

describe('think, loop, hold, function, log', () => {
  it('think waits the templated time', async () => {
    const started = Date.now();
    const { err } = await runVu(engineFor(), [{ think: '{{ pause }}' }], { pause: '250ms' });
    expect(err).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('loop runs its steps count times with $loopCount, or over a list with $loopElement', async () => {
    const engine = engineFor({ selfIdBase: 920_000 });
    const { err, events } = await runVu(engine, [
      { connect: {} },
      { loop: [{ privateMessage: { text: '/echo n{{ $loopCount }}', expectReply: 'n{{ $loopCount }}' } }], count: '{{ times }}' },
      { loop: [{ privateMessage: { text: '/echo {{ $loopElement }}', expectReply: '{{ $loopElement }}' } }], over: 'words' },
    ], { times: 3, words: ['a', 'b'] });
    expect(err).toBeNull();
    expect(events.histogram(Metric.replyMs)).toHaveLength(5);
  });

  it('loop refuses to run forever without count, over or whileTrue', async () => {
    const { err, events } = await runVu(engineFor(), [{ loop: [{ think: 0 }] }]);
    expect(err).not.toBeNull();
    expect(events.errors()).toEqual(['invalid_step']);
  });

  it('hold keeps the connection for the time given, and fails at once with closed_<code> when it is lost', async () => {
    const engine = engineFor({ selfIdBase: 930_000 });
    const ok = await runVu(engine, [{ connect: {} }, { hold: 0.3 }]);
    expect(ok.err).toBeNull();
    const started = Date.now();
    const pending = runVu(engine, [{ connect: { selfId: 931_000 } }, { hold: 30 }]);
    await echo.server.waitForBot(931_000, 3000);
    await echo.server.kick(931_000, 4001, 'kicked by test');
    const lost = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lost.err).not.toBeNull();
    expect(lost.events.errors()).toEqual(['closed_4001']);
    expect(lost.events.counter(Metric.connectionsLost)).toBe(1);
  });

  it('function calls a processor function: callback style, async style, and a failure is reported', async () => {
    const calls: string[] = [];
    const processor = {
      withDone: (ctx: { vars: Record<string, unknown> }, _events: unknown, done: () => void) => {
        calls.push('done');
        ctx.vars['fromDone'] = 1;
        setTimeout(done, 10);
      },
      asyncOne: async (ctx: { onebot?: { send(f: unknown): Promise<void>; selfId?: number } }) => {
        calls.push('async');
        // Custom code can send any frame through the VU's bot.
        await ctx.onebot!.send({ time: 1, self_id: ctx.onebot!.selfId!, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: true, good: true }, interval: 1000 } as never);
      },
      broken: async () => {
        throw new Error('boom');
      },
    };
    const engine = makeEngine({ target: echo.url, processor, engines: { onebot: { selfIdBase: 940_000 } } });
    const ok = await runVu(engine, [{ connect: {} }, { function: 'withDone' }, { function: 'asyncOne' }]);
    expect(ok.err).toBeNull();
    expect(calls).toEqual(['done', 'async']);
    expect(ok.context.vars['fromDone']).toBe(1);
    const bad = await runVu(engine, [{ function: 'broken' }]);
    expect(bad.err?.message).toBe('boom');
    expect(bad.events.errors()).toEqual(['function_failed']);
  });

  it('answerer: a processor function plugs in the answers to the application\'s API calls (the world seam)', async () => {
    const attached: number[] = [];
    const processor = {
      // As in docs/guides/load-testing.md ("Who answers the application's API calls").
      worldAnswerer(options: { userIdBase: number }) {
        return {
          attach(client: { handle(action: string, handler: () => unknown): () => void }, bot: { selfId: number }) {
            attached.push(bot.selfId);
            const undo = client.handle('get_friend_list', () => [{ user_id: options.userIdBase, nickname: 'u', remark: '' }]);
            return undo;
          },
        };
      },
    };
    const engine = makeEngine({ target: echo.url, processor, engines: { onebot: { selfIdBase: 950_000, userIdBase: 960_000, answerer: 'worldAnswerer' } } });
    const vu = runVu(engine, [{ connect: {} }, { hold: 1 }]);
    await echo.server.waitForBot(950_000, 3000);
    const answer = await echo.server.callApi(950_000, 'get_friend_list');
    expect(answer).toMatchObject({ status: 'ok', retcode: 0, data: [{ user_id: 960_000, nickname: 'u', remark: '' }] });
    const { err, events } = await vu;
    expect(err).toBeNull();
    expect(attached).toEqual([950_000]);
    expect(events.counter(`${Metric.apiPrefix}get_friend_list`)).toBe(1);
    expect(events.histogram(Metric.apiAnswerMs)).toHaveLength(1);
  });

  it('answerer: one that answers send_msg itself reports the bot\'s messages, and replies are still timed', async () => {
    const processor = {
      storeAnswerer() {
        let nextId = 1;
        return {
          attach(
            client: { handle(action: string, handler: (params: Record<string, unknown>) => unknown): () => void },
            _bot: unknown,
            reportReply: (m: { messageType: 'private' | 'group'; userId?: number; groupId?: number; message: Array<{ type: string; data: Record<string, unknown> }> }) => void,
          ) {
            return client.handle('send_msg', (params) => {
              const group = params['message_type'] === 'group';
              reportReply({
                messageType: group ? 'group' : 'private',
                userId: group ? undefined : Number(params['user_id']),
                groupId: group ? Number(params['group_id']) : undefined,
                message: [{ type: 'text', data: { text: String(params['message']) } }],
              });
              return { message_id: nextId++ };
            });
          },
        };
      },
    };
    const engine = makeEngine({ target: echo.url, processor, engines: { onebot: { selfIdBase: 970_000, answerer: 'storeAnswerer' } } });
    const { err, events } = await runVu(engine, [
      { connect: {} },
      { privateMessage: { text: '/echo stored', expectReply: 'stored' } },
      { groupMessage: { groupId: 42, atBot: true, text: '/echo in group', expectReply: 'in group' } },
    ]);
    expect(err).toBeNull();
    expect(events.histogram(Metric.replyMs)).toHaveLength(2);
    expect(events.counter(Metric.replyUnmatched)).toBe(0);
  });

  it('refuses an answerer name with no processor function behind it', () => {
    expect(() => makeEngine({ target: echo.url, engines: { onebot: { answerer: 'missing' } } })).toThrow(/answerer/);
  });

  it('an unknown step is refused when the scenario is compiled', () => {
    expect(() => engineFor().createScenario({ flow: [{ fly: 1 }] }, new FakeEvents())).toThrow(/unknown step/);
  });
});
