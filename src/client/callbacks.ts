import type { Observable } from 'rxjs';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { ClientState } from './types';

/**
 * The callback facade (`onMessage`, `onConnect`...). A callback that throws — or returns a
 * rejecting promise — is reported as `CallbackFailed`; the stream it listens to goes on.
 */

/** @internal */
export interface CallbackRunner {
  subscribe<T>(source: Observable<T>, callback: (value: T) => unknown, name: string): () => void;
  onTransition(
    state$: Observable<ClientState>,
    when: (previous: ClientState | undefined, next: ClientState) => boolean,
    callback: (state: ClientState) => unknown,
    name: string,
  ): () => void;
}

/** @internal */
export const callbackRunner = (report: (error: OneBotError) => void): CallbackRunner => {
  // An onError callback that throws while handling a callback failure would loop forever.
  let reporting = false;
  const failed = (name: string, e: unknown): void => {
    if (reporting) return;
    reporting = true;
    try {
      report(new OneBotError(ErrorCode.CallbackFailed, `${name} callback failed: ${e instanceof Error ? e.message : String(e)}`, { callback: name }, { cause: e }));
    } finally {
      reporting = false;
    }
  };
  const call = <T>(callback: (value: T) => unknown, value: T, name: string): void => {
    try {
      const r = callback(value);
      if (typeof r === 'object' && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
        (r as PromiseLike<unknown>).then(undefined, (e: unknown) => failed(name, e));
      }
    } catch (e) {
      failed(name, e);
    }
  };
  return {
    subscribe(source, callback, name) {
      const sub = source.subscribe((v) => call(callback, v, name));
      return () => sub.unsubscribe();
    },
    onTransition(state$, when, callback, name) {
      let previous: ClientState | undefined;
      const sub = state$.subscribe((next) => {
        const p = previous;
        previous = next;
        if (when(p, next)) call(callback, next, name);
      });
      return () => sub.unsubscribe();
    },
  };
};
