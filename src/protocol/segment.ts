import type {
  AnonymousSegment,
  AtSegment,
  ContactSegment,
  CustomMusicSegment,
  CustomNodeSegment,
  DiceSegment,
  FaceSegment,
  ForwardSegment,
  ImageSegment,
  JsonSegment,
  LocationSegment,
  MessageInput,
  NodeByIdSegment,
  PlatformMusicSegment,
  PokeSegment,
  RecordSegment,
  ReplySegment,
  RpsSegment,
  ShakeSegment,
  ShareSegment,
  TextSegment,
  VideoSegment,
  XmlSegment,
} from './codecs/segments';

/**
 * An id as callers naturally hold it: a number (QQ ids fit in a double), a bigint (int64 from a
 * precise parser) or an already formatted string. Segment data always stores the decimal string.
 *
 * @since 0.1.0
 * @category segments
 */
export type SegmentId = number | bigint | string;

/**
 * Options of media segments on send (docs/protocol.md §4.4). Only set keys appear in `data`; flags become
 * `"1"`/`"0"`, `timeout` (seconds) its decimal string.
 *
 * @since 0.1.0
 * @category segments
 */
export interface MediaOptions {
  /** Use the cache for URL files (implementation default: true). */
  cache?: boolean;
  /** Download URL files through the configured proxy (implementation default: true). */
  proxy?: boolean;
  /** Download timeout in seconds for URL files (implementation default: none). */
  timeout?: number;
}

/** @since 0.1.0 @category segments */
export interface ImageOptions extends MediaOptions {
  /** `flash` for a flash image; absent = a normal image. (ext) go-cqhttp also knows `show`. */
  type?: 'flash' | (string & {});
}

/** @since 0.1.0 @category segments */
export interface RecordOptions extends MediaOptions {
  /** Apply the voice changer. */
  magic?: boolean;
}

/** @since 0.1.0 @category segments */
export interface ShareOptions {
  content?: string;
  image?: string;
}

/** @since 0.1.0 @category segments */
export interface LocationOptions {
  title?: string;
  content?: string;
}

/** @since 0.1.0 @category segments */
export interface CustomMusicOptions {
  /** Jump target when the card is clicked. */
  url: string;
  /** Audio URL. */
  audio: string;
  title: string;
  content?: string;
  image?: string;
}

const id = (value: SegmentId): string => (typeof value === 'string' ? value : String(value));
const flag = (value: boolean): string => (value ? '1' : '0');

/** Copies the defined entries only, so `data` never carries `undefined` values. */
const defined = <T extends Record<string, string | undefined>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
};

const media = (opts: MediaOptions) => ({
  cache: opts.cache === undefined ? undefined : flag(opts.cache),
  proxy: opts.proxy === undefined ? undefined : flag(opts.proxy),
  timeout: opts.timeout === undefined ? undefined : String(opts.timeout),
});

/**
 * Builders for every standard segment type (docs/protocol.md §4.4). Each returns the precisely typed
 * segment with string-valued `data` (numbers and bigints are formatted as decimal strings, flags as
 * `"1"`/`"0"`), and every result decodes with its codec (`TextSegment`, `AtSegment`, ...).
 *
 * @example
 * import { segment } from 'onebot-rx/protocol';
 * const message = [segment.reply(1234), segment.at(10001000), segment.text(' hi'), segment.face(178)];
 * // [{ type: 'reply', data: { id: '1234' } }, { type: 'at', data: { qq: '10001000' } },
 * //  { type: 'text', data: { text: ' hi' } }, { type: 'face', data: { id: '178' } }]
 *
 * @since 0.1.0
 * @category segments
 */
export const segment = {
  /** Plain text (kept literal: no CQ escaping applies in array form). */
  text: (text: string): TextSegment => ({ type: 'text', data: { text } }),

  /** QQ built-in emoji by id. */
  face: (faceId: SegmentId): FaceSegment => ({ type: 'face', data: { id: id(faceId) } }),

  /** Image: a received file name, `file:///…`, `http(s)://…` or `base64://…`. */
  image: (file: string, opts: ImageOptions = {}): ImageSegment => ({
    type: 'image',
    data: defined({ file, type: opts.type, ...media(opts) }),
  }),

  /** Voice message; same `file` forms as {@link segment.image}. */
  record: (file: string, opts: RecordOptions = {}): RecordSegment => ({
    type: 'record',
    data: defined({ file, magic: opts.magic === undefined ? undefined : flag(opts.magic), ...media(opts) }),
  }),

  /** Short video; same `file` forms as {@link segment.image}. */
  video: (file: string, opts: MediaOptions = {}): VideoSegment => ({ type: 'video', data: defined({ file, ...media(opts) }) }),

  /** Mention a member, or everybody with `'all'`. */
  at: (qq: SegmentId | 'all'): AtSegment => ({ type: 'at', data: { qq: id(qq) } }),

  /** Rock-paper-scissors magic emoji. */
  rps: (): RpsSegment => ({ type: 'rps', data: {} }),

  /** Dice magic emoji. */
  dice: (): DiceSegment => ({ type: 'dice', data: {} }),

  /** Window shake (the simplest poke). */
  shake: (): ShakeSegment => ({ type: 'shake', data: {} }),

  /** Poke of `type`/`id` (values from Mirai's PokeMessage table). */
  poke: (type: SegmentId, pokeId: SegmentId): PokeSegment => ({ type: 'poke', data: { type: id(type), id: id(pokeId) } }),

  /** Send the message anonymously; `ignore`: still send it if anonymity fails. */
  anonymous: (ignore?: boolean): AnonymousSegment => ({ type: 'anonymous', data: ignore === undefined ? {} : { ignore: flag(ignore) } }),

  /** Link card. */
  share: (url: string, title: string, opts: ShareOptions = {}): ShareSegment => ({
    type: 'share',
    data: defined({ url, title, content: opts.content, image: opts.image }),
  }),

  /** Recommend a user (`qq`) or a group (`group`). */
  contact: (type: 'qq' | 'group', contactId: SegmentId): ContactSegment => ({ type: 'contact', data: { type, id: id(contactId) } }),

  /** A location; coordinates are formatted as decimal strings. */
  location: (lat: number | string, lon: number | string, opts: LocationOptions = {}): LocationSegment => ({
    type: 'location',
    data: defined({ lat: String(lat), lon: String(lon), title: opts.title, content: opts.content }),
  }),

  /** Share a song from QQ Music (`qq`), NetEase (`163`) or Xiami (`xm`). */
  music: (type: 'qq' | '163' | 'xm', musicId: SegmentId): PlatformMusicSegment => ({ type: 'music', data: { type, id: id(musicId) } }),

  /** A custom music card. */
  customMusic: (opts: CustomMusicOptions): CustomMusicSegment => ({
    type: 'music',
    data: defined({ type: 'custom' as const, url: opts.url, audio: opts.audio, title: opts.title, content: opts.content, image: opts.image }),
  }),

  /** Quote the message `message_id`. */
  reply: (messageId: SegmentId): ReplySegment => ({ type: 'reply', data: { id: id(messageId) } }),

  /** A merged-forward message by its forward id. */
  forward: (forwardId: SegmentId): ForwardSegment => ({ type: 'forward', data: { id: id(forwardId) } }),

  /** A forward node re-sending an existing message by `message_id`. */
  node: (messageId: SegmentId): NodeByIdSegment => ({ type: 'node', data: { id: id(messageId) } }),

  /** A forward node with custom sender and content (a CQ string, a segment or segments). */
  customNode: (userId: SegmentId, nickname: string, content: MessageInput): CustomNodeSegment => ({
    type: 'node',
    data: { user_id: id(userId), nickname, content },
  }),

  /** XML card payload. */
  xml: (data: string): XmlSegment => ({ type: 'xml', data: { data } }),

  /** JSON card payload: a string is used as is, any other value is serialised with `JSON.stringify`. */
  json: (data: string | Record<string, unknown> | unknown[]): JsonSegment => ({
    type: 'json',
    data: { data: typeof data === 'string' ? data : JSON.stringify(data) },
  }),
} as const;
