/**
 * Entry of `artillery-engine-onebot`: Artillery `require`s the package and constructs its export
 * with `(script, events, helpers)`. This binds the engine to the real onebot-rx.
 */
import { createClient, createMessageEvent } from 'onebot-rx';
import { OneBotEngine as Engine, type EventsLike, type HelpersLike, type ScriptLike } from './engine';

export class OneBotEngine extends Engine {
  constructor(script: ScriptLike, events: EventsLike, helpers: HelpersLike) {
    super(script, events, helpers, { createClient, createMessageEvent: createMessageEvent as never });
  }
}

export { Metric, ErrorName } from './metrics';
export type { Answerer, ReplyMessage } from './answering';
export type { EngineOptions } from './options';
export type { VuState, VuContext } from './engine';
