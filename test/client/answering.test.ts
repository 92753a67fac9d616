/**
 * The answering engine (`answerCalls`) on virtual time: a handler that answers at once is answered at
 * once when a slot is free, and waits its turn (in order) when `concurrentHandlers` are busy; at most
 * `concurrentHandlers` handlers run at once, whatever mix of plain, Observable and Promise handlers.
 */
import { defer, finalize, map, Subject, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { answerCalls, type AnsweringConfig, type IncomingCall } from '../../src/client/api';
import type { ApiHandlers } from '../../src/protocol/answer';

const config = (scheduler: TestScheduler, handlers: Record<string, unknown>, concurrentHandlers: number): AnsweringConfig => ({
  handlers: () => handlers as unknown as ApiHandlers,
  scheduler,
  apiTimeout: 1000,
  concurrentHandlers,
  pendingCallsLimit: 100,
  pendingCallsBytes: 1 << 20,
  rateLimitInterval: 0,
  rateLimitedLimit: 10,
  rateLimitedBytes: 1 << 20,
  maxPayload: 1 << 20,
  report: () => undefined,
});

const call = (action: string, echo: number): IncomingCall => ({ request: { action, params: {}, echo }, size: 40 });

/** Runs `calls` through the engine at frame 0 and returns `[frame, echo, data]` of every answer. */
const answersOf = (concurrentHandlers: number, calls: IncomingCall[]): { answers: [number, number, unknown][]; most: number } => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const answers: [number, number, unknown][] = [];
  let running = 0;
  let most = 0;
  const slow = () =>
    defer(() => {
      most = Math.max(most, ++running);
      return timer(10, scheduler).pipe(
        map(() => 'slow'),
        finalize(() => running--),
      );
    });
  const quick = () => {
    most = Math.max(most, running + 1);
    return 'quick';
  };
  scheduler.run(() => {
    const in$ = new Subject<IncomingCall>();
    answerCalls(in$, config(scheduler, { slow, quick }, concurrentHandlers)).subscribe((text) => {
      const a = JSON.parse(text) as { echo: number; data: unknown };
      answers.push([scheduler.now(), a.echo, a.data]);
    });
    for (const c of calls) in$.next(c);
  });
  return { answers, most };
};

describe('answerCalls: handler slots', () => {
  it('answers a plain handler at once while slots are free', () => {
    const { answers } = answersOf(2, [call('quick', 1), call('quick', 2), call('slow', 3), call('quick', 4)]);
    expect(answers).toEqual([
      [0, 1, 'quick'],
      [0, 2, 'quick'],
      [0, 4, 'quick'],
      [10, 3, 'slow'],
    ]);
  });

  it('queues every handler, plain ones included, in arrival order while the slots are busy', () => {
    const { answers, most } = answersOf(2, [call('slow', 1), call('slow', 2), call('quick', 3), call('slow', 4), call('quick', 5), call('slow', 6)]);
    expect(answers).toEqual([
      [10, 1, 'slow'],
      [10, 3, 'quick'],
      [10, 2, 'slow'],
      [10, 5, 'quick'],
      [20, 4, 'slow'],
      [20, 6, 'slow'],
    ]);
    expect(most).toBe(2);
  });

  it('never runs more than concurrentHandlers at once', () => {
    const calls = Array.from({ length: 40 }, (_, i) => call(i % 3 === 0 ? 'quick' : 'slow', i));
    const { answers, most } = answersOf(3, calls);
    expect(most).toBe(3);
    expect(answers.map(([, echo]) => echo).sort((a, b) => a - b)).toEqual(calls.map((_, i) => i));
  });
});
