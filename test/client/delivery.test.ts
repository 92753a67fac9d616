import fc from 'fast-check';
import { ACK_BATCH, Delivery, type Outgoing } from '../../src/client/delivery';

/** The delivery bookkeeping, with no socket: frames in, decisions out. */

const send = (text: string): Outgoing => ({ text, kind: 'send' });
const answer = (text: string, linkId = 1): Outgoing => ({ text, kind: 'answer', linkId });
const box = (outboxLimit = 10, outboxBytes = 1000) => new Delivery({ outboxLimit, outboxBytes });
const texts = (frames: readonly Outgoing[]) => frames.map((f) => f.text);

/** Writes everything waiting, pinging as the machine asks; returns the ping numbers sent. */
const writeAll = (d: Delivery, confirmable = true, firstSeq = 1): number[] => {
  const pings: number[] = [];
  for (let f = d.take(); f !== undefined; f = d.take()) {
    d.wrote(f, confirmable);
    if (confirmable && d.shouldPing()) {
      const seq = firstSeq + pings.length;
      d.pinged(seq);
      pings.push(seq);
    }
  }
  return pings;
};

describe('delivery bookkeeping', () => {
  it('queues in order and refuses past outboxLimit (nothing queued, nothing evicted)', () => {
    const d = box(2);
    expect([d.offer(send('a')), d.offer(send('b')), d.offer(send('c'))]).toEqual([true, true, false]);
    expect(texts([d.take()!, d.take()!])).toEqual(['a', 'b']);
  });

  it('refuses past outboxBytes', () => {
    const d = box(10, 5);
    expect([d.offer(send('abc')), d.offer(send('de')), d.offer(send('f'))]).toEqual([true, true, false]);
    expect(d.bytes).toBe(5);
  });

  it('counts answers written untracked: a ping covers them, its pong confirms them, the rest are reported by number', () => {
    const d = box(1);
    d.offer(send('a'));
    writeAll(d, true, 1); // a written, ping 1 in flight
    d.wroteUntracked();
    d.wroteUntracked();
    expect(d.shouldPing()).toBe(false); // ping 1 still in flight, batch not reached
    d.pinged(2); // covers a and both answers
    d.wroteUntracked(); // after ping 2: not covered by it
    expect(texts(d.pong(2))).toEqual(['a']);
    expect(d.shouldPing()).toBe(true); // the last answer is uncovered
    expect(d.hasUncovered()).toBe(true); // so a ping before a close covers it too
    expect(d.linkLost()).toEqual({ unconfirmed: [], unsentAnswers: [], untrackedAnswers: 1 });
    expect(d.linkLost().untrackedAnswers).toBe(0); // counted per link
  });

  it('unconfirmed frames fill a bound of their own: writing waits for confirmations, new frames still queue', () => {
    const d = box(2);
    d.offer(send('a'));
    d.offer(send('b'));
    writeAll(d);
    expect(d.offer(send('c'))).toBe(true);
    expect(d.take()).toBeUndefined(); // two written, unconfirmed: c waits
    expect(d.offer(send('d'))).toBe(true);
    expect(d.offer(send('e'))).toBe(false); // two waiting: full
    expect(texts(d.pong(1))).toEqual(['a']); // ping 1 went out after a; b waits for the next one
    expect(d.shouldPing()).toBe(true);
    d.pinged(2);
    expect(texts(d.pong(2))).toEqual(['b']);
    expect(texts([d.take()!, d.take()!])).toEqual(['c', 'd']);
  });

  it('a frame that cannot be confirmed (no ping) is done once written', () => {
    const d = box();
    d.offer(send('a'));
    expect(writeAll(d, false)).toEqual([]);
    expect([d.count, d.bytes]).toEqual([0, 0]);
  });

  it('pings after the first write, then once per pong, and every ACK_BATCH frames of a burst', () => {
    const d = box(1000, 1e6);
    for (let i = 0; i < 300; i++) d.offer(send(String(i)));
    // ping 1 right after frame 1; then one each ACK_BATCH uncovered frames while ping 1 is in flight
    expect(writeAll(d)).toEqual([1, 2, 3]);
    expect(d.shouldPing()).toBe(false); // the last 43 wait while pings are in flight
    expect(d.pong(3)).toHaveLength(257);
    expect(d.shouldPing()).toBe(true); // then one ping covers them
  });

  it.each<[string, number, string[]]>([
    ['a pong confirms what was written before its ping', 1, ['a']],
    ['a later pong also answers the older pings', 2, ['a', 'b', 'c']],
    ['a pong of a ping we do not know confirms nothing new', 0, []],
  ])('%s', (_name, pong, confirmed) => {
    const d = box();
    d.offer(send('a'));
    let f = d.take()!;
    d.wrote(f, true);
    d.pinged(1); // after a
    d.offer(send('b'));
    d.offer(send('c'));
    for (f = d.take()!; f !== undefined; f = d.take()!) d.wrote(f, true);
    d.pinged(2); // after c
    expect(texts(d.pong(pong))).toEqual(confirmed);
  });

  it('a lost link hands back its unconfirmed frames and drops its waiting answers; waiting sends stay for the next link', () => {
    const d = box();
    d.offer(send('a'));
    d.offer(answer('r1'));
    writeAll(d);
    d.offer(send('b'));
    d.offer(answer('r2'));
    d.offer(send('c'));
    const loss = d.linkLost();
    expect(texts(loss.unconfirmed)).toEqual(['a', 'r1']);
    expect(texts(loss.unsentAnswers)).toEqual(['r2']);
    expect([d.waitingCount, d.bytes]).toEqual([2, 2]);
    expect(texts([d.take()!, d.take()!])).toEqual(['b', 'c']);
  });

  it('close() hands back every waiting frame', () => {
    const d = box();
    d.offer(send('a'));
    d.offer(send('b'));
    expect(texts(d.close())).toEqual(['a', 'b']);
    expect([d.count, d.bytes]).toEqual([0, 0]);
  });

  it('property: every frame offered is, exactly once, refused, confirmed, handed back as unconfirmed or unsent, or still waiting', () => {
    type Op = { op: 'offer'; answer: boolean } | { op: 'write' } | { op: 'pong'; back: number } | { op: 'lose' };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('offer' as const), answer: fc.boolean() }),
      fc.constant({ op: 'write' as const }),
      fc.record({ op: fc.constant('pong' as const), back: fc.nat(3) }),
      fc.constant({ op: 'lose' as const }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (ops, limit) => {
        const d = box(limit, 60);
        const outcome = new Map<string, string>();
        let n = 0;
        let seq = 0;
        const settle = (frames: readonly Outgoing[], how: string) => {
          for (const f of frames) {
            expect(outcome.get(f.text)).toBe('pending');
            outcome.set(f.text, how);
          }
        };
        for (const o of ops) {
          if (o.op === 'offer') {
            const text = `${o.answer ? 'r' : 's'}${n++}`;
            outcome.set(text, d.offer(o.answer ? answer(text) : send(text)) ? 'pending' : 'refused');
          } else if (o.op === 'write') {
            for (let f = d.take(); f !== undefined; f = d.take()) {
              d.wrote(f, true);
              if (d.shouldPing()) d.pinged(++seq);
            }
          } else if (o.op === 'pong') settle(d.pong(seq - o.back), 'confirmed');
          else {
            const loss = d.linkLost();
            settle(loss.unconfirmed, 'unconfirmed');
            settle(loss.unsentAnswers, 'unsent');
            seq = 0;
          }
          // Each of the two queues (waiting, unconfirmed) keeps its own bound.
          expect(d.count).toBeLessThanOrEqual(2 * limit);
          expect(d.bytes).toBeLessThanOrEqual(2 * 60);
        }
        settle(d.close(), 'closed');
        const loss = d.linkLost();
        settle(loss.unconfirmed, 'unconfirmed');
        expect([...outcome.values()].filter((v) => v === 'pending')).toEqual([]);
        expect([d.count, d.bytes]).toEqual([0, 0]);
      }),
    );
  });
});

it('ACK_BATCH bounds the frames a loss can leave unknown in a burst', () => {
  expect(ACK_BATCH).toBe(128);
});
