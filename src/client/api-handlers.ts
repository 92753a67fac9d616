import type { ApiHandler, ApiHandlers } from '../protocol/answer';
import type { ActionName } from '../protocol/codecs/api';
import type { WorldAttachment } from '../world/attach';
import { createBuiltins, type BuiltinContext, type SentMessage } from './builtins';
import type { ResolvedClientOptions } from './options';
import type { ClientApiHandler, OneBotClient } from './types';
import { attachDefaultWorld } from './world-default';

/**
 * The API handlers of one client: the built-ins, the user's (`handle()`), and the simulated world's,
 * attached on the first API call so an idle client holds none of it. Actions the user registered
 * before that keep the user's handler; one registered later overrides the world's.
 * @internal
 */
export class ApiHandlerTable {
  private table: Record<string, ApiHandler | undefined> | undefined;
  private readonly userActions = new Set<string>();
  private world: WorldAttachment | undefined;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly builtins: Omit<BuiltinContext, 'sent'>,
    private readonly sent: (message: SentMessage) => void,
    private readonly send: OneBotClient['send'],
  ) {}

  /** The table the answering engine reads, with the world attached first if it is not yet. */
  answering(): ApiHandlers {
    const o = this.options;
    if (this.world === undefined && o.world !== false) {
      const host = { selfId: o.selfId, handle: this.register, send: this.send, nickname: o.nickname, scheduler: o.scheduler, messageFormat: o.messageFormat };
      this.world = attachDefaultWorld(o.world, host, this.userActions, this.sent);
    }
    return this.handlers as ApiHandlers;
  }

  /** The user's `handle()`: registers `handler`; the returned function restores the previous one. */
  handle<A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): () => void {
    this.userActions.add(action);
    return this.register(action, handler);
  }

  /** The client stopped: the world lets go of its streams. */
  detach(): void {
    this.world?.();
  }

  private get handlers(): Record<string, ApiHandler | undefined> {
    return (this.table ??= createBuiltins({ ...this.builtins, sent: this.sent }) as Record<string, ApiHandler | undefined>);
  }

  private readonly register = <A extends ActionName | (string & {})>(action: A, handler: ClientApiHandler<A>): (() => void) => {
    const handlers = this.handlers;
    const previous = handlers[action];
    const mine = handler as ApiHandler;
    handlers[action] = mine;
    return () => {
      if (handlers[action] === mine) handlers[action] = previous;
    };
  };
}
