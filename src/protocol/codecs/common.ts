import * as t from 'io-ts';
import { pipe } from 'fp-ts/function';
import * as E from 'fp-ts/Either';

/**
 * Shared codec building blocks. Events use strict JSON numbers (every implementation sends numbers);
 * API params are lenient (docs/protocol.md §5: ids may come as numeric strings, booleans as "true"/1/"yes").
 */

/**
 * A JSON number, or a string holding a finite decimal number (`"10001000"`, `"-1"`).
 * Decodes to `number`; encodes to `number`.
 *
 * @since 0.1.0
 * @category codecs
 */
export const NumberLike = new t.Type<number, number, unknown>(
  'NumberLike',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    if (typeof u === 'number') return Number.isFinite(u) ? t.success(u) : t.failure(u, c, 'not a finite number');
    if (typeof u === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(u)) return t.success(Number(u));
    return t.failure(u, c);
  },
  (n) => n,
);
/** @since 0.1.0 @category codecs */
export type NumberLike = t.TypeOf<typeof NumberLike>;

/**
 * A boolean, leniently: `true`/`false`, `"true"`/`"false"`, `1`/`0`, `"1"`/`"0"`, `"yes"`/`"no"`.
 *
 * @since 0.1.0
 * @category codecs
 */
export const BooleanLike = new t.Type<boolean, boolean, unknown>(
  'BooleanLike',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 1 || u === '1' || u === 'true' || u === 'yes') return t.success(true);
    if (u === 0 || u === '0' || u === 'false' || u === 'no') return t.success(false);
    return t.failure(u, c);
  },
  (b) => b,
);
/** @since 0.1.0 @category codecs */
export type BooleanLike = t.TypeOf<typeof BooleanLike>;

/**
 * Any JSON value (what `echo` may be). Validates that the value is JSON-representable
 * (no functions, no `undefined`, finite numbers).
 *
 * @since 0.1.0
 * @category codecs
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isJson = (u: unknown, depth = 0): u is Json => {
  if (depth > 512) return false;
  if (u === null || typeof u === 'boolean' || typeof u === 'string') return true;
  if (typeof u === 'number') return Number.isFinite(u);
  if (Array.isArray(u)) return u.every((x) => isJson(x, depth + 1));
  if (typeof u === 'object') return Object.values(u as object).every((x) => isJson(x, depth + 1));
  return false;
};
/** @since 0.1.0 @category codecs */
export const Json = new t.Type<Json, Json, unknown>(
  'Json',
  (u): u is Json => isJson(u),
  (u, c) => (isJson(u) ? t.success(u) : t.failure(u, c)),
  (j) => j,
);

/**
 * A plain JSON object (`{...}`, not an array, not null). Extra keys are always kept.
 *
 * @since 0.1.0
 * @category codecs
 */
export const JsonObject = new t.Type<Record<string, unknown>, Record<string, unknown>, unknown>(
  'JsonObject',
  (u): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u),
  (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? t.success(u as Record<string, unknown>) : t.failure(u, c)),
  (o) => o,
);

/**
 * Decodes with `codec`, mapping `null`/`undefined` input to `fallback` first.
 * Used for segment `data: null` (read as `{}`) and absent `params` (read as `{}`).
 *
 * @since 0.1.0
 * @category codecs
 */
export const withDefault = <A, O>(codec: t.Type<A, O, unknown>, fallback: A, name = codec.name): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    name,
    codec.is,
    (u, c) => (u === null || u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  );

/**
 * Runs an io-ts decode and turns a failure into a readable list of `path: expected X, got Y` lines,
 * in the style of io-ts's PathReporter but naming the JSON path (`message.0.data.text`).
 *
 * @since 0.1.0
 * @category codecs
 */
export const formatErrors = (errors: t.Errors): string[] => {
  // Group by JSON path so a union's alternatives read as one line: `a: expected "x" | "y", got ...`.
  const byPath = new Map<string, { expected: string[]; got: string; message?: string }>();
  for (const e of errors) {
    const path = jsonPath(e.context) || '(root)';
    const last = e.context[e.context.length - 1];
    const expected = last ? last.type.name : 'value';
    const entry = byPath.get(path) ?? { expected: [], got: describe(e.value) };
    if (!entry.expected.includes(expected)) entry.expected.push(expected);
    if (e.message !== undefined && entry.message === undefined) entry.message = e.message;
    byPath.set(path, entry);
  }
  return [...byPath].map(([path, { expected, got, message }]) =>
    message !== undefined ? `${path}: ${message}` : `${path}: expected ${expected.join(' | ')}, got ${got}`,
  );
};

/** Structural io-ts types whose child keys are real JSON keys or indexes (unions/intersections are not). */
const STRUCTURAL = new Set(['InterfaceType', 'PartialType', 'StrictType', 'ExactType', 'ArrayType', 'ReadonlyArrayType', 'RecordType', 'DictionaryType', 'TupleType', 'ReadonlyType']);

/** @internal */
export const jsonPath = (context: t.Context): string =>
  context
    .filter((entry, i) => {
      if (i === 0) return false;
      const parent = context[i - 1]!.type as unknown as { _tag?: string };
      return parent._tag !== undefined && STRUCTURAL.has(parent._tag);
    })
    .map((entry) => entry.key)
    .join('.');

/** @internal */
export const describe = (u: unknown): string => {
  if (u === undefined) return 'undefined (missing)';
  if (u === null) return 'null';
  if (Array.isArray(u)) return 'array';
  if (typeof u === 'string') return u.length > 40 ? `string "${u.slice(0, 37)}..."` : `string ${JSON.stringify(u)}`;
  if (typeof u === 'object') return 'object';
  return `${typeof u} ${String(u)}`;
};

/**
 * Decode `u` with `codec`; on failure return the formatted error lines.
 *
 * @since 0.1.0
 * @category codecs
 */
export const decodeWith = <A, O>(codec: t.Type<A, O, unknown>, u: unknown): E.Either<string[], A> =>
  pipe(codec.decode(u), E.mapLeft(formatErrors));
