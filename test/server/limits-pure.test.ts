import fc from 'fast-check';
import { inspectJson } from '../../src/server/frame-shape';
import { checkSelfId, parseSelfId } from '../../src/server/self-id';
import { History } from '../../src/server/history';

describe('the self_id rule (one rule for header, query and connect event)', () => {
  it.each([
    [1, true],
    [12345, true],
    [Number.MAX_SAFE_INTEGER, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [Infinity, false],
    [NaN, false],
    [2 ** 53, false],
    ['12345', false],
    [null, false],
  ])('checkSelfId(%p) ok=%p', (value, ok) => {
    expect(checkSelfId(value).ok).toBe(ok);
  });

  it.each([
    ['12345', 12345],
    [' 42 ', 42],
    ['9007199254740991', 9007199254740991],
  ])('parseSelfId(%p) = %p', (raw, id) => {
    expect(parseSelfId(raw)).toEqual({ ok: true, selfId: id });
  });

  it.each(['0', '-1', '1.5', '1e309', '9007199254740993', '9007199254740992', '0x10', '', 'abc', '+5', '12345678901234567'])('parseSelfId(%p) refuses with a reason', (raw) => {
    const r = parseSelfId(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^self_id .+ is /);
  });

  it('text and JSON agree: a digit string is accepted exactly when its number is', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 16n }), (n) => {
        expect(parseSelfId(n.toString()).ok).toBe(checkSelfId(Number(n)).ok && BigInt(Number(n)) === n);
      }),
    );
  });
});

describe('frame shape limits (checked before decoding)', () => {
  const ok = (text: string, depth = 64, values = 100_000, segments = 1000) => inspectJson(text, depth, values, segments);

  it.each([
    ['{"a":1}', true],
    ['{"message":[{"type":"text","data":{"text":"hi"}}]}', true],
    ['[[[[1]]]]', true],
  ])('%s passes', (text, pass) => {
    expect(ok(text).ok).toBe(pass);
  });

  it('counts depth outside strings only', () => {
    expect(ok('{"s":"[[[[[[[[[["}', 2).ok).toBe(true);
    expect(ok('{"s":"\\"[[["}', 2).ok).toBe(true);
    expect(ok('{"a":{"b":{"c":1}}}', 2)).toEqual({ ok: false, limit: 'maxDepth', found: 3 });
  });

  it('counts segments in message and content, CQ codes in strings', () => {
    expect(ok('{"message":[1,2,3]}', 64, 100, 2)).toMatchObject({ ok: false, limit: 'maxSegments' });
    expect(ok('{"message":"[CQ:face,id=1][CQ:face,id=2]"}', 64, 100, 2)).toMatchObject({ ok: false, limit: 'maxSegments' });
    expect(ok('{"message":[{"type":"node","data":{"content":[1,2]}}]}', 64, 100, 2)).toMatchObject({ ok: false, limit: 'maxSegments' });
    expect(ok('{"other":[1,2,3]}', 64, 100, 2).ok).toBe(true);
  });

  it('counts values (array elements and object members)', () => {
    expect(ok('{"a":[1,2,3]}', 64, 4).ok).toBe(true);
    expect(ok('{"a":[1,2,3,4]}', 64, 4)).toMatchObject({ ok: false, limit: 'maxValues' });
  });

  it('reports invalid JSON as a parse error', () => {
    expect(ok('{')).toMatchObject({ ok: false, parseError: expect.any(String) });
  });

  it('any JSON within the limits comes back equal to JSON.parse', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const r = ok(text, 1000, 1_000_000, 1_000_000);
        expect(r).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });
});

describe('History', () => {
  it('keeps both bounds, oldest dropped first', () => {
    const h = new History<number>(3, 100);
    for (let i = 0; i < 5; i++) h.push(i, 10);
    expect(h.list()).toEqual([2, 3, 4]);
    h.push(5, 90);
    expect(h.list()).toEqual([4, 5]);
    expect(h.size).toBe(100);
    h.push(6, 200); // alone over the byte bound: not kept
    expect(h.list()).toEqual([]);
    expect(h.dropped).toBe(7);
  });

  it('never holds more than its bounds (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50)), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 200 }), (sizes, limit, bytes) => {
        const h = new History<number>(limit, bytes);
        sizes.forEach((s, i) => {
          h.push(i, s);
          expect(h.count).toBeLessThanOrEqual(limit);
          expect(h.size).toBeLessThanOrEqual(bytes);
          expect(h.list().length).toBe(h.count);
        });
      }),
    );
  });
});
