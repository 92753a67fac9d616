/**
 * The one `self_id` rule of the reference server, applied to every source: the `X-Self-ID` header,
 * the `?self_id=` query, and the lifecycle connect event. A `self_id` is a QQ account number: a
 * positive integer no larger than `Number.MAX_SAFE_INTEGER` (2^53 − 1), so that two different
 * accounts can never end up as the same JavaScript number. See docs/guides/reference-server.md.
 *
 * - From text (header, query): decimal digits only, at most 16 of them, no sign, no exponent, no
 *   fraction (surrounding whitespace is ignored).
 * - From the connect event (already parsed JSON): a number that is a safe integer and > 0. JSON
 *   itself cannot say whether `9007199254740993` was meant: it parses to 9007199254740992, which is
 *   not safe, so it is refused rather than silently confused with another account.
 * @internal
 */
export type SelfIdCheck = { readonly ok: true; readonly selfId: number } | { readonly ok: false; readonly reason: string };

const describe = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
};

const refused = (value: unknown, why: string): SelfIdCheck => ({ ok: false, reason: `self_id ${describe(value)} ${why}` });

/** The rule for a `self_id` that arrived as a JSON value (the connect event). @internal */
export const checkSelfId = (value: unknown): SelfIdCheck => {
  if (typeof value !== 'number') return refused(value, 'is not a number');
  if (!Number.isFinite(value)) return refused(value, 'is not finite');
  if (!Number.isInteger(value)) return refused(value, 'is not an integer');
  if (value <= 0) return refused(value, 'is not positive');
  if (!Number.isSafeInteger(value)) return refused(value, `is above ${Number.MAX_SAFE_INTEGER} (not a safe integer: another account would share its number)`);
  return { ok: true, selfId: value };
};

/** The rule for a `self_id` that arrived as text (header or query). @internal */
export const parseSelfId = (raw: string): SelfIdCheck => {
  const s = raw.trim();
  if (!/^\d{1,16}$/.test(s)) return refused(raw, 'is not a positive decimal integer');
  return checkSelfId(Number(s));
};
