/**
 * Answering the API calls a server makes (`{ action, params, echo }` → a response with the same
 * `echo`). `client.handle(action, handler)` takes a handler returning a plain value, a Promise or an
 * Observable; throwing (or rejecting, or erroring) answers a failure:
 *
 * - a `OneBotError` whose `data.retcode` is set answers that retcode (here 100 for an unknown group);
 * - any other error answers 1500 with the error's message (never a stack);
 * - params the action's codec rejects answer 1400 before the handler runs, an unhandled action 1404;
 * - a handler slower than `apiTimeout` answers 1500 "did not answer within ...".
 *
 * Built in (no handler needed): get_login_info, get_status, get_version_info, can_send_image,
 * can_send_record and send_msg / send_private_msg / send_group_msg (which also emit on `sent$`).
 *
 *   node -r esbuild-register examples/api-handler.ts [url] [selfId]
 *
 * In your own project import from 'onebot-rx' instead of '../src'.
 */
import { delay, of } from 'rxjs';
import { ErrorCode, OneBotError, createClient, createConsoleLogger, type OneBotClient, type SentMessage } from '../src';

const groups = new Map([[123456, { group_id: 123456, group_name: 'onebot-rx fans', member_count: 2, max_member_count: 200 }]]);

/** Registers the handlers; each `handle` returns a function that removes it again. */
export const registerHandlers = (client: OneBotClient): (() => void) => {
  const undo = [
    // A plain value: answered synchronously.
    client.handle('get_friend_list', () => [{ user_id: 67890, nickname: 'friend', remark: '' }]),

    // A Promise. `params` is typed and decoded: group_id is a number even if the server sent "123456".
    client.handle('get_group_info', async ({ group_id }) => {
      const group = groups.get(group_id);
      if (group === undefined) throw new OneBotError(ErrorCode.HandlerFailed, `no such group: ${group_id}`, { retcode: 100 });
      return group;
    }),

    // An Observable: its first value is the answer.
    client.handle('get_stranger_info', ({ user_id }) => of({ user_id, nickname: `user ${user_id}`, sex: 'unknown', age: 0 }).pipe(delay(10))),

    // A custom (non-standard) action: params are untyped, `Record<string, unknown>`.
    client.handle('roll_dice', (params) => {
      const sides = Number(params.sides ?? 6);
      if (!Number.isInteger(sides) || sides < 2) throw new Error(`sides must be an integer >= 2, got ${String(params.sides)}`);
      return { sides, value: 1 + Math.floor(Math.random() * sides) };
    }),
  ];
  return () => undo.forEach((u) => u());
};

export interface ApiHandlerOptions {
  readonly url?: string;
  readonly selfId?: number;
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  readonly print?: (line: string) => void;
}

export async function main(options: ApiHandlerOptions = {}): Promise<{ readonly sent: SentMessage[] }> {
  const { selfId = 12345, durationMs = 60_000, signal, print = console.log } = options;
  const url = options.url ?? process.env.ONEBOT_URL ?? 'ws://127.0.0.1:8000/ws/';
  const client = createClient({ url, selfId, reconnectInterval: 1000, apiTimeout: 5000, logger: createConsoleLogger('warn') });
  registerHandlers(client);

  // The server asked the bot to send messages (built-in send_*msg handlers).
  const sent: SentMessage[] = [];
  client.sent$.subscribe((m) => {
    sent.push(m);
    print(`server asked to send to ${m.messageType} ${m.groupId ?? m.userId}: ${m.rawMessage} (message_id ${m.messageId})`);
  });
  // Every call, before it is answered.
  client.requests$.subscribe((r) => print(`API call ${r.action} ${JSON.stringify(r.params)}`));

  const stop = setTimeout(() => void client.disconnect(), durationMs);
  const onAbort = (): void => void client.disconnect();
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  await client.run();
  clearTimeout(stop);
  signal?.removeEventListener('abort', onAbort);
  return { sent };
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  main({ url: process.argv[2], selfId: process.argv[3] ? Number(process.argv[3]) : undefined, signal: controller.signal }).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
