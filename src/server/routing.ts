import { ErrorCode, ProtocolError } from '../protocol/errors';
import { limitError } from './frame-inspector';
import type { BotRegistry } from './registry';
import type { Session } from './session';

/**
 * Routing of message events between bots, as the original server did: a private message goes to
 * the bot whose `self_id` is its `target_id` (if connected), a group message to every other bot;
 * each copy carries its recipient's `self_id`. Other events are recorded, not routed.
 *
 * The work per frame is bounded: the copies cost at most `maxFanoutBytes` (frame size × recipients,
 * checked before anything is written), and the event is encoded once, whatever the number of
 * recipients: the copies differ only in their leading `"self_id":` value.
 * @internal
 */

type EventObject = Readonly<Record<string, unknown>> & { readonly post_type: string; readonly self_id: number };

/** @internal */
export type Routed = { readonly ok: true; readonly deliveredTo: readonly number[] } | { readonly ok: false; readonly error: ProtocolError };

const targetsOf = (registry: BotRegistry, from: Session, event: EventObject): Session[] => {
  if (event.post_type !== 'message') return [];
  if (event.message_type === 'private') {
    const target = typeof event.target_id === 'number' ? registry.get(event.target_id) : undefined;
    return target === undefined ? [] : [target];
  }
  if (event.message_type === 'group') return registry.all().filter((b) => b !== from);
  return [];
};

/** `{"self_id":<id>` + the rest of the event, encoded once. Throws what `JSON.stringify` throws. */
const encodeForRecipients = (event: EventObject): ((selfId: number) => string) => {
  const { self_id: _ignored, ...rest } = event;
  const text = JSON.stringify({ self_id: 0, ...rest });
  const tail = text.slice('{"self_id":0'.length);
  return (selfId) => `{"self_id":${selfId}${tail}`;
};

/** @internal */
export const routeMessage = (registry: BotRegistry, from: Session, event: EventObject, frameBytes: number, maxFanoutBytes: number): Routed => {
  const targets = targetsOf(registry, from, event);
  if (targets.length === 0) return { ok: true, deliveredTo: [] };
  const cost = frameBytes * targets.length;
  if (cost > maxFanoutBytes) {
    return { ok: false, error: limitError('maxFanoutBytes', maxFanoutBytes, `${targets.length} copies of ${frameBytes} bytes would be ${cost} bytes`, frameBytes) };
  }
  let copyFor: (selfId: number) => string;
  try {
    copyFor = encodeForRecipients(event);
  } catch (e) {
    // Not reachable for frames within maxDepth (JSON in, JSON out), kept so a failure is reported, never silent.
    return { ok: false, error: new ProtocolError(ErrorCode.InvalidOutgoing, `message could not be encoded for its recipients: ${e instanceof Error ? e.message : String(e)}`) };
  }
  const deliveredTo: number[] = [];
  for (const t of targets) {
    const id = t.selfId;
    if (id !== undefined && t.send(copyFor(id))) deliveredTo.push(id);
  }
  return { ok: true, deliveredTo };
};
