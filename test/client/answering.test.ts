/**
 * The answering engine (`answerCalls`) on virtual time: a handler that answers at once is answered at
 * once when a slot is free, and waits its turn (in order) when `concurrentHandlers` are busy; at most
 * `concurrentHandlers` handlers run at once, whatever mix of plain, Observable and Promise handlers.
 */
import { defer, finalize, map, Subject, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { answerCalls, type AnsweringConfig, type IncomingCall } from '../../src/client/api';
import type { ApiHandlers } from '../../src/protocol/answer';

const configOf = (scheduler: TestScheduler, handlers: Record<string, unknown>, concurrentHandlers: number): AnsweringConfig => ({
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

const call = (action: string, echo: number | string): IncomingCall => ({ request: { action, params: {}, echo }, size: 40 });

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
    answerCalls(in$, configOf(scheduler, { slow, quick }, concurrentHandlers)).subscribe((text) => {
      const a = JSON.parse(text) as { echo: number; data: unknown };
      answers.push([scheduler.now(), a.echo, a.data]);
    });
    for (const c of calls) in$.next(c);
  });
  return { answers, most };
};

describe('answerCalls: backpressure', () => {
  it('an answer goes out before the calls that its release lets in (resume replays held calls at once)', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const log: string[] = [];
    const slow = () => timer(10, scheduler).pipe(map(() => 'slow'));
    const quick = () => 'quick';
    scheduler.run(() => {
      const in$ = new Subject<IncomingCall>();
      let paused = false;
      const held: IncomingCall[] = [];
      const config: AnsweringConfig = {
        ...configOf(scheduler, { slow, quick }, 3),
        pendingCallsLimit: 4,
        // A socket that stops reading while paused, and hands over what it held as soon as it resumes.
        pause: () => {
          paused = true;
          log.push('pause');
        },
        resume: () => {
          paused = false;
          log.push('resume');
          for (const c of held.splice(0)) in$.next(c);
        },
      };
      answerCalls(in$, config).subscribe((text) => log.push(`answer ${(JSON.parse(text) as { echo: string }).echo}`));
      const arrive = (c: IncomingCall): void => (paused ? void held.push(c) : in$.next(c));
      for (const c of [call('slow', 'A'), call('slow', 'B'), call('slow', 'C'), call('quick', 'D'), call('quick', 'E')]) arrive(c);
    });
    // D's release resumes the socket: E comes in after D's answer, and waits for a slot (B, C and D hold them).
    expect(log).toEqual(['pause', 'answer A', 'answer D', 'resume', 'answer E', 'answer B', 'answer C']);
  });
});

describe('answerCalls: handler slots', () => {
  it('a call that arrives while a handler runs (re-entrant) waits for the slot, and is answered after it', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const log: string[] = [];
    let running = 0;
    let most = 0;
    scheduler.run(() => {
      const in$ = new Subject<IncomingCall>();
      const counted = (name: string, work: () => void) => () => {
        most = Math.max(most, ++running);
        work();
        running--;
        return name;
      };
      const handlers = { outer: counted('outer', () => in$.next(call('inner', 2))), inner: counted('inner', () => undefined) };
      answerCalls(in$, configOf(scheduler, handlers, 1)).subscribe((text) => log.push((JSON.parse(text) as { data: string }).data));
      in$.next(call('outer', 1));
    });
    expect(log).toEqual(['outer', 'inner']);
    expect(most).toBe(1);
  });

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
