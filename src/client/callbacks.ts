import type { Observable } from 'rxjs';
import type { MessageEvent } from '../protocol/codecs/events';
import { ErrorCode, OneBotError } from '../protocol/errors';
import type { CloseInfo } from '../transport/close-reason';
import type { ClientState } from './state';

/**
 * The callback facade (`onMessage`, `onConnect`…), the original Python client's `on_*` callbacks
 * as subscriptions. A callback that throws, or returns a rejecting promise, is reported as
 * `CallbackFailed`; the stream it listens to goes on.
 */

/** @internal */
export interface CallbackFacade {
  onMessage(callback: (message: MessageEvent) => unknown): () => void;
  onError(callback: (error: OneBotError) => unknown): () => void;
  /** Each time the connection opens. */
  onConnect(callback: (state: ClientState) => unknown): () => void;
  /** Each time an open connection ends (lost, or closed by `disconnect()`), with its close details. */
  onDisconnect(callback: (close: CloseInfo | undefined, state: ClientState) => unknown): () => void;
}

/** @internal */
export interface CallbackSources {
  readonly messages$: Observable<MessageEvent>;
  readonly errors$: Observable<OneBotError>;
  readonly state$: Observable<ClientState>;
  readonly report: (error: OneBotError) => void;
}

/** @internal */
export const callbackFacade = ({ messages$, errors$, state$, report }: CallbackSources): CallbackFacade => {
  // An onError callback that throws while a callback failure is reported would loop forever.
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
  const call = <T>(name: string, callback: (value: T) => unknown, value: T): void => {
    try {
      const r = callback(value);
      if (typeof r === 'object' && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
        (r as PromiseLike<unknown>).then(undefined, (e: unknown) => failed(name, e));
      }
    } catch (e) {
      failed(name, e);
    }
  };
  const subscribe = <T>(source: Observable<T>, name: string, callback: (value: T) => unknown): (() => void) => {
    const sub = source.subscribe((v) => call(name, callback, v));
    return () => sub.unsubscribe();
  };
  return {
    onMessage: (callback) => subscribe(messages$, 'onMessage', callback),
    onError: (callback) => subscribe(errors$, 'onError', callback),
    onConnect: (callback) => {
      let wasOpen = false;
      return subscribe(state$, 'onConnect', (s) => {
        const open = s.status === 'open';
        const opened = open && !wasOpen;
        wasOpen = open;
        return opened ? callback(s) : undefined;
      });
    },
    onDisconnect: (callback) => {
      // From open (through `closing`, when the user disconnects) to the state after the close,
      // which carries the close details.
      let wasOpen = false;
      return subscribe(state$, 'onDisconnect', (s) => {
        if (s.status === 'open') wasOpen = true;
        else if (wasOpen && (s.status === 'reconnecting' || s.status === 'closed')) {
          wasOpen = false;
          return callback(s.lastClose, s);
        }
        return undefined;
      });
    },
  };
};
