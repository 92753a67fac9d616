import type { Message, MessageInput, Segment } from './codecs/segments';

/**
 * CQ code: the string form of a message (docs/protocol.md §4.3).
 *
 * Everything here is total: malformed input degrades to literal text and unrepresentable values
 * degrade to a best-effort string, because this runs on every received message and a crash on one
 * odd message would take the whole connection down.
 *
 * Parsing is one left-to-right scan with `indexOf` (no backtracking regexes), so the cost is linear
 * in the input length whatever the input looks like.
 */

const CQ_OPEN = '[CQ:';

// Escape tables. `&` must be covered by the same pass as the others so that the `&` produced by an
// entity is never escaped twice (a chained `.replace` would have to run `&` first for that reason).
const TEXT_SPECIALS = /[&[\]]/g;
const VALUE_SPECIALS = /[&[\],]/g;
const KEY_SPECIALS = /[&[\],=]/g;
const ENTITY_OF: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '[': '&#91;',
  ']': '&#93;',
  ',': '&#44;',
  // Keys only, and not part of the spec: the key ends at the first raw `=`, so a key that itself
  // contains `=` has no other representation. Real keys are identifiers and never meet this.
  '=': '&#61;',
};
const replaceEntity = (ch: string): string => ENTITY_OF[ch] ?? ch;

// Entities understood when unescaping, keyed by their full text. Anything else that starts with
// `&` (`&foo;`, `&#999;`, a bare `&`) is literal text, as the common implementations treat it.
const SPEC_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['&amp;', '&'],
  ['&#91;', '['],
  ['&#93;', ']'],
  ['&#44;', ','],
]);
const KEY_ENTITIES: ReadonlyMap<string, string> = new Map([...SPEC_ENTITIES, ['&#61;', '=']]);

/**
 * Escapes `text` for CQ string form (docs/protocol.md §4.3): `&` → `&amp;`, `[` → `&#91;`, `]` → `&#93;`,
 * and, when `inValue` is true (a CQ parameter value), also `,` → `&#44;`. Plain text keeps its `,`.
 *
 * @example
 * import { escapeCQ } from 'onebot-rx/protocol';
 * assert.strictEqual(escapeCQ('[a], b & c'), '&#91;a&#93;, b &amp; c');
 * assert.strictEqual(escapeCQ('Wow, really', true), 'Wow&#44; really');
 *
 * @since 0.1.0
 * @category cq
 */
export const escapeCQ = (text: string, inValue = false): string =>
  String(text).replace(inValue ? VALUE_SPECIALS : TEXT_SPECIALS, replaceEntity);

const unescapeWith = (text: string, entities: ReadonlyMap<string, string>): string => {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    // Every entity we know is exactly five characters long.
    const decoded = entities.get(text.slice(amp, amp + 5));
    if (decoded === undefined) {
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    out += text.slice(from, amp) + decoded;
    from = amp + 5;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from);
};

/**
 * Reverses {@link escapeCQ}: decodes `&amp;`, `&#91;`, `&#93;` and `&#44;` in one left-to-right pass,
 * so `&amp;#91;` becomes the literal `&#91;` (not `[`). Any other `&…` sequence (`&foo;`, `&#999;`,
 * a lone `&`) is kept literally.
 *
 * @example
 * import { unescapeCQ } from 'onebot-rx/protocol';
 * assert.strictEqual(unescapeCQ('&#91;a&#93;&#44; b &amp; c'), '[a], b & c');
 * assert.strictEqual(unescapeCQ('&amp;#91; &foo;'), '&#91; &foo;');
 *
 * @since 0.1.0
 * @category cq
 */
export const unescapeCQ = (text: string): string => unescapeWith(String(text), SPEC_ENTITIES);

/** Values `toCQ` leaves out: null/undefined per spec, functions and symbols as JSON would. */
const isAbsent = (value: unknown): boolean =>
  value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** A `type: 'text'` segment that carries nothing but (at most) its `text`: rendered as bare text. */
const plainTextOf = (segment: Segment): string | undefined => {
  if (segment.type !== 'text') return undefined;
  let text = '';
  for (const [key, value] of Object.entries(segment.data)) {
    if (isAbsent(value)) continue;
    if (key !== 'text') return undefined;
    text = stringifyValue(value, new Set());
  }
  return text;
};

/**
 * Parses a CQ-code string into segments (docs/protocol.md §4.3).
 *
 * A code is `[CQ:` + type + zero or more `,key=value` + `]`, where the type is everything up to the
 * first `,` or `]`, each parameter's key is everything before its first `=` and the value the rest.
 * Type, keys, values and plain-text runs are unescaped with {@link unescapeCQ} (keys also decode
 * `&#61;` → `=`, see {@link toCQ}); a repeated key keeps its last value.
 *
 * Output shape: plain text becomes `{ type: 'text', data: { text } }`; adjacent text is merged and
 * empty text is dropped, so the result never holds two consecutive text segments nor an empty one.
 * A `[CQ:text,text=…]` code counts as text; a `text` code with other keys stays its own segment.
 * All `data` values are strings.
 *
 * Malformed input never throws; the offending characters are read as plain text (and unescaped like
 * any plain text):
 * - `[CQ:` with no closing `]` before the end of input, or before the next raw `[` — the characters
 *   from `[CQ:` up to (not including) that `[` or the end are text, and scanning resumes at the `[`;
 * - an empty type (`[CQ:]`, `[CQ:,a=b]`) or a parameter without `=` (`[CQ:face,id]`, `[CQ:face,]`) —
 *   the whole `[CQ:…]` is text;
 * - a stray `]`, a `[` not followed by `CQ:` — literal characters;
 * - an unknown or bad entity (`&foo;`, `&#999;`, lone `&`) — kept literally, the code stays valid.
 * Spaces are never trimmed: `[CQ:face, id=178]` (invalid per spec) yields the key `" id"`.
 *
 * @example
 * import { parseCQ } from 'onebot-rx/protocol';
 * assert.deepStrictEqual(parseCQ('[CQ:face,id=178]look&#91;1&#93; [CQ:image,file=1.jpg]'), [
 *   { type: 'face', data: { id: '178' } },
 *   { type: 'text', data: { text: 'look[1] ' } },
 *   { type: 'image', data: { file: '1.jpg' } },
 * ]);
 * assert.deepStrictEqual(parseCQ('[CQ:face,id]x'), [{ type: 'text', data: { text: '[CQ:face,id]x' } }]);
 *
 * @since 0.1.0
 * @category cq
 */
export const parseCQ = (text: string): Segment[] => {
  const input = typeof text === 'string' ? text : '';
  const out: Segment[] = [];
  let pending = '';
  const flush = (): void => {
    if (pending !== '') out.push({ type: 'text', data: { text: pending } });
    pending = '';
  };

  let cursor = 0; // start of the not yet consumed input
  let searchFrom = 0;
  for (;;) {
    const open = input.indexOf(CQ_OPEN, searchFrom);
    if (open < 0) break;
    // Find the closing `]`; a raw `[` first means this code is unterminated (values cannot hold a raw `[`).
    let end = open + CQ_OPEN.length;
    while (end < input.length) {
      const ch = input.charCodeAt(end);
      if (ch === 0x5d /* ] */ || ch === 0x5b /* [ */) break;
      end++;
    }
    if (end >= input.length) break; // unclosed up to the end: the rest is text
    if (input.charCodeAt(end) === 0x5b) {
      searchFrom = end; // the `[` may open the next code; the partial code stays in the text run
      continue;
    }
    const segment = decodeBody(input.slice(open + CQ_OPEN.length, end));
    searchFrom = end + 1;
    if (segment === undefined) continue; // malformed: stays in the text run
    pending += unescapeCQ(input.slice(cursor, open));
    cursor = end + 1;
    const plain = plainTextOf(segment);
    if (plain !== undefined) {
      pending += plain;
    } else {
      flush();
      out.push(segment);
    }
  }
  pending += unescapeCQ(input.slice(cursor));
  flush();
  return out;
};

/** Decodes the text between `[CQ:` and `]`, or `undefined` when it is not a valid code. */
const decodeBody = (body: string): Segment | undefined => {
  const pieces = body.split(',');
  const rawType = pieces[0] ?? '';
  if (rawType === '') return undefined;
  const entries: Array<[string, string]> = [];
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const eq = piece.indexOf('=');
    if (eq < 0) return undefined;
    entries.push([unescapeWith(piece.slice(0, eq), KEY_ENTITIES), unescapeCQ(piece.slice(eq + 1))]);
  }
  // fromEntries defines own properties, so a `__proto__` key is data, not a prototype change.
  return { type: unescapeCQ(rawType), data: Object.fromEntries(entries) };
};

const isSegmentLike = (u: unknown): u is Segment =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && typeof (u as { type?: unknown }).type === 'string';

/**
 * A parameter value as a string: strings as is, other primitives via `String`, a nested message
 * (segment array or one segment — custom `node.content`) as CQ code, other objects as JSON.
 * `seen` breaks cycles in nested messages.
 */
const stringifyValue = (value: unknown, seen: Set<unknown>): string => {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return safeString(value);
  if (!seen.has(value)) {
    if (Array.isArray(value) && value.every(isSegmentLike)) return renderSegments(value, seen);
    if (isSegmentLike(value)) return renderSegments([value], seen);
  }
  try {
    const json: unknown = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // cyclic or a throwing toJSON: fall through to String
  }
  return safeString(value);
};

const safeString = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return ''; // e.g. an object without a prototype or with a throwing toString
  }
};

const renderSegments = (segments: readonly unknown[], seen: Set<unknown>): string => {
  seen.add(segments);
  let out = '';
  for (const segment of segments) {
    if (!isSegmentLike(segment)) continue;
    seen.add(segment);
    try {
      out += renderSegment(segment, seen);
    } catch {
      // a throwing getter in hand-built data: skip that segment rather than fail the message
    }
    seen.delete(segment);
  }
  seen.delete(segments);
  return out;
};

const renderSegment = (segment: Segment, seen: Set<unknown>): string => {
  const data: Record<string, unknown> =
    typeof segment.data === 'object' && segment.data !== null ? segment.data : {};
  const normalised = data === segment.data ? segment : { type: segment.type, data };
  const plain = plainTextOf(normalised);
  if (plain !== undefined) return escapeCQ(plain);
  if (segment.type === '') return ''; // `[CQ:]` is not a code: an untyped segment cannot be written
  let code = CQ_OPEN + escapeCQ(segment.type, true);
  for (const [key, value] of Object.entries(data)) {
    if (isAbsent(value)) continue;
    code += ',' + key.replace(KEY_SPECIALS, replaceEntity) + '=' + escapeCQ(stringifyValue(value, seen), true);
  }
  return code + ']';
};

/**
 * Serialises segments to a CQ-code string (docs/protocol.md §4.3).
 *
 * - A `text` segment whose only non-null key is `text` becomes bare text escaped with
 *   {@link escapeCQ}; any other segment becomes `[CQ:type,key=value,…]`, or `[CQ:type]` without
 *   parameters. A `text` segment with other keys is written as a `[CQ:text,…]` code so nothing is lost.
 * - Parameters with `null`/`undefined` values are skipped (so are functions and symbols, which have
 *   no JSON form either). Type and values are escaped with
 *   `escapeCQ(…, true)`. Keys are escaped the same way plus `=` → `&#61;` (not in the spec: the key
 *   ends at the first `=`; identifiers never contain one, so real keys are untouched).
 * - Non-string values: numbers, booleans, bigints via `String`; a segment array or a single segment
 *   (custom `node.content`) as nested CQ code; other objects as JSON; all then escaped as a value.
 * - A segment with an empty `type` cannot be written (`[CQ:]` is not a code) and is left out.
 *
 * Round trip: for any array `segs` of segments with non-empty types and string (or null/undefined)
 * data values, `parseCQ(toCQ(segs))` deep-equals `normalize(segs)`, where `normalize` drops
 * null/undefined values, turns every text segment whose only key is `text` (or that has no key) into
 * `{ type: 'text', data: { text } }` (`text` defaulting to `''`), concatenates adjacent such text
 * segments and then drops those whose text is `''`. Never throws, whatever the input.
 *
 * @example
 * import { toCQ } from 'onebot-rx/protocol';
 * assert.strictEqual(
 *   toCQ([
 *     { type: 'share', data: { title: 'Wow, really', url: 'http://a.b/?x=1&y=2', image: null } },
 *     { type: 'text', data: { text: '[hi]' } },
 *     { type: 'shake', data: {} },
 *   ]),
 *   '[CQ:share,title=Wow&#44; really,url=http://a.b/?x=1&amp;y=2]&#91;hi&#93;[CQ:shake]',
 * );
 *
 * @since 0.1.0
 * @category cq
 */
export const toCQ = (segments: Segment[]): string =>
  Array.isArray(segments) ? renderSegments(segments, new Set()) : '';

/**
 * Turns any accepted message form into a segment array (docs/protocol.md §4.1):
 * - a string is parsed with {@link parseCQ}; with `autoEscape` it is instead one text segment holding
 *   the string verbatim (no CQ parsing, no unescaping — the `auto_escape` API flag). The empty string
 *   gives `[]` in both modes.
 * - a single segment becomes `[segment]`; an array is returned element by element as is;
 * - a segment whose `data` is `null`/missing gets `data: {}` (a copy, the input is not mutated).
 * Anything that is not a segment (at run time, from untyped callers) is dropped.
 *
 * @example
 * import { normalizeMessage } from 'onebot-rx/protocol';
 * assert.deepStrictEqual(normalizeMessage('[CQ:at,qq=1] hi'), [
 *   { type: 'at', data: { qq: '1' } },
 *   { type: 'text', data: { text: ' hi' } },
 * ]);
 * assert.deepStrictEqual(normalizeMessage('[CQ:at,qq=1]', true), [{ type: 'text', data: { text: '[CQ:at,qq=1]' } }]);
 * assert.deepStrictEqual(normalizeMessage({ type: 'dice', data: null } as never), [{ type: 'dice', data: {} }]);
 *
 * @since 0.1.0
 * @category cq
 */
export const normalizeMessage = (message: MessageInput, autoEscape = false): Segment[] => {
  if (typeof message === 'string') {
    if (!autoEscape) return parseCQ(message);
    return message === '' ? [] : [{ type: 'text', data: { text: message } }];
  }
  const list: readonly unknown[] = Array.isArray(message) ? message : [message];
  const out: Segment[] = [];
  for (const item of list) {
    if (!isSegmentLike(item)) continue;
    out.push(typeof item.data === 'object' && item.data !== null ? item : { ...item, data: {} });
  }
  return out;
};

/**
 * The `raw_message` form of a message: a string is already CQ code and is returned verbatim; a
 * segment or an array of segments is serialised with {@link toCQ}.
 *
 * @example
 * import { messageToCQ } from 'onebot-rx/protocol';
 * assert.strictEqual(messageToCQ([{ type: 'at', data: { qq: 'all' } }, { type: 'text', data: { text: ' a&b' } }]), '[CQ:at,qq=all] a&amp;b');
 * assert.strictEqual(messageToCQ({ type: 'face', data: { id: 178 } }), '[CQ:face,id=178]');
 * assert.strictEqual(messageToCQ('[CQ:face,id=1]'), '[CQ:face,id=1]');
 *
 * @since 0.1.0
 * @category cq
 */
export const messageToCQ = (message: Message | MessageInput): string => {
  if (typeof message === 'string') return message;
  return toCQ(normalizeMessage(message));
};
