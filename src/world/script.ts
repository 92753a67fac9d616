import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { NumberLike, formatErrors } from '../protocol/codecs/common';
import { MessageInput, replaceLast } from '../protocol/codecs/segments';
import { decodeWorldSpec, type WorldSpec } from './spec';

/**
 * Conversation files (docs/guides/conversations.md): a world and a list of steps, written in YAML
 * or JSON by a bot developer in any language and run by `onebot-rx test <file> --url <server>`.
 * This module is the pure format: codecs and their readable errors. Running is `runConversation`.
 */

const Int = NumberLike;
const Ms = t.refinement(NumberLike, (n) => Number.isInteger(n) && n >= 0, 'milliseconds');
/** A message reference: `last` (what was said last), `reply` (the bot's last reply), a label given with `as`, or a `message_id`. */
const Ref = t.union([t.string, Int], 'MessageRef');
/** @since 0.2.0 @category world */
export type MessageRef = t.TypeOf<typeof Ref>;

const SegmentShape = t.intersection([t.type({ type: t.string }), t.partial({ data: t.record(t.string, t.unknown) })], 'SegmentShape');

const ExpectObject = t.partial(
  {
    text: t.string,
    contains: t.string,
    regex: t.string,
    segments: t.array(SegmentShape),
    quotes: t.union([t.boolean, Ref]),
    mentions: t.array(t.union([t.string, Int])),
    within: Ms,
  },
  'Expect',
);

/** A string is the exact expected text. */
const Expect = new t.Type<t.TypeOf<typeof ExpectObject>, unknown, unknown>(
  'Expect',
  ExpectObject.is,
  (u, c) => (typeof u === 'string' ? t.success({ text: u }) : ExpectObject.validate(u, replaceLast(c, ExpectObject))),
  (a) => a,
);
/** What a step expects of the bot's next reply. @since 0.2.0 @category world */
export type ExpectStep = t.TypeOf<typeof ExpectObject>;

const Where = t.partial({ group: Int, user: Int }, 'Chat');

const stepCodecs = {
  say: t.intersection(
    [t.type({ say: MessageInput, from: Int }), t.partial({ group: Int, quote: Ref, as: t.string, expect: Expect, no_reply: t.union([Ms, t.boolean]) })],
    'SayStep',
  ),
  expect: t.intersection([t.type({ expect: Expect }), t.partial({ in: Where, as: t.string })], 'ExpectStep'),
  no_reply: t.intersection([t.type({ no_reply: t.union([Ms, t.boolean]) }), t.partial({ in: Where })], 'NoReplyStep'),
  join: t.type({ join: t.intersection([t.type({ group: Int, user: Int }), t.partial({ by: Int, invite: t.boolean, card: t.string })]) }, 'JoinStep'),
  leave: t.type({ leave: t.type({ group: Int, user: Int }) }, 'LeaveStep'),
  recall: t.intersection([t.type({ recall: Ref }), t.partial({ by: Int })], 'RecallStep'),
  poke: t.type({ poke: t.intersection([t.type({ from: Int }), t.partial({ target: Int, group: Int })]) }, 'PokeStep'),
  wait: t.type({ wait: Ms }, 'WaitStep'),
} as const;

/** @since 0.2.0 @category world */
export type StepKind = keyof typeof stepCodecs;
/** One step of a conversation file. @since 0.2.0 @category world */
export type Step = { [K in StepKind]: t.TypeOf<(typeof stepCodecs)[K]> & { readonly kind: K } }[StepKind];

const STEP_KINDS = Object.keys(stepCodecs) as StepKind[];

/** A step is told apart by its one action key (`say`, `expect`, `join`...); a `say` may also carry `expect`. */
const StepCodec = new t.Type<Step, unknown, unknown>(
  'Step',
  (u): u is Step => typeof u === 'object' && u !== null && 'kind' in u,
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected a step object with one of ${STEP_KINDS.join(', ')}`);
    const keys = STEP_KINDS.filter((k) => k in u);
    const kind: StepKind | undefined = keys.includes('say') ? 'say' : keys.length === 1 ? keys[0] : undefined;
    if (kind === undefined) {
      return t.failure(u, c, keys.length === 0 ? `expected one of ${STEP_KINDS.join(', ')}, got keys ${Object.keys(u).join(', ') || '(none)'}` : `a step does one thing, got ${keys.join(' and ')}`);
    }
    const codec = stepCodecs[kind] as unknown as t.Type<Record<string, unknown>, unknown, unknown>;
    const r = codec.validate(u, replaceLast(c, codec));
    return E.isLeft(r) ? r : t.success({ ...r.right, kind } as Step);
  },
  (a) => a,
);

const ScriptBase = t.intersection(
  [
    t.type({ world: t.unknown, steps: t.array(StepCodec) }),
    t.partial({ name: t.string, timeout: Ms, settle: Ms, ready_timeout: Ms }),
  ],
  'Conversation',
);

/** A decoded conversation file. @since 0.2.0 @category world */
export interface Script {
  readonly name: string;
  readonly world: WorldSpec;
  /** Default time limit of an expected reply, ms. @defaultValue 5000 */
  readonly timeout: number;
  /** Quiet period (no API call from the application) that counts as "ready" before the first step, ms. @defaultValue 500 */
  readonly settle: number;
  /** Longest wait for the connection and the quiet period, ms. @defaultValue 15000 */
  readonly readyTimeout: number;
  readonly steps: readonly Step[];
}

/** @since 0.2.0 @category world */
export const DEFAULT_SCRIPT_OPTIONS = Object.freeze({ timeout: 5000, settle: 500, readyTimeout: 15000 });

/**
 * Decodes a parsed conversation file (the object YAML or JSON gives). `Left` lists every problem as
 * `path: problem`, the world's under `world.`.
 *
 * @example
 * import { decodeScript } from 'onebot-rx/world';
 * decodeScript({ world: { bot: { user_id: 1 } }, steps: [{ say: 'hi', from: 2, group: 3, expect: 'hello' }] })._tag === 'Right';
 * decodeScript({ world: { bot: { user_id: 1 } }, steps: [{ sing: 'la' }] });
 * // Left(['steps.0: expected one of say, expect, no_reply, join, leave, recall, poke, wait, got keys sing'])
 *
 * @since 0.2.0
 * @category world
 */
export const decodeScript = (u: unknown, name = 'conversation'): E.Either<string[], Script> => {
  const base = ScriptBase.decode(u);
  if (E.isLeft(base)) return E.left(formatErrors(base.left));
  const world = decodeWorldSpec(base.right.world);
  if (E.isLeft(world)) return E.left(world.left.map((line) => `world.${line}`));
  const s = base.right;
  return E.right({
    name: s.name ?? name,
    world: world.right,
    timeout: s.timeout ?? DEFAULT_SCRIPT_OPTIONS.timeout,
    settle: s.settle ?? DEFAULT_SCRIPT_OPTIONS.settle,
    readyTimeout: s.ready_timeout ?? DEFAULT_SCRIPT_OPTIONS.readyTimeout,
    steps: s.steps,
  });
};
