import fc from 'fast-check';

/**
 * Hostile frames for fuzzing, each tagged with its category so a test can state what the receiver
 * must do with it. Requests carry a unique `echo` where the category allows, so answers are matched
 * by echo, not by luck.
 */
export type GarbageCategory =
  | 'invalid-json'
  | 'non-object'
  | 'wrong-shape'
  | 'bad-request-envelope'
  | 'bad-event'
  | 'bad-response'
  | 'deep-frame'
  | 'deep-echo'
  | 'huge-string'
  | 'oversize'
  | 'binary'
  | 'unknown-action'
  | 'wrong-params'
  | 'echo-types'
  | 'no-echo';

export interface Garbage {
  readonly category: GarbageCategory;
  readonly data: string | Uint8Array;
  /** For requests: the echo as sent (after a JSON round trip), or `undefined` when the key is absent. */
  readonly echo?: unknown;
  readonly hasEcho: boolean;
  /** Nesting depth of a `deep-echo` echo. */
  readonly depth?: number;
}

/** The `Json` codec's nesting limit for an `echo` (src/protocol/codecs/common.ts). */
export const ECHO_MAX_DEPTH = 512;

const KNOWN_FRAME_KEYS = new Set(['action', 'post_type', 'status', 'retcode']);

/** Actions no handler exists for, including names that would hit `Object.prototype` if handlers were a plain object. */
const unknownAction = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '', ' ', 'send_msg ', 'SEND_MSG', '.', '_async', '__proto___async'),
  fc.string({ maxLength: 20 }).map((s) => `zz_unknown_${s}`),
);

/** A known action (one the client answers by default) and params of the wrong type for it. */
const wrongParams = fc.oneof(
  fc.record({ action: fc.constant('send_private_msg'), params: fc.record({ user_id: fc.constantFrom('abc', '', true, {}, []), message: fc.constant('hi') }) }),
  fc.record({ action: fc.constant('send_group_msg'), params: fc.record({ group_id: fc.constantFrom('x1', false, { a: 1 }, 'NaN'), message: fc.constant('hi') }) }),
  fc.record({ action: fc.constant('send_private_msg'), params: fc.record({ user_id: fc.constant(1), message: fc.constantFrom(5, true, [1], [{ type: 1 }]) }) }),
  fc.record({ action: fc.constantFrom('get_login_info', 'get_status', 'send_msg'), params: fc.constantFrom(5, 'str', true, [1, 2], [] as unknown[]) }),
);

const deepValue = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const invalidJson = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.constantFrom('{', '{"action":', '{"action":"get_status",}', "{'a':1}", 'NaN', 'undefined', '{"a":1}}', '\u0000', '{"a":"\uD800"', '[1,2', '{"echo":1'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => `${JSON.stringify({ action: 'get_status', echo: v })}x`),
);

const nonObject = fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));

const wrongShape = fc
  .dictionary(fc.string({ maxLength: 8 }).filter((k) => !KNOWN_FRAME_KEYS.has(k) && k !== '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });

/**
 * Frames from the *server* side of a OneBot link (what a hostile application server sends a bot).
 * `maxPayload` is the receiver's limit: `huge-string` frames stay below it, `oversize` ones above.
 * `seq` makes echoes unique; pass a counter.
 */
export const garbageFrame = (opts: { maxPayload: number; hugeMax?: number }): fc.Arbitrary<Garbage> => {
  let seq = 0;
  const nextSeq = (): number => ++seq;
  const hugeMax = Math.min(opts.hugeMax ?? opts.maxPayload - 1024, opts.maxPayload - 1024);
  const text = (category: GarbageCategory) => (data: string): Garbage => ({ category, data, hasEcho: false });
  const request = (category: GarbageCategory) => (r: { action: unknown; params?: unknown; echo?: unknown; omitEcho?: boolean }): Garbage => {
    const body: Record<string, unknown> = { action: r.action };
    if ('params' in r) body.params = r.params;
    if (r.omitEcho !== true) body.echo = r.echo;
    const data = JSON.stringify(body);
    return r.omitEcho === true
      ? { category, data, hasEcho: false }
      : { category, data, hasEcho: true, echo: JSON.parse(JSON.stringify({ e: r.echo })).e as unknown };
  };

  return fc.oneof(
    invalidJson.map(text('invalid-json')),
    nonObject.map((v) => text('non-object')(JSON.stringify(v))),
    wrongShape.map((v) => text('wrong-shape')(JSON.stringify(v))),
    fc
      .record({ action: fc.constantFrom(1, null, true, [] as unknown[], { a: 1 }), params: fc.constant({}) })
      .map((r) => request('bad-request-envelope')({ ...r, echo: `env-${nextSeq()}` })),
    fc
      .record({ post_type: fc.constantFrom('message', 'notice', 'meta_event', 'request'), self_id: fc.constantFrom('x', -1, null, 1.5), time: fc.constantFrom('now', null) })
      .map((v) => text('bad-event')(JSON.stringify(v))),
    fc.record({ status: fc.constantFrom(1, 'ok', null), retcode: fc.constantFrom('zero', null, {}) }).map((v) => text('bad-response')(JSON.stringify(v))),
    fc.record({ depth: fc.integer({ min: 500, max: 20_000 }), kind: fc.constantFrom<'array' | 'object'>('array', 'object') }).map(({ depth, kind }) => text('deep-frame')(deepValue(depth, kind))),
    fc.record({ depth: fc.oneof(fc.integer({ min: 100, max: ECHO_MAX_DEPTH - 1 }), fc.integer({ min: ECHO_MAX_DEPTH + 2, max: 5000 })), kind: fc.constantFrom<'array' | 'object'>('array', 'object') }).map(({ depth, kind }) => {
      const n = nextSeq();
      const echoText = kind === 'array' ? `${'['.repeat(depth)}${n}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${n}${'}'.repeat(depth)}`;
      // Built as text: JSON.stringify itself overflows the stack on values this deep.
      return { category: 'deep-echo' as const, data: `{"action":"get_status","echo":${echoText}}`, hasEcho: true, echo: JSON.parse(echoText) as unknown, depth };
    }),
    fc.integer({ min: 10_000, max: Math.max(10_001, hugeMax) }).map((n) =>
      request('huge-string')({ action: 'send_private_msg', params: { user_id: 20002, message: 'x'.repeat(n) }, echo: `huge-${nextSeq()}` }),
    ),
    fc.integer({ min: opts.maxPayload + 1, max: opts.maxPayload * 3 }).map((n) => text('oversize')(JSON.stringify({ action: 'get_status', params: { pad: 'y'.repeat(n) }, echo: `big-${nextSeq()}` }))),
    fc.uint8Array({ minLength: 0, maxLength: 200 }).map((data): Garbage => ({ category: 'binary', data, hasEcho: false })),
    unknownAction.map((action) => request('unknown-action')({ action, params: {}, echo: nextSeq() })),
    wrongParams.map((r) => request('wrong-params')({ ...r, echo: { seq: nextSeq() } })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => request('echo-types')({ action: 'get_login_info', echo: [nextSeq(), v] })),
    fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'str', 1e21).map((v) => request('echo-types')({ action: 'get_login_info', echo: v })),
    fc.constant(0).map(() => request('no-echo')({ action: 'get_status', omitEcho: true })),
  ).map(printable);
};

/** fast-check prints counterexamples recursively; a deep echo would overflow it, so print a preview. */
const printable = (g: Garbage): Garbage =>
  Object.assign(g, {
    [fc.toStringMethod]: () => `${g.category}: ${preview(typeof g.data === 'string' ? g.data : `binary ${g.data.length} bytes`)}`,
  });

/** Structural equality of JSON values without recursion (echoes can be thousands of levels deep). */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y || (typeof x === 'number' && typeof y === 'number' && Object.is(x + 0, y + 0))) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
};

/** `JSON.stringify` for messages: never throws (deep values overflow it), truncated. */
export const preview = (u: unknown, max = 300): string => {
  try {
    const t = typeof u === 'string' ? u : JSON.stringify(u);
    return t.length > max ? `${t.slice(0, max)}… (${t.length} chars)` : t;
  } catch {
    return '[too deep to print]';
  }
};
