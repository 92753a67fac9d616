import type { Logger } from '../logging/logger';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * A tiny typed event emitter with promise-returning waits, so tests await what the server saw
 * instead of sleeping. Listener exceptions are logged and never reach the server's socket code.
 * @internal
 */
export interface Notifier<M> {
  on<K extends keyof M>(name: K, fn: (payload: M[K]) => void): () => void;
  emit<K extends keyof M>(name: K, payload: M[K]): void;
  /**
   * Resolves with the first payload of `name` after this call for which `predicate` holds;
   * rejects with `ONEBOT_SERVER_WAIT_TIMEOUT` after `timeoutMs`, or `ONEBOT_SERVER_CLOSED` on `dispose`.
   */
  waitFor<K extends keyof M>(name: K, predicate: (payload: M[K]) => boolean, timeoutMs: number, what: string): Promise<M[K]>;
  /**
   * Resolves with the first truthy result of `check`, evaluated now and again after every
   * notification of any kind (state changes always come with one, so nothing needs polling).
   */
  until<T>(check: () => T, timeoutMs: number, what: string): Promise<Exclude<T, false | undefined | null | 0 | ''>>;
  /** Rejects every pending wait and drops every listener. */
  dispose(): void;
}

interface Waiter {
  readonly reject: (e: Error) => void;
  readonly cleanup: () => void;
}

/** @internal */
export const createNotifier = <M>(logger: Logger): Notifier<M> => {
  const listeners = new Map<keyof M, Set<(p: never) => void>>();
  const anyListeners = new Set<() => void>();
  let disposed = false;
  const closedError = (): OneBotError => new OneBotError(ErrorCode.ServerClosed, 'the reference server was closed while waiting');
  const waiters = new Set<Waiter>();

  const on = <K extends keyof M>(name: K, fn: (payload: M[K]) => void): (() => void) => {
    let set = listeners.get(name);
    if (set === undefined) {
      set = new Set();
      listeners.set(name, set);
    }
    const entry = fn as (p: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  const emit = <K extends keyof M>(name: K, payload: M[K]): void => {
    const set = listeners.get(name);
    for (const fn of [...(set ?? []), ...anyListeners]) {
      try {
        (fn as (p: M[K]) => void)(payload);
      } catch (e) {
        logger.error(`reference server: a '${String(name)}' listener threw`, { error: String(e) });
      }
    }
  };

  const waitFor = <K extends keyof M>(
    name: K,
    predicate: (payload: M[K]) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<M[K]> =>
    new Promise<M[K]>((resolve, reject) => {
      // Nothing will ever be emitted again: fail now rather than at the timeout.
      if (disposed) return reject(closedError());
      const cleanup = (): void => {
        clearTimeout(timer);
        off();
        waiters.delete(waiter);
      };
      const waiter: Waiter = { reject, cleanup };
      const timer = setTimeout(() => {
        cleanup();
        reject(new OneBotError(ErrorCode.ServerWaitTimeout, `timed out after ${timeoutMs} ms waiting for ${what}`, { timeoutMs }));
      }, timeoutMs);
      const off = on(name, (payload) => {
        let hit = false;
        try {
          hit = predicate(payload);
        } catch (e) {
          cleanup();
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (hit) {
          cleanup();
          resolve(payload);
        }
      });
      waiters.add(waiter);
    });

  const until = <T>(check: () => T, timeoutMs: number, what: string): Promise<Exclude<T, false | undefined | null | 0 | ''>> => {
    type R = Exclude<T, false | undefined | null | 0 | ''>;
    try {
      const now = check();
      if (now) return Promise.resolve(now as R);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<R>((resolve, reject) => {
      if (disposed) return reject(closedError());
      const cleanup = (): void => {
        clearTimeout(timer);
        anyListeners.delete(listener);
        waiters.delete(waiter);
      };
      const waiter: Waiter = { reject, cleanup };
      const timer = setTimeout(() => {
        cleanup();
        reject(new OneBotError(ErrorCode.ServerWaitTimeout, `timed out after ${timeoutMs} ms waiting for ${what}`, { timeoutMs }));
      }, timeoutMs);
      const listener = (): void => {
        let value: T;
        try {
          value = check();
        } catch (e) {
          cleanup();
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (value) {
          cleanup();
          resolve(value as R);
        }
      };
      anyListeners.add(listener);
      waiters.add(waiter);
    });
  };

  const dispose = (): void => {
    disposed = true;
    for (const w of [...waiters]) {
      w.cleanup();
      w.reject(closedError());
    }
    listeners.clear();
    anyListeners.clear();
  };

  return { on, emit, waitFor, until, dispose };
};
