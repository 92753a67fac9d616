import { ErrorCode, ProtocolError } from '../protocol/errors';
import { limitError } from './frame-inspector';
import { routedTail } from './frame-shape';
import type { BotRegistry } from './registry';
import type { Session } from './session';

/**
 * Routing of message events between bots, as the original server did: a private message goes to
 * the bot whose `self_id` is its `target_id` (if connected), a group message to every other bot;
 * each copy carries its recipient's `self_id`. Other events are recorded, not routed.
 *
 * The work per frame is bounded: the copies cost at most `maxFanoutBytes` (frame size × recipients,
 * checked before anything is written), and the event is encoded once, whatever the number of
 * recipients (on the decoding worker for big frames): the copies differ only in their leading
 * `"self_id":` value.
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


/** @internal */
export const routeMessage = (registry: BotRegistry, from: Session, event: EventObject, frameBytes: number, maxFanoutBytes: number, encoded?: Uint8Array): Routed => {
  const targets = targetsOf(registry, from, event);
  if (targets.length === 0) return { ok: true, deliveredTo: [] };
  const cost = frameBytes * targets.length;
  if (cost > maxFanoutBytes) {
    return { ok: false, error: limitError('maxFanoutBytes', maxFanoutBytes, `${targets.length} copies of ${frameBytes} bytes would be ${cost} bytes`, frameBytes) };
  }
  const deliveredTo: number[] = [];
  if (encoded !== undefined) {
    // Encoded on the worker: each copy is two fragments of one message, its own head and the shared bytes.
    for (const t of targets) {
      const id = t.selfId;
      if (id !== undefined && t.sendParts(`{"self_id":${id}`, encoded)) deliveredTo.push(id);
    }
    return { ok: true, deliveredTo };
  }
  let tail: string;
  try {
    tail = routedTail(event);
  } catch (e) {
    // Not reachable for frames within maxDepth (JSON in, JSON out), kept so a failure is reported, never silent.
    return { ok: false, error: new ProtocolError(ErrorCode.InvalidOutgoing, `message could not be encoded for its recipients: ${e instanceof Error ? e.message : String(e)}`) };
  }
  for (const t of targets) {
    const id = t.selfId;
    if (id !== undefined && t.send(`{"self_id":${id}${tail}`)) deliveredTo.push(id);
  }
  return { ok: true, deliveredTo };
};
