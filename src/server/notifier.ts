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

/** A wait's "not yet" answer (a symbol, so any payload, even `undefined`, can be a result). */
const NO_MATCH: unique symbol = Symbol('no match');

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

  const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

  /**
   * What both waits share: `listen` subscribes `onNotify` to the notifications that may settle the
   * wait; `test` turns one into the result, or `NO_MATCH`. A throwing `test` rejects; the wait also
   * ends on timeout or `dispose`, and always unsubscribes.
   */
  const wait = <R>(listen: (onNotify: (payload: unknown) => void) => () => void, test: (payload: unknown) => R | typeof NO_MATCH, timeoutMs: number, what: string): Promise<R> =>
    new Promise<R>((resolve, reject) => {
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
      const off = listen((payload) => {
        let result: R | typeof NO_MATCH;
        try {
          result = test(payload);
        } catch (e) {
          cleanup();
          reject(asError(e));
          return;
        }
        if (result !== NO_MATCH) {
          cleanup();
          resolve(result);
        }
      });
      waiters.add(waiter);
    });

  const waitFor = <K extends keyof M>(name: K, predicate: (payload: M[K]) => boolean, timeoutMs: number, what: string): Promise<M[K]> =>
    wait(
      (fn) => on(name, fn),
      (payload) => (predicate(payload as M[K]) ? (payload as M[K]) : NO_MATCH),
      timeoutMs,
      what,
    );

  const until = <T>(check: () => T, timeoutMs: number, what: string): Promise<Exclude<T, false | undefined | null | 0 | ''>> => {
    type R = Exclude<T, false | undefined | null | 0 | ''>;
    const test = (): R | typeof NO_MATCH => {
      const value = check();
      return value ? (value as R) : NO_MATCH;
    };
    try {
      const now = test();
      if (now !== NO_MATCH) return Promise.resolve(now);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    return wait(
      (fn) => {
        const listener = (): void => fn(undefined);
        anyListeners.add(listener);
        return () => {
          anyListeners.delete(listener);
        };
      },
      test,
      timeoutMs,
      what,
    );
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
