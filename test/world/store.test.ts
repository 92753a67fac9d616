import * as fc from 'fast-check';
import { MessageStore, utf8Length } from '../../src/world/store';
import type { StoredMessage } from '../../src/world/spec';

const msg = (id: number, text: string): StoredMessage => ({ message_id: id, time: 0, message_type: 'group', user_id: 2, group_id: 3, message: [{ type: 'text', data: { text } }] });
const bytesOf = (m: unknown) => utf8Length(JSON.stringify(m));

describe('MessageStore bounds', () => {
  it('keeps the newest maxMessages, dropping the oldest first', () => {
    const store = new MessageStore({ maxMessages: 3 });
    const evicted = [1, 2, 3, 4, 5].flatMap((id) => store.putMessage(msg(id, 'x')).messages);
    expect(evicted).toEqual([1, 2]);
    expect(store.messages().map((m) => m.message_id)).toEqual([3, 4, 5]);
    expect(store.getMessage(1)).toBeUndefined();
    expect(store.getMessage(5)?.message_id).toBe(5);
    expect(store.evicted).toBe(2);
  });

  it('keeps total bytes within maxBytes', () => {
    const one = bytesOf(msg(1, 'aaaaaaaaaa'));
    const store = new MessageStore({ maxBytes: one * 2 + 1 });
    store.putMessage(msg(1, 'aaaaaaaaaa'));
    store.putMessage(msg(2, 'aaaaaaaaaa'));
    expect(store.size).toBe(2);
    store.putMessage(msg(3, 'aaaaaaaaaa'));
    expect(store.messages().map((m) => m.message_id)).toEqual([2, 3]);
    expect(store.bytes).toBe(one * 2);
  });

  it('does not keep an entry larger than maxBytes on its own', () => {
    const store = new MessageStore({ maxBytes: 50 });
    expect(store.putMessage(msg(1, 'x'.repeat(100))).messages).toEqual([1]);
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('deleteMessage frees its bytes', () => {
    const store = new MessageStore();
    store.putMessage(msg(1, 'hello'));
    expect(store.deleteMessage(1)).toBe(true);
    expect(store.deleteMessage(1)).toBe(false);
    expect(store.bytes).toBe(0);
  });

  it.each([
    ['maxMessages', { maxMessages: 0 }],
    ['maxMessages', { maxMessages: 1.5 }],
    ['maxBytes', { maxBytes: -1 }],
  ])('rejects a bad %s', (_name, options) => {
    expect(() => new MessageStore(options)).toThrow(RangeError);
  });

  it.each([
    ['ascii', 'abc', 3],
    ['two-byte', 'é', 2],
    ['three-byte', '中', 3],
    ['surrogate pair', '😀', 4],
    ['lone surrogate', '\ud800', 3],
  ])('utf8Length: %s', (_n, s, n) => {
    expect(utf8Length(s)).toBe(n);
  });

  it('utf8Length agrees with Buffer for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')));
  });

  it('both bounds hold after any sequence of puts and deletes, and the newest entry that fits is kept', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), id: fc.integer({ min: 1, max: 40 }), text: fc.string({ maxLength: 60 }) }),
      fc.record({ kind: fc.constant('forward' as const), id: fc.integer({ min: 1, max: 10 }), text: fc.string({ maxLength: 60 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 60, max: 800 }), fc.array(op, { maxLength: 80 }), (maxMessages, maxBytes, ops) => {
        const store = new MessageStore({ maxMessages, maxBytes });
        for (const o of ops) {
          if (o.kind === 'put') {
            const m = msg(o.id, o.text);
            store.putMessage(m);
            if (bytesOf(m) <= maxBytes) expect(store.getMessage(o.id)).toEqual(m);
          } else if (o.kind === 'forward') {
            store.putForward({ id: `f${o.id}`, time: 0, nodes: [{ type: 'text', data: { text: o.text } }] });
          } else store.deleteMessage(o.id);
          expect(store.size).toBeLessThanOrEqual(maxMessages);
          expect(store.bytes).toBeLessThanOrEqual(maxBytes);
          const counted = [...store.messages(), ...store.forwards()].reduce((n, e) => n + bytesOf(e), 0);
          expect(store.bytes).toBe(counted);
        }
      }),
    );
  });
});
