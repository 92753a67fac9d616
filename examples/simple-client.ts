/**
 * The counterpart of the original Python client's `simple_client.py`: connect, send a private and a
 * group text, print what arrives, stop.
 *
 *   npm run cli -- serve                                   # a server to talk to (another terminal)
 *   node -r esbuild-register examples/simple-client.ts [url] [selfId] [targetId]
 *
 * In your own project import from 'onebot-rx' instead of '../src'.
 */
import { createClient, createConsoleLogger, type OneBotMessageEvent as MessageEvent } from '../src';

export interface SimpleClientOptions {
  /** @defaultValue argv[2], then `$ONEBOT_URL`, then `ws://127.0.0.1:8000/ws/` */
  readonly url?: string;
  readonly selfId?: number;
  /** Who gets the private text. */
  readonly targetId?: number;
  readonly groupId?: number;
  /** Listen this long after sending, at most. */
  readonly durationMs?: number;
  /** ...or stop as soon as this many messages arrived. */
  readonly stopAfter?: number;
  readonly signal?: AbortSignal;
  readonly print?: (line: string) => void;
}

export interface SimpleClientResult {
  readonly sent: MessageEvent[];
  readonly received: MessageEvent[];
}

export async function main(options: SimpleClientOptions = {}): Promise<SimpleClientResult> {
  const { selfId = 12345, targetId = 67890, groupId = 123456, durationMs = 5000, stopAfter = Infinity, signal, print = console.log } = options;
  const url = options.url ?? process.env.ONEBOT_URL ?? 'ws://127.0.0.1:8000/ws/';

  const client = createClient({
    url,
    selfId,
    reconnectInterval: 1000, // the Python client counted seconds; onebot-rx counts milliseconds
    maxReconnectAttempts: 3, // give up (sendText rejects) instead of retrying forever
    logger: createConsoleLogger('warn'),
  });

  const received: MessageEvent[] = [];
  let enough: () => void = () => undefined;
  const gotEnough = new Promise<void>((resolve) => (enough = resolve));
  client.onConnect(() => print(`connected to ${url} as ${selfId}`));
  client.onMessage((m) => {
    received.push(m);
    print(`received ${m.message_type} message from ${m.user_id}: ${m.raw_message}`);
    if (received.length >= stopAfter) enough();
  });

  client.connect();
  try {
    // Each send resolves once written to a live connection (sends made while still connecting
    // wait in the outbox); a frame whose link dies unconfirmed is reported on errors$.
    const sent = [
      await client.sendText('Hello, World!', 'private', { targetId }),
      await client.sendText('Hello, Group!', 'group', { groupId }),
    ];
    print(`sent a private message to ${targetId} and a group message to ${groupId}`);

    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      gotEnough,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, durationMs);
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]);
    clearTimeout(timer);
    return { sent, received };
  } finally {
    await client.disconnect();
  }
}

if (require.main === module) {
  main({
    url: process.argv[2],
    selfId: process.argv[3] ? Number(process.argv[3]) : undefined,
    targetId: process.argv[4] ? Number(process.argv[4]) : undefined,
  }).then(
    (r) => console.log(`done: sent ${r.sent.length}, received ${r.received.length}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
