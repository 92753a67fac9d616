import * as t from 'io-ts';
import { JsonObject, withDefault } from './common';

/**
 * The generic message segment `{ type, data }` (PROTOCOL.md §4.2). `data: null` or a missing `data`
 * decodes to `{}`. Any `type` is accepted, so unknown segment types pass through untouched.
 *
 * @example
 * import { Segment } from 'onebot-rx';
 * Segment.decode({ type: 'mface', data: null }); // Right({ type: 'mface', data: {} })
 *
 * @since 0.1.0
 * @category segments
 */
export const Segment = t.type(
  {
    type: t.string,
    data: withDefault(JsonObject, {}, 'SegmentData'),
  },
  'Segment',
);
/** @since 0.1.0 @category segments */
export type Segment = t.TypeOf<typeof Segment>;

/**
 * The `message` field of an event: a CQ-code string or an array of segments (PROTOCOL.md §4.1).
 *
 * @since 0.1.0
 * @category segments
 */
export const Message = t.union([t.string, t.array(Segment)], 'Message');
/** @since 0.1.0 @category segments */
export type Message = t.TypeOf<typeof Message>;

/**
 * A message as accepted in API params and quick operations: a CQ string, one segment, or an array.
 *
 * @since 0.1.0
 * @category segments
 */
export const MessageInput = t.union([t.string, t.array(Segment), Segment], 'MessageInput');
/** @since 0.1.0 @category segments */
export type MessageInput = t.TypeOf<typeof MessageInput>;
