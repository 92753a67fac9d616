import fc from 'fast-check';
import { reconnectDelay, type DelayPolicy } from '../../src/client/backoff';

const fixed: DelayPolicy = { interval: 5000, backoff: false };
const exp: DelayPolicy = { interval: 1000, backoff: { factor: 2, max: 10_000, jitter: 0 } };

describe('reconnectDelay', () => {
  it('is the fixed interval without backoff, whatever the attempt and the random draw', () => {
    expect([1, 2, 50].map((n) => reconnectDelay(fixed, n, () => 0.99))).toEqual([5000, 5000, 5000]);
  });

  it('grows by factor per attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 100, 5000].map((n) => reconnectDelay(exp, n, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000,
    ]);
  });

  it('stretches by at most jitter and uses the random draw of this attempt', () => {
    const p: DelayPolicy = { interval: 1000, backoff: { factor: 2, max: 60_000, jitter: 0.5 } };
    expect(reconnectDelay(p, 1, () => 0)).toBe(1000);
    expect(reconnectDelay(p, 1, () => 1)).toBe(1500);
    expect(reconnectDelay(p, 3, () => 0.5)).toBe(5000);
  });

  it('uses a cap of at least the interval when max < interval', () => {
    expect(reconnectDelay({ interval: 3000, backoff: { factor: 2, max: 100, jitter: 1 } }, 4, () => 1)).toBe(3000);
  });

  it('property: delay is within [interval, cap] for any policy, attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (interval, factor, max, jitter, attempt, r) => {
          const d = reconnectDelay({ interval, backoff: { factor, max, jitter } }, attempt, () => r);
          return Number.isFinite(d) && d >= interval && d <= Math.max(max, interval);
        },
      ),
    );
  });

  it('property: each attempt draws its own jitter (different draws give different delays below the cap)', () => {
    const p: DelayPolicy = { interval: 1000, backoff: { factor: 1, max: 100_000, jitter: 1 } };
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.49, noNaN: true }), fc.double({ min: 0.51, max: 1, noNaN: true }), (a, b) => {
        const draws = [a, b];
        let i = 0;
        const random = (): number => draws[i++]!;
        return reconnectDelay(p, 1, random) < reconnectDelay(p, 2, random);
      }),
    );
  });

  it('property: without jitter the delay never decreases with the attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 60 }), (interval, n) => {
        return reconnectDelay({ ...exp, interval }, n + 1, () => 0.3) >= reconnectDelay({ ...exp, interval }, n, () => 0.3);
      }),
    );
  });
});

