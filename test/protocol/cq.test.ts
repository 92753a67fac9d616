import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as cq from '../../src/protocol/cq';
import { escapeCQ, messageToCQ, normalizeMessage, parseCQ, toCQ, unescapeCQ } from '../../src/protocol/cq';
import type { MessageInput, Segment } from '../../src/protocol/codecs/segments';

const text = (t: string): Segment => ({ type: 'text', data: { text: t } });
const seg = (type: string, data: Record<string, unknown> = {}): Segment => ({ type, data });

/**
 * The normalisation stated in `toCQ`'s TSDoc, written independently: drop null/undefined values,
 * read text segments without other keys as `{ text }`, merge adjacent ones, drop empty ones.
 */
const normalise = (segments: Segment[]): Segment[] => {
  const out: Segment[] = [];
  let pending: string | undefined;
  const flush = (): void => {
    if (pending !== undefined && pending !== '') out.push(text(pending));
    pending = undefined;
  };
  for (const s of segments) {
    const data = Object.fromEntries(Object.entries(s.data).filter(([, v]) => v !== null && v !== undefined));
    const keys = Object.keys(data);
    if (s.type === 'text' && keys.every((k) => k === 'text')) {
      pending = (pending ?? '') + String(data.text ?? '');
    } else {
      flush();
      out.push({ type: s.type, data });
    }
  }
  flush();
  return out;
};

// Strings built from the pieces that break naive CQ handling.
const TRICKY = ['[CQ:', '[CQ:face', '[CQ:text,text=', ']', '[', ',', '=', '&', '&amp;', '&#91;', '&#93;', '&#44;', '&#61;', '&#999;', '&foo;', '&amp;#91;', 'a', 'id', 'text', ' ', '\n', 'é', '😀', '\u0000'];
const trickyString = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const typeName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,11}$/);
const stringData = fc.dictionary(trickyString, trickyString, { maxKeys: 4 });
const segmentArb = (typeArb: fc.Arbitrary<string>): fc.Arbitrary<Segment> =>
  fc.oneof(
    fc.record({ type: fc.constant('text'), data: fc.record({ text: trickyString }) }),
    fc.record({ type: typeArb, data: stringData }),
    fc.record({ type: fc.constant('text'), data: stringData }),
  );

describe('docs/protocol.md §4.3 escaping', () => {
  it.each([
    ['plain', 'abc, def', false, 'abc, def'],
    ['& first', 'a&b', false, 'a&amp;b'],
    ['brackets', '[x]', false, '&#91;x&#93;'],
    ['comma kept in plain text', 'a,b', false, 'a,b'],
    ['comma escaped in values', 'a,b', true, 'a&#44;b'],
    ['entity text is escaped, not kept', '&#91;', false, '&amp;#91;'],
    ['all four in a value', '&[],', true, '&amp;&#91;&#93;&#44;'],
    ['equals is left alone in values', 'a=b', true, 'a=b'],
    ['unicode untouched', '😀 é\n', true, '😀 é\n'],
  ])('escapeCQ: %s', (_name, input, inValue, expected) => {
    expect(escapeCQ(input, inValue)).toBe(expected);
  });

  it.each([
    ['all entities', '&amp;&#91;&#93;&#44;', '&[],'],
    ['one left-to-right pass: &amp;#91; stays &#91;', '&amp;#91;', '&#91;'],
    ['&amp;amp; decodes once', '&amp;amp;', '&amp;'],
    ['unknown named entity kept', '&foo;', '&foo;'],
    ['unknown numeric entity kept', '&#999;', '&#999;'],
    ['&#61; is not a spec entity', '&#61;', '&#61;'],
    ['lone & kept', 'a & b &', 'a & b &'],
    ['truncated entity kept', '&#9', '&#9'],
    ['& directly before an entity', '&&#91;', '&['],
  ])('unescapeCQ: %s', (_name, input, expected) => {
    expect(unescapeCQ(input)).toBe(expected);
  });

  it('escapeCQ then unescapeCQ is the identity (text and value mode)', () => {
    fc.assert(
      fc.property(trickyString, fc.boolean(), (s, inValue) => {
        expect(unescapeCQ(escapeCQ(s, inValue))).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('escaped text holds no raw [ ] (and no raw , in value mode)', () => {
    fc.assert(
      fc.property(trickyString, (s) => {
        expect(escapeCQ(s)).not.toMatch(/[[\]]/);
        expect(escapeCQ(s, true)).not.toMatch(/[[\],]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('docs/protocol.md §4.3 grammar: type up to the first , or ], key before the first =', () => {
  it.each<[string, string, Segment[]]>([
    ['empty string', '', []],
    ['plain text only', 'hello, world', [text('hello, world')]],
    ['spec example', '[CQ:face,id=178]look[CQ:image,file=123.jpg]', [seg('face', { id: '178' }), text('look'), seg('image', { file: '123.jpg' })]],
    ['no params', '[CQ:shake]', [seg('shake')]],
    ['value containing =', '[CQ:share,url=http://a/?x=1]', [seg('share', { url: 'http://a/?x=1' })]],
    ['empty value', '[CQ:image,file=]', [seg('image', { file: '' })]],
    ['empty key', '[CQ:x,=v]', [seg('x', { '': 'v' })]],
    ['last duplicate key wins', '[CQ:x,k=1,k=2]', [seg('x', { k: '2' })]],
    ['spaces and newlines in values', '[CQ:xml,data=<a b="c">\n</a>]', [seg('xml', { data: '<a b="c">\n</a>' })]],
    ['no trimming: stray space is part of the key', '[CQ:face, id=178]', [seg('face', { ' id': '178' })]],
    ['= in the type is part of the type', '[CQ:a=b]', [seg('a=b')]],
    ['text runs are unescaped', '&#91;x&#93;&amp;[CQ:dice]&#44;', [text('[x]&'), seg('dice'), text(',')]],
    ['type, key and value are unescaped', '[CQ:a&#44;b,k&amp;=v&#93;]', [seg('a,b', { 'k&': 'v]' })]],
    ['&#61; in a key decodes to =', '[CQ:x,a&#61;b=c]', [seg('x', { 'a=b': 'c' })]],
    ['&#61; in a value is literal', '[CQ:x,a=&#61;]', [seg('x', { a: '&#61;' })]],
    ['[CQ:text,text=…] merges with neighbouring text', 'a[CQ:text,text=b]c', [text('abc')]],
    ['[CQ:text] with no text is dropped', 'a[CQ:text]b', [text('ab')]],
    ['[CQ:text] with other keys stays a segment', 'a[CQ:text,text=b,x=1]c', [text('a'), seg('text', { text: 'b', x: '1' }), text('c')]],
    ['__proto__ is an ordinary key', '[CQ:x,__proto__=v]', [{ type: 'x', data: Object.fromEntries([['__proto__', 'v']]) }]],
    ['adjacent codes', '[CQ:a][CQ:b,c=d]', [seg('a'), seg('b', { c: 'd' })]],
  ])('%s', (_name, input, expected) => {
    expect(parseCQ(input)).toEqual(expected);
  });

  it('the __proto__ key is an own data property, not a prototype change', () => {
    const [s] = parseCQ('[CQ:x,__proto__=v]');
    expect(Object.getPrototypeOf(s!.data)).toBe(Object.prototype);
    expect(Object.keys(s!.data)).toEqual(['__proto__']);
  });

  it('spec example: share with escaped comma and ampersand', () => {
    const cqText = '[CQ:share,title=Wow&#44; really,url=http://a.b/?x=1&amp;y=2]';
    const segments = [seg('share', { title: 'Wow, really', url: 'http://a.b/?x=1&y=2' })];
    expect(parseCQ(cqText)).toEqual(segments);
    expect(toCQ(segments)).toBe(cqText);
  });

  it('spec example: nested node content escaped as a value', () => {
    const cqText = '[CQ:node,user_id=10001000,nickname=X,content=&#91;CQ:face&#44;id=123&#93;hi]';
    const content = '[CQ:face,id=123]hi';
    expect(parseCQ(cqText)).toEqual([seg('node', { user_id: '10001000', nickname: 'X', content })]);
    expect(parseCQ(content)).toEqual([seg('face', { id: '123' }), text('hi')]);
    // The same code whether content is a string, a segment array, or a single segment.
    const asArray = [seg('face', { id: 123 }), text('hi')];
    expect(toCQ([seg('node', { user_id: 10001000, nickname: 'X', content })])).toBe(cqText);
    expect(toCQ([seg('node', { user_id: '10001000', nickname: 'X', content: asArray })])).toBe(cqText);
    expect(toCQ([seg('node', { user_id: '10001000', nickname: 'X', content: seg('face', { id: '123' }) })])).toBe(
      '[CQ:node,user_id=10001000,nickname=X,content=&#91;CQ:face&#44;id=123&#93;]',
    );
  });
});

describe('docs/protocol.md §4.3 malformed CQ degrades to literal text', () => {
  it.each<[string, string, Segment[]]>([
    ['unclosed code at the end', 'a[CQ:face,id=1', [text('a[CQ:face,id=1')]],
    ['bare [CQ:', '[CQ:', [text('[CQ:')]],
    ['empty type', '[CQ:]', [text('[CQ:]')]],
    ['empty type with params', '[CQ:,a=b]x', [text('[CQ:,a=b]x')]],
    ['param without =', '[CQ:face,id]', [text('[CQ:face,id]')]],
    ['trailing comma (empty param)', '[CQ:face,]', [text('[CQ:face,]')]],
    ['double comma', '[CQ:face,,id=1]', [text('[CQ:face,,id=1]')]],
    ['stray ]', 'a]b', [text('a]b')]],
    ['stray [', 'a[b', [text('a[b')]],
    ['lower-case cq is not a code', '[cq:face,id=1]', [text('[cq:face,id=1]')]],
    ['raw [ inside a code cuts it; the next code still parses', '[CQ:a,b=[CQ:c]x', [text('[CQ:a,b='), seg('c'), text('x')]],
    ['unclosed code before a good one', '[CQ:face,id=1[CQ:dice]', [text('[CQ:face,id=1'), seg('dice')]],
    ['malformed text is unescaped like any text', '[CQ:face,id&#93;&amp;', [text('[CQ:face,id]&')]],
    ['malformed code merges with neighbouring text', 'x[CQ:]y[CQ:dice]', [text('x[CQ:]y'), seg('dice')]],
    ['unknown entity inside a value keeps the code valid', '[CQ:share,url=a?x=1&y=2&foo;&#999;]', [seg('share', { url: 'a?x=1&y=2&foo;&#999;' })]],
    ['unknown entity in text', '&foo;&#999;&', [text('&foo;&#999;&')]],
    ['nested garbage', '[[[CQ:[CQ:]]]', [text('[[[CQ:[CQ:]]]')]],
  ])('%s', (_name, input, expected) => {
    expect(parseCQ(input)).toEqual(expected);
  });

  it('never throws on non-string input from untyped callers', () => {
    expect(parseCQ(undefined as unknown as string)).toEqual([]);
    expect(parseCQ(42 as unknown as string)).toEqual([]);
  });

  it('parses 1 MB of pathological input in one linear pass', () => {
    const mb = 1 << 20;
    const inputs = [
      '['.repeat(mb),
      '[CQ:'.repeat(mb / 4),
      '[CQ:a,'.repeat(mb / 6),
      '[CQ:a,b]'.repeat(mb / 8),
      '[CQ:a,b=c'.repeat(mb / 9) + ']',
      '&'.repeat(mb),
      '&amp;'.repeat(mb / 5),
      ']'.repeat(mb),
      '[CQ:x,' + 'k=v,'.repeat(mb / 4) + ']',
      '[CQ:a,b=c]'.repeat(mb / 10),
    ];
    for (const input of inputs) {
      const out = parseCQ(input);
      // Everything is accounted for: re-serialising is stable and non-empty.
      expect(out.length).toBeGreaterThan(0);
      expect(toCQ(parseCQ(toCQ(out)))).toBe(toCQ(out));
    }
    expect(parseCQ('[CQ:'.repeat(mb / 4))).toEqual([text('[CQ:'.repeat(mb / 4))]);
    expect(parseCQ('[CQ:a,b]'.repeat(mb / 8))).toHaveLength(1);
    expect(parseCQ('[CQ:a,b=c]'.repeat(mb / 10))).toHaveLength(Math.floor(mb / 10));
  });
});

describe('docs/protocol.md §4.3 serialising segments', () => {
  it.each<[string, Segment[], string]>([
    ['empty array', [], ''],
    ['text is bare escaped text, comma kept', [text('[a], b & c')], '&#91;a&#93;, b &amp; c'],
    ['no params', [seg('rps')], '[CQ:rps]'],
    ['null and undefined values skipped', [seg('image', { file: 'a.jpg', type: null, timeout: undefined })], '[CQ:image,file=a.jpg]'],
    ['all values null gives [CQ:type]', [seg('image', { type: null })], '[CQ:image]'],
    ['numbers and booleans stringified', [seg('x', { n: 123, f: 1.5, b: true, z: false })], '[CQ:x,n=123,f=1.5,b=true,z=false]'],
    ['bigint stringified', [seg('x', { n: 10n })], '[CQ:x,n=10]'],
    ['plain object as escaped JSON', [seg('json', { data: { a: [1, 2] } })], '[CQ:json,data={"a":&#91;1&#44;2&#93;}]'],
    ['array that is not a message as JSON', [seg('x', { v: [1, 'a'] })], '[CQ:x,v=&#91;1&#44;"a"&#93;]'],
    ['values keep = and newlines', [seg('x', { v: 'a=b\nc' })], '[CQ:x,v=a=b\nc]'],
    ['unicode and emoji untouched', [seg('x', { v: 'é😀' }), text('😀')], '[CQ:x,v=é😀]😀'],
    ['literal &#44; text is escaped', [seg('x', { v: '&#44;' }), text('&#44;')], '[CQ:x,v=&amp;#44;]&amp;#44;'],
    ['type with , [ ] & is escaped like a value', [seg('a,b[c]&d')], '[CQ:a&#44;b&#91;c&#93;&amp;d]'],
    ['key with = , ] & is escaped (= as &#61;)', [seg('x', { 'k=,]&': 'v' })], '[CQ:x,k&#61;&#44;&#93;&amp;=v]'],
    ['empty type is left out', [text('a'), seg(''), text('b')], 'ab'],
    ['text with extra keys is written as a code', [seg('text', { text: 'a', x: '1' })], '[CQ:text,text=a,x=1]'],
    ['text with a null extra key is bare', [seg('text', { text: 'a', x: null })], 'a'],
    ['text with no data is empty', [seg('text')], ''],
    ['text with a number', [seg('text', { text: 5 })], '5'],
    ['data null read as {}', [{ type: 'dice', data: null } as unknown as Segment], '[CQ:dice]'],
  ])('%s', (_name, segments, expected) => {
    expect(toCQ(segments)).toBe(expected);
  });

  it.each<[string, Segment[]]>([
    ['type with , [ ] &', [seg('a,b[c]&d', { k: 'v' })]],
    ['type with entity-like text', [seg('&#44;&amp;&#61;')]],
    ['type text with extra keys', [seg('text', { text: 'a', x: '1' })]],
    ['key with =', [seg('x', { 'a=b': 'c=d' })]],
    ['key with , ] [ & and entity text', [seg('x', { ',][&#61;&amp;': 'v' })]],
    ['empty key and empty value', [seg('x', { '': '' })]],
    ['__proto__ key', [{ type: 'x', data: Object.fromEntries([['__proto__', 'v']]) }]],
  ])('weird names round trip: %s', (_name, segments) => {
    expect(parseCQ(toCQ(segments))).toEqual(normalise(segments));
  });

  it('never throws on hostile values, cycles and non-segments', () => {
    const cyclicArray: unknown[] = [];
    cyclicArray.push({ type: 'node', data: { content: cyclicArray } });
    const cyclicObject: Record<string, unknown> = {};
    cyclicObject.self = cyclicObject;
    const throwingGetter = { type: 'x', get data(): Record<string, unknown> { throw new Error('boom'); } };
    const hostile = [
      seg('a', { v: Object.create(null) as object }),
      seg('b', { v: cyclicObject }),
      seg('c', { v: { toJSON: () => { throw new Error('x'); } } }),
      seg('d', { v: Symbol('s'), f: () => 1 }),
      seg('e', { content: cyclicArray }),
      throwingGetter,
      null,
      42,
      seg('ok'),
    ] as unknown as Segment[];
    expect(() => toCQ(hostile)).not.toThrow();
    expect(toCQ(hostile)).toBe(
      '[CQ:a,v={}]' +
        '[CQ:b,v=&#91;object Object&#93;]' + // cyclic: JSON fails, String is the last resort
        '[CQ:c,v=&#91;object Object&#93;]' + // throwing toJSON
        '[CQ:d]' + // symbol and function values are skipped
        '[CQ:e,content=&#91;CQ:node&#44;content=&amp;#91;object Object&amp;#93;&#93;]' + // cycle cut at the repeat
        '[CQ:ok]', // the throwing getter and the non-segments are left out
    );
    expect(toCQ(null as unknown as Segment[])).toBe('');
  });

  it('never throws on arbitrary data (property, 1000 runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.string(), data: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.anything())) })), (segments) => {
        const out = toCQ(segments as Segment[]);
        expect(typeof out).toBe('string');
        expect(() => parseCQ(out)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});

describe('docs/protocol.md §4.3 round trip', () => {
  it('parseCQ(toCQ(segs)) equals normalise(segs) for CQ type names and string values (1000 runs)', () => {
    fc.assert(
      fc.property(fc.array(segmentArb(typeName), { maxLength: 8 }), (segments) => {
        expect(parseCQ(toCQ(segments))).toEqual(normalise(segments));
      }),
      { numRuns: 1000 },
    );
  });

  it('also for any non-empty type string (1000 runs)', () => {
    fc.assert(
      fc.property(fc.array(segmentArb(trickyString.filter((s) => s !== '')), { maxLength: 8 }), (segments) => {
        expect(parseCQ(toCQ(segments))).toEqual(normalise(segments));
      }),
      { numRuns: 1000 },
    );
  });

  it('the normaliser is not the identity (the round trip does merge and drop)', () => {
    const segments = [text('a'), text(''), seg('text', { text: 'b', x: null }), seg('dice', { v: null })];
    expect(parseCQ(toCQ(segments))).toEqual([text('ab'), seg('dice')]);
    expect(parseCQ(toCQ(segments))).not.toEqual(segments);
  });

  it('parseCQ output is already normalised for any string (1000 runs)', () => {
    fc.assert(
      fc.property(trickyString, (x) => {
        const out = parseCQ(x);
        expect(normalise(out)).toEqual(out);
        for (const s of out) for (const v of Object.values(s.data)) expect(typeof v).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('toCQ(parseCQ(x)) is stable after one pass for any string (1000 runs)', () => {
    fc.assert(
      fc.property(fc.oneof(trickyString, fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 80 })), (x) => {
        const once = toCQ(parseCQ(x));
        expect(toCQ(parseCQ(once))).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['[CQ:a,k&#59;=1]', '[CQ:a,k&amp;#59;=1]'],
    ['[CQ:x,u=a&y]', '[CQ:x,u=a&amp;y]'],
    ['[CQ:text,text=a]b', 'ab'],
    ['[CQ:face, id=1]', '[CQ:face, id=1]'],
    ['a]b[c', 'a&#93;b&#91;c'],
    ['[CQ:face,id]', '&#91;CQ:face,id&#93;'],
  ])('canonical form of %j is %j', (input, canonical) => {
    expect(toCQ(parseCQ(input))).toBe(canonical);
    expect(toCQ(parseCQ(canonical))).toBe(canonical);
  });
});

describe('docs/protocol.md §4.1 message forms: normalizeMessage and messageToCQ', () => {
  it.each<[string, MessageInput, boolean, Segment[]]>([
    ['string is parsed', '[CQ:at,qq=1] hi&amp;', false, [seg('at', { qq: '1' }), text(' hi&')]],
    ['auto_escape: string verbatim as one text', '[CQ:at,qq=1] hi&amp;', true, [text('[CQ:at,qq=1] hi&amp;')]],
    ['empty string', '', false, []],
    ['empty string with auto_escape', '', true, []],
    ['single segment', seg('face', { id: '1' }), false, [seg('face', { id: '1' })]],
    ['single segment ignores auto_escape', seg('text', { text: '[CQ:x]' }), true, [seg('text', { text: '[CQ:x]' })]],
    ['array as is', [text('a'), text('b')], false, [text('a'), text('b')]],
    ['data null → {}', [{ type: 'dice', data: null } as unknown as Segment], false, [seg('dice')]],
    ['missing data → {}', { type: 'dice' } as unknown as Segment, false, [seg('dice')]],
    ['non-segments dropped', [null, 1, seg('rps')] as unknown as Segment[], false, [seg('rps')]],
  ])('normalizeMessage: %s', (_name, input, autoEscape, expected) => {
    expect(normalizeMessage(input, autoEscape)).toEqual(expected);
  });

  it('normalizeMessage keeps the segment objects of an array and does not mutate input', () => {
    const a = seg('face', { id: '1' });
    const b = { type: 'dice', data: null } as unknown as Segment;
    const out = normalizeMessage([a, b]);
    expect(out[0]).toBe(a);
    expect(b.data).toBeNull();
  });

  it.each<[string, MessageInput, string]>([
    ['string verbatim', '[CQ:face,id=1]&#91;', '[CQ:face,id=1]&#91;'],
    ['segment array', [seg('at', { qq: 'all' }), text(' a&b,[c]')], '[CQ:at,qq=all] a&amp;b,&#91;c&#93;'],
    ['single segment', seg('face', { id: 178 }), '[CQ:face,id=178]'],
    ['data null', { type: 'shake', data: null } as unknown as Segment, '[CQ:shake]'],
    ['empty array', [], ''],
  ])('messageToCQ: %s', (_name, input, expected) => {
    expect(messageToCQ(input)).toBe(expected);
  });
});

describe('TSDoc @example blocks of src/protocol/cq.ts', () => {
  const source = readFileSync(join(__dirname, '../../src/protocol/cq.ts'), 'utf8');
  const examples = [...source.matchAll(/@example\n([\s\S]*?)\n \*\s*\n \* @since/g)].map((m) =>
    m[1]!
      .split('\n')
      .map((line) => line.replace(/^ \* ?/, ''))
      .filter((line) => !line.startsWith('import '))
      .join('\n')
      .replace(/ as never/g, ''),
  );

  it('every export has an example', () => {
    const exported = [...source.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    expect(exported).toHaveLength(6);
    expect(examples).toHaveLength(exported.length);
  });

  it.each(examples.map((body, i) => [i, body]))('example %i runs and its assertions hold', (_i, body) => {
    const run = new Function('assert', ...Object.keys(cq), body as string);
    run(assert, ...Object.values(cq));
  });
});
