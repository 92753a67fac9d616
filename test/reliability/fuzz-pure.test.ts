import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { parseCQ, toCQ } from '../../src/protocol/cq';
import { decodeFrame } from '../../src/protocol/frame';
import { isOneBotError } from '../../src/protocol/errors';
import { figure } from './lib/figures';
import { sizes } from './lib/mode';
import { garbageFrame } from './lib/garbage';

/**
 * Pure-code fuzzing: the CQ-code parser and frame decoding, with no sockets. Each property runs
 * `sizes.fuzzRuns` inputs (10,000 in quick mode) and records how many it ran.
 */

// Text built from the characters the CQ grammar cares about, so the parser's edge cases are hit
// far more often than by uniform strings.
const CQ_UNITS = ['[', ']', ',', '=', '&', ';', '#', '9', '1', 'CQ', ':', 'amp', '&#91;', '&#93;', '&#44;', '&amp;', 'face', 'id', 'a', ' ', '\n', '\u0000', '😀', '\uD800'];
const cqText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CQ_UNITS), maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(
      fc.tuple(fc.string({ maxLength: 8 }), fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 })), { maxLength: 3 }), fc.string({ maxLength: 10 })),
      { maxLength: 5 },
    )
    .map((parts) => parts.map(([type, kv, tail]) => `[CQ:${type}${kv.map(([k, v]) => `,${k}=${v}`).join('')}]${tail}`).join('')),
);

test(`CQ code: parseCQ never throws and toCQ(parseCQ(x)) is stable (${sizes.fuzzRuns} inputs)`, () => {
  let runs = 0;
  fc.assert(
    fc.property(cqText, (x) => {
      runs++;
      const once = toCQ(parseCQ(x));
      // Stable: one more round trip changes nothing.
      expect(toCQ(parseCQ(once))).toBe(once);
    }),
    { numRuns: sizes.fuzzRuns },
  );
  figure('fuzz', 'CQ inputs (never threw, round trip stable)', runs);
  expect(runs).toBeGreaterThanOrEqual(10_000);
});

test(`decodeFrame never throws: every input is a Frame or a OneBotError (${sizes.fuzzRuns} inputs)`, () => {
  let runs = 0;
  let errors = 0;
  fc.assert(
    fc.property(garbageFrame({ maxPayload: 64 * 1024 }), (g) => {
      runs++;
      if (typeof g.data !== 'string') return; // binary frames never reach decodeFrame (the transport rejects them)
      let out: ReturnType<typeof decodeFrame> | undefined;
      expect(() => {
        out = decodeFrame(g.data as string, { maxPayload: 64 * 1024 });
      }).not.toThrow();
      if (out !== undefined && E.isLeft(out)) {
        errors++;
        expect(isOneBotError(out.left)).toBe(true);
        expect(out.left.code).toMatch(/^ONEBOT_/);
      }
    }),
    { numRuns: sizes.fuzzRuns },
  );
  figure('fuzz', 'decodeFrame inputs (never threw)', runs);
  figure('fuzz', 'decodeFrame inputs rejected with a OneBotError', errors);
  expect(runs).toBeGreaterThanOrEqual(10_000);
});
