/**
 * The reactive style: every inbound kind is a typed, hot stream; a bot is a few pipelines.
 *
 * - `!echo <text>` in a group is echoed back, at most once per `throttleMs` per group (throttleTime
 *   inside groupBy: a rate limit per group, not a global one);
 * - private messages are answered once the sender paused for `debounceMs` (debounceTime per user);
 * - a member joining a group is welcomed (`ofType('notice', 'group_increase')` narrows the type).
 *
 *   node -r esbuild-register examples/reactive.ts [url] [selfId]
 *
 * In your own project import from 'onebot-rx' instead of '../src'.
 */
import { EMPTY, catchError, of, type Observable, debounceTime, filter, fromEvent, groupBy, map, merge, mergeMap, takeUntil, throttleTime, timer } from 'rxjs';
import { createClient, createConsoleLogger, isGroup, ofType, type OneBotMessageEvent as MessageEvent, type OneBotClient } from '../src';
import { normalizeMessage } from '../src/protocol-entry';

export interface ReactiveOptions {
  readonly url?: string;
  readonly selfId?: number;
  /** Stop after this long... */
  readonly durationMs?: number;
  /** ...or when this signal aborts. */
  readonly signal?: AbortSignal;
  readonly throttleMs?: number;
  readonly debounceMs?: number;
  readonly print?: (line: string) => void;
}

export interface ReactiveResult {
  readonly echoed: number;
  readonly answered: number;
  readonly welcomed: number;
}

/** The plain text of a message, whatever its format (CQ string or segment array). */
export const textOf = (m: MessageEvent): string =>
  normalizeMessage(m.message)
    .filter((s) => s.type === 'text')
    .map((s) => String(s.data.text))
    .join('');

/** The bot's pipelines, separate from the connection so they can be tested on their own. */
export const echoBot = (client: OneBotClient, { throttleMs = 1000, debounceMs = 300 } = {}) => {
  const fromOthers = client.messages$.pipe(filter((m) => m.user_id !== client.selfId));

  const echoes = fromOthers.pipe(
    filter(isGroup), // Observable<GroupMessageEvent> from here on: m.group_id is a number
    map((m) => ({ groupId: m.group_id, text: textOf(m) })),
    filter(({ text }) => text.startsWith('!echo ')),
    groupBy(({ groupId }) => groupId),
    mergeMap((perGroup) => perGroup.pipe(throttleTime(throttleMs))),
    // sendText writes (or queues) synchronously, in call order, and its Promise only reports the
    // outcome: mergeMap keeps the order of the frames without waiting on Promises, so the pipeline
    // also runs on a TestScheduler's virtual time (see examples/testing-your-bot.ts).
    mergeMap(({ groupId, text }) => client.sendText(text.slice('!echo '.length), 'group', { groupId })),
  );

  const answers = client.privateMessages$.pipe(
    filter((m) => m.user_id !== client.selfId),
    groupBy((m) => m.user_id),
    mergeMap((perUser) => perUser.pipe(debounceTime(debounceMs))),
    mergeMap((m) => client.sendText(`you said: ${textOf(m)}`, 'private', { targetId: m.user_id })),
  );

  const welcomes = client.events$.pipe(
    ofType('notice', 'group_increase'), // narrowed to GroupIncreaseNotice
    mergeMap((n) => client.sendText(`welcome, ${n.user_id}!`, 'group', { groupId: n.group_id })),
  );

  // Each reply is tagged for counting. A failed send (the client stopped) ends its pipeline quietly
  // instead of erroring the whole bot.
  const tagged = <K extends string>(kind: K) => (source: Observable<unknown>) => source.pipe(map(() => kind), catchError(() => EMPTY));
  return merge(echoes.pipe(tagged('echoed')), answers.pipe(tagged('answered')), welcomes.pipe(tagged('welcomed')));
};

export async function main(options: ReactiveOptions = {}): Promise<ReactiveResult> {
  const { selfId = 12345, durationMs = 60_000, signal, print = console.log } = options;
  const url = options.url ?? process.env.ONEBOT_URL ?? 'ws://127.0.0.1:8000/ws/';
  const client = createClient({ url, selfId, reconnectInterval: 1000, logger: createConsoleLogger('warn') });

  const counts = { echoed: 0, answered: 0, welcomed: 0 };
  const aborted$ = signal === undefined ? EMPTY : signal.aborted ? of(true) : fromEvent(signal, 'abort');
  const stop$ = merge(timer(durationMs), aborted$);
  const done = new Promise<void>((resolve) => {
    echoBot(client, options)
      .pipe(takeUntil(stop$))
      .subscribe({
        next: (kind) => {
          counts[kind] += 1;
          print(`${kind} (${counts[kind]})`);
        },
        complete: resolve,
      });
  });
  client.connect();
  await done;
  await client.disconnect();
  return counts;
}

if (require.main === module) {
  main({ url: process.argv[2], selfId: process.argv[3] ? Number(process.argv[3]) : undefined }).then(
    (r) => console.log(`done: ${JSON.stringify(r)}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
