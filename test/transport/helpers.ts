import { filter, firstValueFrom } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import type { OneBotError } from '../../src/protocol/errors';

/** A client on the given transports, its reported errors collected, started and listening. */
export interface Running {
  readonly client: OneBotClient;
  readonly errors: OneBotError[];
  /** Resolves with the first reported error matching `code`. */
  error(code: string, timeoutMs?: number): Promise<OneBotError>;
}

const running: OneBotClient[] = [];

export const start = async (options: ClientOptions): Promise<Running> => {
  const client = createClient({ selfId: 10001, heartbeatInterval: 0, logger: silentLogger, ...options });
  running.push(client);
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  client.connect();
  await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open' || s.status === 'closed')));
  return {
    client,
    errors,
    error: (code, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const found = errors.find((e) => e.code === code);
        if (found) return resolve(found);
        const timer = setTimeout(() => {
          sub.unsubscribe();
          reject(new Error(`no ${code} within ${timeoutMs} ms; got ${errors.map((e) => e.code).join(', ')}`));
        }, timeoutMs);
        const sub = client.errors$.pipe(filter((e) => e.code === code)).subscribe((e) => {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(e);
        });
      }),
  };
};

/** Stops every client a test started (call from afterEach). */
export const stopAll = async (): Promise<void> => {
  await Promise.all(running.splice(0).map((c) => c.disconnect()));
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (bounded). */
export const eventually = async (check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(10);
  }
};
