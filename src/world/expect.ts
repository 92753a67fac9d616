import type { Reply } from './conversation';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * What a test expects of a reply, shared by the TypeScript helpers and conversation files. Every
 * given key must hold; none given means "any reply".
 * @since 0.2.0 @category world
 */
export interface ReplyExpectation {
  /** The reply's text (its text segments joined and trimmed) equals this exactly. */
  readonly text?: string;
  /** The text contains this. */
  readonly contains?: string;
  /** The text matches this regular expression (a string is compiled without flags). */
  readonly regex?: string | RegExp;
  /**
   * The segments, in order and as many: each `type` equal, and each listed `data` key equal (values
   * compared as strings, since segment data is text on the wire); unlisted keys are not checked.
   */
  readonly segments?: ReadonlyArray<{ readonly type: string; readonly data?: Readonly<Record<string, unknown>> }>;
  /** `true`: quotes some message; a number: quotes that `message_id`; `false`: quotes nothing. */
  readonly quotes?: boolean | number;
  /** Every one of these ids is @-mentioned. */
  readonly mentions?: ReadonlyArray<string | number>;
}

const show = (v: unknown): string => JSON.stringify(v);

/**
 * Every way `reply` misses `expected`, one readable line each (empty when it matches).
 *
 * @example
 * import { segment } from 'onebot-rx';
 * import { createWorld, replyProblems, toReply } from 'onebot-rx/world';
 * const world = createWorld({ bot: { user_id: 1 } });
 * const reply = toReply(world, { action: 'send_group_msg', stored: world.botSend({ groupId: 2 }, [segment.at(3), segment.text(' hello')]) });
 * replyProblems(reply, { text: 'hi', mentions: [3] }); // ['text: expected "hi", got "hello"']
 *
 * @since 0.2.0
 * @category world
 */
export const replyProblems = (reply: Reply, expected: ReplyExpectation): string[] => {
  const problems: string[] = [];
  if (expected.text !== undefined && reply.text !== expected.text) problems.push(`text: expected ${show(expected.text)}, got ${show(reply.text)}`);
  if (expected.contains !== undefined && !reply.text.includes(expected.contains)) problems.push(`text: expected to contain ${show(expected.contains)}, got ${show(reply.text)}`);
  if (expected.regex !== undefined) {
    const re = typeof expected.regex === 'string' ? new RegExp(expected.regex) : expected.regex;
    if (!re.test(reply.text)) problems.push(`text: expected to match ${String(re)}, got ${show(reply.text)}`);
  }
  if (expected.segments !== undefined) {
    const want = expected.segments;
    if (want.length !== reply.segments.length) {
      problems.push(`segments: expected ${want.length} (${want.map((s) => s.type).join(', ')}), got ${reply.segments.length} (${reply.segments.map((s) => s.type).join(', ')})`);
    }
    want.forEach((shape, i) => {
      const got = reply.segments[i];
      if (got === undefined) return;
      if (got.type !== shape.type) problems.push(`segments.${i}.type: expected ${show(shape.type)}, got ${show(got.type)}`);
      for (const [key, value] of Object.entries(shape.data ?? {})) {
        const actual = (got.data as Record<string, unknown>)[key];
        const same = typeof value === 'object' && value !== null ? show(value) === show(actual) : String(value) === String(actual);
        if (!same) problems.push(`segments.${i}.data.${key}: expected ${show(value)}, got ${show(actual)}`);
      }
    });
  }
  if (expected.quotes !== undefined) {
    if (expected.quotes === true && reply.quoteId === undefined) problems.push('quotes: expected a quote, got none');
    if (expected.quotes === false && reply.quoteId !== undefined) problems.push(`quotes: expected none, got message ${reply.quoteId}`);
    if (typeof expected.quotes === 'number' && reply.quoteId !== expected.quotes) problems.push(`quotes: expected message ${expected.quotes}, got ${reply.quoteId === undefined ? 'none' : `message ${reply.quoteId}`}`);
  }
  for (const id of expected.mentions ?? []) {
    if (!reply.mentions.includes(String(id))) problems.push(`mentions: expected @${id}, got ${reply.mentions.length === 0 ? 'none' : reply.mentions.map((m) => `@${m}`).join(' ')}`);
  }
  return problems;
};

/**
 * Throws `ONEBOT_UNEXPECTED_REPLY` listing every problem when `reply` misses `expected` (a jest test
 * fails with that text); returns the reply otherwise, for chaining.
 *
 * @example
 * import { segment } from 'onebot-rx';
 * import { createWorld, expectReply, toReply } from 'onebot-rx/world';
 * const world = createWorld({ bot: { user_id: 1 } });
 * const reply = toReply(world, { action: 'send_group_msg', stored: world.botSend({ groupId: 2 }, [segment.text('hi')]) });
 * expectReply(reply, { text: 'hi', quotes: false }).messageId === 1;
 * assert.throws(() => expectReply(reply, { regex: '^bye' }), /text: expected to match \/\^bye\//);
 *
 * @since 0.2.0
 * @category world
 */
export const expectReply = (reply: Reply, expected: ReplyExpectation): Reply => {
  const problems = replyProblems(reply, expected);
  if (problems.length > 0) {
    throw new OneBotError(ErrorCode.UnexpectedReply, `unexpected reply ${show(reply.raw)}:\n  ${problems.join('\n  ')}`, { problems, reply: reply.raw });
  }
  return reply;
};
