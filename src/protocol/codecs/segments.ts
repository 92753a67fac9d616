import * as t from 'io-ts';
import { describe, JsonObject, withDefault } from './common';

/**
 * Message segment codecs (docs/protocol.md §4).
 *
 * Leniency policy for standard segment `data` (docs/protocol.md §4.2: values are strings by the
 * standard, and input is read leniently), decided per field:
 * - Payload text (`text.text`, `xml.data`, `json.data`, URLs, titles, file names, nicknames): strict
 *   `string`. A number there is a peer bug worth reporting, not a formatting habit.
 * - Ids and numeric-looking values (`face.id`, `at.qq`, `reply.id`, `poke.type`, `location.lat`,
 *   `timeout`...): a string, or a finite number / boolean which is converted to its string form, so
 *   `{"qq": 123}` decodes to `{ qq: "123" }` and round-trips with CQ codes.
 * - 0/1 flags (`cache`, `proxy`, `magic`, `ignore`): as ids; `true` becomes `"true"` (a valid flag
 *   spelling per §4.4).
 * - `null` for an optional field means "absent": the key is dropped. `null` for a required field is an
 *   error. `data: null` or a missing `data` is read as `{}`.
 * - Unknown keys inside `data` (NapCat's `at.name`, `face.raw`, ...) are kept untouched.
 */

// ---------------------------------------------------------------------------------------------------
// Internal building blocks
// ---------------------------------------------------------------------------------------------------

/**
 * The context `c` with its last entry's type swapped for `codec`. A wrapper codec validates its inner
 * codec with this so the JSON path stays the same (the wrapper adds no key) and the inner codec's
 * children are reported under their real keys by `formatErrors`.
 *
 * @internal
 */
export const replaceLast = (c: t.Context, codec: t.Decoder<unknown, unknown>): t.Context => {
  const last = c[c.length - 1];
  return last === undefined ? [{ key: '', type: codec, actual: undefined }] : [...c.slice(0, -1), { ...last, type: codec }];
};

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * A codec that picks the member codec for `u` with `pick` and validates `u` with it in the same JSON
 * context, so an error names the exact field (`data.type: expected "qq" | "163" | "xm" | "custom"`)
 * instead of listing every alternative of a union. When `pick` finds no member, `discriminator`
 * (a small codec checking only the tag fields, or a function choosing one) produces the error.
 *
 * @internal
 */
export const dispatchCodec = <A>(
  name: string,
  members: ReadonlyArray<t.Type<any, any, unknown>>,
  pick: (u: Record<string, unknown>) => t.Type<any, any, unknown> | undefined,
  discriminator: t.Type<any, any, unknown> | ((u: Record<string, unknown>) => t.Type<any, any, unknown>),
): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => members.some((m) => m.is(u)),
    (u, c) => {
      if (!isObject(u)) return t.failure(u, c);
      const member = pick(u);
      if (member !== undefined) return member.validate(u, replaceLast(c, member)) as t.Validation<A>;
      const d = typeof discriminator === 'function' ? discriminator(u) : discriminator;
      const checked = d.validate(u, replaceLast(c, d));
      return checked._tag === 'Left' ? checked : t.failure(u, c);
    },
    (a) => a,
  );

/**
 * A `data` value: a string, or a finite number / boolean converted to its string form.
 * Named `string` so errors read `expected string, got object`.
 */
const Lenient = new t.Type<string, string, unknown>(
  'string',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u === 'string') return t.success(u);
    if ((typeof u === 'number' && Number.isFinite(u)) || typeof u === 'boolean') return t.success(String(u));
    return t.failure(u, c);
  },
  (s) => s,
);

/**
 * The `data` object of a standard segment: `required` and `optional` props, `null`/missing read as
 * `{}`, `null` optional values dropped, unknown keys kept.
 */
const dataOf = <R extends t.Props, O extends t.Props>(required: R, optional: O, name: string) => {
  const inner = t.intersection([t.type(required), t.partial(optional)], name);
  const optionalKeys = Object.keys(optional);
  return new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
    name,
    inner.is,
    (u, c) => {
      let v: unknown = u === null || u === undefined ? {} : u;
      if (isObject(v) && optionalKeys.some((k) => (v as Record<string, unknown>)[k] === null)) {
        const copy: Record<string, unknown> = { ...v };
        for (const k of optionalKeys) if (copy[k] === null) delete copy[k];
        v = copy;
      }
      return inner.validate(v, replaceLast(c, inner));
    },
    inner.encode,
  );
};

const segmentOf = <T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O, name: string) =>
  t.type({ type: t.literal(type), data: dataOf(required, optional, `${name}.data`) }, name);

/** Enumeration codec named in the given order (`t.keyof` would list `"163"` first). */
const oneOf = <const K extends string>(keys: readonly K[]) =>
  t.keyof(Object.fromEntries(keys.map((k) => [k, null])) as { [P in K]: null }, keys.map((k) => JSON.stringify(k)).join(' | '));

/** Remote-file options shared by image, record and video on send (§4.4). */
const fileSendOptions = { url: t.string, cache: Lenient, proxy: Lenient, timeout: Lenient };

// ---------------------------------------------------------------------------------------------------
// The generic segment
// ---------------------------------------------------------------------------------------------------

/**
 * The generic message segment `{ type, data }` (docs/protocol.md §4.2). `data: null` or a missing `data`
 * decodes to `{}`. Any `type` is accepted, so unknown segment types pass through untouched.
 *
 * @example
 * import { Segment } from 'onebot-rx/protocol';
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

// ---------------------------------------------------------------------------------------------------
// Standard segments (§4.4)
// ---------------------------------------------------------------------------------------------------

/** `text`: plain text. `text` is strictly a string. @since 0.1.0 @category segments */
export const TextSegment = segmentOf('text', { text: t.string }, {}, 'TextSegment');
/** @since 0.1.0 @category segments */
export type TextSegment = t.TypeOf<typeof TextSegment>;

/** `face`: QQ built-in emoji, `id` as a string (numbers accepted). @since 0.1.0 @category segments */
export const FaceSegment = segmentOf('face', { id: Lenient }, {}, 'FaceSegment');
/** @since 0.1.0 @category segments */
export type FaceSegment = t.TypeOf<typeof FaceSegment>;

/**
 * `image`: `file`; `type` (`flash`, ext `show`); `url` (received); `cache`, `proxy`, `timeout` (send).
 * @since 0.1.0 @category segments
 */
export const ImageSegment = segmentOf('image', { file: t.string }, { type: t.string, ...fileSendOptions }, 'ImageSegment');
/** @since 0.1.0 @category segments */
export type ImageSegment = t.TypeOf<typeof ImageSegment>;

/** `record`: voice; `file`, `magic` (0/1 voice changer), `url`, `cache`, `proxy`, `timeout`. @since 0.1.0 @category segments */
export const RecordSegment = segmentOf('record', { file: t.string }, { magic: Lenient, ...fileSendOptions }, 'RecordSegment');
/** @since 0.1.0 @category segments */
export type RecordSegment = t.TypeOf<typeof RecordSegment>;

/** `video`: short video; `file`, `url`, `cache`, `proxy`, `timeout`. @since 0.1.0 @category segments */
export const VideoSegment = segmentOf('video', { file: t.string }, fileSendOptions, 'VideoSegment');
/** @since 0.1.0 @category segments */
export type VideoSegment = t.TypeOf<typeof VideoSegment>;

/** `at`: mention; `qq` is an account id string or `"all"`; (ext) `name`. @since 0.1.0 @category segments */
export const AtSegment = segmentOf('at', { qq: Lenient }, { name: t.string }, 'AtSegment');
/** @since 0.1.0 @category segments */
export type AtSegment = t.TypeOf<typeof AtSegment>;

/** `rps`: rock-paper-scissors; (ext) NapCat reports `result`. @since 0.1.0 @category segments */
export const RpsSegment = segmentOf('rps', {}, { result: Lenient }, 'RpsSegment');
/** @since 0.1.0 @category segments */
export type RpsSegment = t.TypeOf<typeof RpsSegment>;

/** `dice`: dice; (ext) NapCat reports `result`. @since 0.1.0 @category segments */
export const DiceSegment = segmentOf('dice', {}, { result: Lenient }, 'DiceSegment');
/** @since 0.1.0 @category segments */
export type DiceSegment = t.TypeOf<typeof DiceSegment>;

/** `shake`: window shake (send only), no data. @since 0.1.0 @category segments */
export const ShakeSegment = segmentOf('shake', {}, {}, 'ShakeSegment');
/** @since 0.1.0 @category segments */
export type ShakeSegment = t.TypeOf<typeof ShakeSegment>;

/** `poke`: `type`, `id` (Mirai's PokeMessage table); `name` when received. @since 0.1.0 @category segments */
export const PokeSegment = segmentOf('poke', { type: Lenient, id: Lenient }, { name: t.string }, 'PokeSegment');
/** @since 0.1.0 @category segments */
export type PokeSegment = t.TypeOf<typeof PokeSegment>;

/** `anonymous`: send anonymously; `ignore` (0/1) = still send if anonymity fails. @since 0.1.0 @category segments */
export const AnonymousSegment = segmentOf('anonymous', {}, { ignore: Lenient }, 'AnonymousSegment');
/** @since 0.1.0 @category segments */
export type AnonymousSegment = t.TypeOf<typeof AnonymousSegment>;

/** `share`: link card; `url`, `title`; optional `content`, `image`. @since 0.1.0 @category segments */
export const ShareSegment = segmentOf('share', { url: t.string, title: t.string }, { content: t.string, image: t.string }, 'ShareSegment');
/** @since 0.1.0 @category segments */
export type ShareSegment = t.TypeOf<typeof ShareSegment>;

/** `contact`: recommend a user (`qq`) or a group (`group`); `id`. @since 0.1.0 @category segments */
export const ContactSegment = segmentOf('contact', { type: oneOf(['qq', 'group']), id: Lenient }, {}, 'ContactSegment');
/** @since 0.1.0 @category segments */
export type ContactSegment = t.TypeOf<typeof ContactSegment>;

/** `location`: `lat`, `lon` as strings (numbers accepted); optional `title`, `content`. @since 0.1.0 @category segments */
export const LocationSegment = segmentOf('location', { lat: Lenient, lon: Lenient }, { title: t.string, content: t.string }, 'LocationSegment');
/** @since 0.1.0 @category segments */
export type LocationSegment = t.TypeOf<typeof LocationSegment>;

/** `music` shared from a platform: `type` `qq` | `163` | `xm`, `id`. @since 0.1.0 @category segments */
export const PlatformMusicSegment = segmentOf('music', { type: oneOf(['qq', '163', 'xm']), id: Lenient }, {}, 'PlatformMusicSegment');
/** @since 0.1.0 @category segments */
export type PlatformMusicSegment = t.TypeOf<typeof PlatformMusicSegment>;

/** `music` custom card: `type: custom`, `url` (jump target), `audio`, `title`; optional `content`, `image`. @since 0.1.0 @category segments */
export const CustomMusicSegment = segmentOf(
  'music',
  { type: t.literal('custom'), url: t.string, audio: t.string, title: t.string },
  { content: t.string, image: t.string },
  'CustomMusicSegment',
);
/** @since 0.1.0 @category segments */
export type CustomMusicSegment = t.TypeOf<typeof CustomMusicSegment>;

const MusicType = t.type({ data: dataOf({ type: oneOf(['qq', '163', 'xm', 'custom']) }, {}, 'MusicSegment.data') }, 'MusicSegment');

/**
 * `music`: {@link PlatformMusicSegment} or {@link CustomMusicSegment}, chosen by `data.type`.
 * @since 0.1.0 @category segments
 */
export const MusicSegment = dispatchCodec<PlatformMusicSegment | CustomMusicSegment>(
  'MusicSegment',
  [PlatformMusicSegment, CustomMusicSegment],
  (u) => {
    const type = isObject(u.data) ? u.data.type : undefined;
    if (type === 'custom') return CustomMusicSegment;
    if (type === 'qq' || type === '163' || type === 'xm') return PlatformMusicSegment;
    return undefined;
  },
  MusicType,
);
/** @since 0.1.0 @category segments */
export type MusicSegment = t.TypeOf<typeof MusicSegment>;

/** `reply`: quotes message `id` (a `message_id`, as a string; numbers accepted). @since 0.1.0 @category segments */
export const ReplySegment = segmentOf('reply', { id: Lenient }, {}, 'ReplySegment');
/** @since 0.1.0 @category segments */
export type ReplySegment = t.TypeOf<typeof ReplySegment>;

/** `forward`: a merged-forward `id` (content via `get_forward_msg`). @since 0.1.0 @category segments */
export const ForwardSegment = segmentOf('forward', { id: Lenient }, {}, 'ForwardSegment');
/** @since 0.1.0 @category segments */
export type ForwardSegment = t.TypeOf<typeof ForwardSegment>;

/** `xml`: XML card payload in `data`. @since 0.1.0 @category segments */
export const XmlSegment = segmentOf('xml', { data: t.string }, {}, 'XmlSegment');
/** @since 0.1.0 @category segments */
export type XmlSegment = t.TypeOf<typeof XmlSegment>;

/** `json`: JSON card payload in `data`, as a string. @since 0.1.0 @category segments */
export const JsonSegment = segmentOf('json', { data: t.string }, {}, 'JsonSegment');
/** @since 0.1.0 @category segments */
export type JsonSegment = t.TypeOf<typeof JsonSegment>;

// ---------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------

/**
 * One segment inside a message: a standard type is validated (and normalised) by its own codec,
 * any other type goes through {@link Segment} untouched. This is what makes
 * `message.0.data.text: expected string, got number 1` possible while unknown types still pass.
 *
 * @example
 * import { MessageSegment } from 'onebot-rx/protocol';
 * MessageSegment.decode({ type: 'at', data: { qq: 10001 } }); // Right({ type: 'at', data: { qq: '10001' } })
 *
 * @since 0.1.0
 * @category segments
 */
export const MessageSegment: t.Type<Segment, Segment, unknown> = dispatchCodec<Segment>(
  'Segment',
  [Segment],
  (u) => (typeof u.type === 'string' && Object.prototype.hasOwnProperty.call(standardCodecs, u.type) ? standardCodecs[u.type as StandardSegmentType] : Segment),
  Segment,
);

const messageCodec = <A>(name: string, expected: string, allowSingle: boolean): t.Type<A, A, unknown> => {
  const array = t.array(MessageSegment);
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => typeof u === 'string' || array.is(u) || (allowSingle && Segment.is(u)),
    (u, c) => {
      if (typeof u === 'string') return t.success(u as A);
      if (Array.isArray(u)) return array.validate(u, replaceLast(c, array)) as t.Validation<A>;
      if (allowSingle && isObject(u)) return MessageSegment.validate(u, replaceLast(c, MessageSegment)) as t.Validation<A>;
      return t.failure(u, c, `expected ${expected}, got ${describe(u)}`);
    },
    (a) => a,
  );
};

/**
 * The `message` field of an event: a CQ-code string or an array of segments (docs/protocol.md §4.1).
 * Standard segments in the array are checked with their codecs; unknown ones pass through.
 *
 * @example
 * import { Message, formatErrors } from 'onebot-rx/protocol';
 * Message.decode([{ type: 'text', data: { text: 'hi' } }, { type: 'mface', data: null }]);
 * // Right([{ type: 'text', data: { text: 'hi' } }, { type: 'mface', data: {} }])
 *
 * @since 0.1.0
 * @category segments
 */
export const Message = messageCodec<string | Segment[]>('Message', 'string | Segment[]', false);
/** @since 0.1.0 @category segments */
export type Message = t.TypeOf<typeof Message>;

/**
 * A message as accepted in API params and quick operations: a CQ string, one segment, or an array.
 *
 * @since 0.1.0
 * @category segments
 */
export const MessageInput = messageCodec<string | Segment | Segment[]>('MessageInput', 'string | Segment | Segment[]', true);
/** @since 0.1.0 @category segments */
export type MessageInput = t.TypeOf<typeof MessageInput>;

// ---------------------------------------------------------------------------------------------------
// Forward nodes (they contain messages, so they come after MessageInput)
// ---------------------------------------------------------------------------------------------------

/** `node` forwarding an existing message by `id`. @since 0.1.0 @category segments */
export const NodeByIdSegment = segmentOf('node', { id: Lenient }, {}, 'NodeByIdSegment');
/** @since 0.1.0 @category segments */
export type NodeByIdSegment = t.TypeOf<typeof NodeByIdSegment>;

const CustomNodeSegmentStrict = segmentOf(
  'node',
  { user_id: Lenient, nickname: t.string, content: MessageInput },
  {},
  'CustomNodeSegment',
);

/**
 * `node` with custom content: `user_id`, `nickname`, `content` (a {@link MessageInput}).
 * (ext) go-cqhttp's spellings `uin` / `name` are accepted as `user_id` / `nickname` when those are
 * absent (the original keys are kept too).
 *
 * @since 0.1.0
 * @category segments
 */
export const CustomNodeSegment = new t.Type<t.TypeOf<typeof CustomNodeSegmentStrict>, t.TypeOf<typeof CustomNodeSegmentStrict>, unknown>(
  'CustomNodeSegment',
  CustomNodeSegmentStrict.is,
  (u, c) => {
    let v = u;
    if (isObject(u) && isObject(u.data)) {
      const data = u.data;
      const aliased = {
        ...data,
        ...(data.user_id == null && data.uin != null ? { user_id: data.uin } : {}),
        ...(data.nickname == null && data.name != null ? { nickname: data.name } : {}),
      };
      v = { ...u, data: aliased };
    }
    return CustomNodeSegmentStrict.validate(v, replaceLast(c, CustomNodeSegmentStrict));
  },
  (a) => a,
);
/** @since 0.1.0 @category segments */
export type CustomNodeSegment = t.TypeOf<typeof CustomNodeSegment>;

/**
 * `node`: {@link NodeByIdSegment} when `data.id` is set and there is no `content`, otherwise
 * {@link CustomNodeSegment}.
 * @since 0.1.0 @category segments
 */
export const NodeSegment = dispatchCodec<NodeByIdSegment | CustomNodeSegment>(
  'NodeSegment',
  [NodeByIdSegment, CustomNodeSegment],
  (u) => (isObject(u.data) && u.data.id != null && u.data.content === undefined ? NodeByIdSegment : CustomNodeSegment),
  CustomNodeSegment,
);
/** @since 0.1.0 @category segments */
export type NodeSegment = t.TypeOf<typeof NodeSegment>;

// ---------------------------------------------------------------------------------------------------
// The union of standard segments
// ---------------------------------------------------------------------------------------------------

const standardCodecs = {
  text: TextSegment,
  face: FaceSegment,
  image: ImageSegment,
  record: RecordSegment,
  video: VideoSegment,
  at: AtSegment,
  rps: RpsSegment,
  dice: DiceSegment,
  shake: ShakeSegment,
  poke: PokeSegment,
  anonymous: AnonymousSegment,
  share: ShareSegment,
  contact: ContactSegment,
  location: LocationSegment,
  music: MusicSegment,
  reply: ReplySegment,
  forward: ForwardSegment,
  node: NodeSegment,
  xml: XmlSegment,
  json: JsonSegment,
} as const;

/**
 * The `type` of every standard segment (§4.4). Named by its values so errors list them.
 * @since 0.1.0 @category segments
 */
export const StandardSegmentType = oneOf(Object.keys(standardCodecs) as Array<keyof typeof standardCodecs>);
/** @since 0.1.0 @category segments */
export type StandardSegmentType = t.TypeOf<typeof StandardSegmentType>;

/** @since 0.1.0 @category segments */
export type StandardSegment = { [K in StandardSegmentType]: t.TypeOf<(typeof standardCodecs)[K]> }[StandardSegmentType];

/**
 * Any standard segment, validated by the codec its `type` selects (an unknown `type` is an error
 * here; use {@link MessageSegment} or {@link Segment} to let it through).
 *
 * @example
 * import { StandardSegment } from 'onebot-rx/protocol';
 * StandardSegment.decode({ type: 'face', data: { id: 178 } }); // Right({ type: 'face', data: { id: '178' } })
 *
 * @since 0.1.0
 * @category segments
 */
export const StandardSegment = dispatchCodec<StandardSegment>(
  'StandardSegment',
  Object.values(standardCodecs),
  (u) => (typeof u.type === 'string' && Object.prototype.hasOwnProperty.call(standardCodecs, u.type) ? standardCodecs[u.type as StandardSegmentType] : undefined),
  t.type({ type: StandardSegmentType }, 'StandardSegment'),
);

/**
 * The codec of a standard segment type, or `undefined` for any other type.
 * @since 0.1.0 @category segments
 */
export const segmentCodecOf = (type: string): t.Type<StandardSegment, unknown, unknown> | undefined =>
  Object.prototype.hasOwnProperty.call(standardCodecs, type) ? (standardCodecs[type as StandardSegmentType] as t.Type<StandardSegment, unknown, unknown>) : undefined;
