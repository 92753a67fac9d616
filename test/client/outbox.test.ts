import fc from 'fast-check';
import { Outbox, type OutboxEntry } from '../../src/client/outbox';

const entry = (text: string, log?: string[]): OutboxEntry => ({
  text,
  resolve: log ? () => log.push(`ok ${text}`) : undefined,
  reject: log ? (e) => log.push(`rejected ${text}: ${(e as Error).message}`) : undefined,
});

describe('Outbox', () => {
  it('is FIFO and refuses the newest entry when full, keeping the old ones', () => {
    const box = new Outbox(2);
    expect(box.push(entry('a'))).toBe(true);
    expect(box.push(entry('b'))).toBe(true);
    expect(box.push(entry('c'))).toBe(false);
    expect(box.size).toBe(2);
    expect(box.shift()?.text).toBe('a');
    expect(box.push(entry('d'))).toBe(true);
    expect([box.shift()?.text, box.shift()?.text, box.shift()]).toEqual(['b', 'd', undefined]);
  });

  it('a limit of 0 takes nothing', () => {
    expect(new Outbox(0).push(entry('a'))).toBe(false);
  });

  it('rejectAll empties the queue and rejects every pending send in order', () => {
    const log: string[] = [];
    const box = new Outbox(10);
    box.push(entry('a', log));
    box.push(entry('b', log));
    expect(box.rejectAll(new Error('closed'))).toBe(2);
    expect(box.size).toBe(0);
    expect(log).toEqual(['rejected a: closed', 'rejected b: closed']);
  });

  it('property: any interleaving of push/shift behaves like a bounded array queue', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.array(fc.oneof(fc.string(), fc.constant(null)), { maxLength: 3000 }), (limit, ops) => {
        const box = new Outbox(limit);
        const model: string[] = [];
        for (const op of ops) {
          if (op === null) {
            if (box.shift()?.text !== model.shift()) return false;
          } else {
            const accepted = box.push(entry(op));
            if (accepted !== model.length < limit) return false;
            if (accepted) model.push(op);
          }
          if (box.size !== model.length || box.peek()?.text !== model[0]) return false;
        }
        return true;
      }),
    );
  });

  it('keeps order across compaction of a long-lived queue', () => {
    const box = new Outbox(5000);
    const out: string[] = [];
    for (let i = 0; i < 4000; i++) box.push(entry(String(i)));
    for (let i = 0; i < 3000; i++) out.push(box.shift()!.text);
    for (let i = 4000; i < 6000; i++) box.push(entry(String(i)));
    for (let e = box.shift(); e; e = box.shift()) out.push(e.text);
    expect(out).toEqual(Array.from({ length: 6000 }, (_, i) => String(i)));
  });
});
