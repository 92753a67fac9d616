/**
 * The callback style, name for name with the original Python client
 * (`on_message` / `on_connect` / `on_disconnect` / `on_error` / `run`):
 *
 *   client = WebSocketClient(uri=..., bot_id=12345, reconnect_interval=5, max_reconnect_attempts=0)
 *   client.on_message(message_handler); client.on_connect(connect_handler); await client.run()
 *
 * Each `on*` returns an unsubscribe function; a callback that throws (or rejects) is reported to
 * `onError` and never stops the client. `run()` resolves with the final state once the client stops
 * for good (`disconnect()`, or reconnect attempts exhausted).
 *
 *   node -r esbuild-register examples/callbacks.ts [url] [selfId]
 *
 * In your own project import from 'onebot-rx' instead of '../src'.
 */
import { createClient, silentLogger, type ClientState, type OneBotMessageEvent as MessageEvent } from '../src';

export interface CallbacksOptions {
  readonly url?: string;
  readonly selfId?: number;
  /** Seconds in the Python client, milliseconds here. */
  readonly reconnectInterval?: number;
  /** Disconnect after this long... */
  readonly durationMs?: number;
  /** ...or when this signal aborts. */
  readonly signal?: AbortSignal;
  readonly print?: (line: string) => void;
}

export interface CallbacksResult {
  readonly connects: number;
  readonly disconnects: number;
  readonly messages: MessageEvent[];
  readonly errors: string[];
  readonly final: ClientState;
}

export async function main(options: CallbacksOptions = {}): Promise<CallbacksResult> {
  const { selfId = 12345, reconnectInterval = 5000, durationMs = 60_000, signal, print = console.log } = options;
  const url = options.url ?? process.env.ONEBOT_URL ?? 'ws://127.0.0.1:8000/ws/';

  const client = createClient({
    url,
    selfId,
    reconnectInterval,
    maxReconnectAttempts: 0, // 0 = reconnect forever, as in the original
    logger: silentLogger, // the callbacks below do the printing
  });

  let connects = 0;
  let disconnects = 0;
  const messages: MessageEvent[] = [];
  const errors: string[] = [];

  client.onConnect((state) => {
    connects += 1;
    print(`connected (attempt ${state.attempt})`);
  });
  client.onDisconnect((close) => {
    disconnects += 1;
    print(`disconnected: ${close ? `${close.code} ${close.reason}` : 'no close frame'}`);
  });
  client.onError((error) => {
    errors.push(error.code);
    print(`error ${error.code}: ${error.message}`);
  });
  // Async callbacks are fine; a rejection would land in onError.
  client.onMessage(async (message) => {
    messages.push(message);
    print(`message from ${message.user_id}: ${message.raw_message}`);
    if (message.raw_message === 'ping') {
      await (message.message_type === 'group'
        ? client.sendText('pong', 'group', { groupId: message.group_id })
        : client.sendText('pong', 'private', { targetId: message.user_id }));
    }
  });

  const stop = setTimeout(() => void client.disconnect(), durationMs);
  const onAbort = (): void => void client.disconnect();
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const final = await client.run();
  clearTimeout(stop);
  signal?.removeEventListener('abort', onAbort);
  print(`stopped: ${final.reason ?? 'unknown reason'}`);
  return { connects, disconnects, messages, errors, final };
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort()); // Ctrl-C: clean close, run() resolves
  main({ url: process.argv[2], selfId: process.argv[3] ? Number(process.argv[3]) : undefined, signal: controller.signal }).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
