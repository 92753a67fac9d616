/**
 * Shape limits of one inbound frame, checked before the frame is decoded, routed or recorded, so
 * that the work a frame costs the server is bounded by options rather than by what a bot sends:
 *
 * - `maxDepth`: nesting depth of arrays and objects (the frame's own object is depth 1). Checked on
 *   the text, before parsing: a 100k-deep frame is refused without being built, and nothing the
 *   server holds is ever too deep to encode again.
 * - `maxValues`: JSON values inside the frame (every array element and object member counts).
 * - `maxSegments`: message segments, counted in every `message` and `content` field (arrays: their
 *   length; strings: their CQ codes, plus one for the text).
 *
 * {@link inspectJson} and {@link routedTail} must not refer to anything outside their own bodies:
 * their source text is also the program of the decoding worker (see frame-inspector.ts).
 * @internal
 */

/** Name of the option a frame went over. @internal */
export type ShapeLimit = 'maxDepth' | 'maxValues' | 'maxSegments';

/** @internal */
export type Inspection =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly limit: ShapeLimit; readonly found: number }
  | { readonly ok: false; readonly limit?: undefined; readonly parseError: string };

/** @internal */
export function inspectJson(text: string, maxDepth: number, maxValues: number, maxSegments: number): Inspection {
  // 1. Depth, on the text: brackets outside strings.
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > maxDepth) return { ok: false, limit: 'maxDepth', found: depth };
    } else if (c === 125 || c === 93) depth--;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, parseError: e instanceof Error ? e.message : String(e) };
  }
  // 2. Values and segments, walking the parsed value with an explicit stack (depth is bounded anyway).
  let values = 0;
  let segments = 0;
  const stack: unknown[] = [value];
  const keys: string[] = [''];
  while (stack.length > 0) {
    const v = stack.pop();
    const key = keys.pop();
    const isSegmentList = key === 'message' || key === 'content';
    if (typeof v === 'string' && isSegmentList) {
      let codes = 1;
      for (let at = v.indexOf('[CQ:'); at >= 0 && codes <= maxSegments; at = v.indexOf('[CQ:', at + 4)) codes++;
      segments += codes;
    } else if (Array.isArray(v)) {
      if (isSegmentList) segments += v.length;
      if (segments > maxSegments) return { ok: false, limit: 'maxSegments', found: segments };
      values += v.length;
      if (values > maxValues) return { ok: false, limit: 'maxValues', found: values };
      for (let i = 0; i < v.length; i++) {
        stack.push(v[i]);
        keys.push('');
      }
    } else if (typeof v === 'object' && v !== null) {
      const names = Object.keys(v);
      values += names.length;
      if (values > maxValues) return { ok: false, limit: 'maxValues', found: values };
      for (const k of names) {
        stack.push((v as Record<string, unknown>)[k]);
        keys.push(k);
      }
    }
    if (segments > maxSegments) return { ok: false, limit: 'maxSegments', found: segments };
  }
  return { ok: true, value };
}

/**
 * A message event as routed copies carry it, minus its leading `{"self_id":<id>`: every copy is
 * `{"self_id":<recipient>` + this tail, so an event is encoded once whatever its recipients
 * (see routing.ts). Encoded on the worker for big frames, so a 16 MiB text costs the main thread
 * no `JSON.stringify`. Throws what `JSON.stringify` throws.
 * @internal
 */
export function routedTail(event: Readonly<Record<string, unknown>>): string {
  const rest: Record<string, unknown> = {};
  for (const k of Object.keys(event)) if (k !== 'self_id') rest[k] = event[k];
  return JSON.stringify({ self_id: 0, ...rest }).slice('{"self_id":0'.length);
}
