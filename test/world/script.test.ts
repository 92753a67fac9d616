import * as E from 'fp-ts/Either';
import { decodeScript } from '../../src/world/script';
import { describeStep } from '../../src/world/run-conversation';

const world = { bot: { user_id: 1 } };

describe('conversation file format', () => {
  it('fills defaults and tells steps apart by their key', () => {
    const r = decodeScript({ world, steps: [{ say: 'hi', from: '2', group: 3, expect: 'hello' }, { expect: { regex: 'a+' }, in: { user: 2 } }, { wait: 10 }, { join: { group: 3, user: 4 } }] }, 'f.yaml');
    expect(E.isRight(r) && r.right).toMatchObject({
      name: 'f.yaml',
      timeout: 5000,
      settle: 500,
      readyTimeout: 15000,
      steps: [
        { kind: 'say', say: 'hi', from: 2, group: 3, expect: { text: 'hello' } },
        { kind: 'expect', expect: { regex: 'a+' }, in: { user: 2 } },
        { kind: 'wait', wait: 10 },
        { kind: 'join', join: { group: 3, user: 4 } },
      ],
    });
  });

  it.each([
    ['no steps', { world }, ['steps: expected Array<Step>, got undefined (missing)']],
    ['two actions', { world, steps: [{ join: { group: 1, user: 2 }, leave: { group: 1, user: 2 } }] }, ['steps.0: a step does one thing, got join and leave']],
    ['a say without from', { world, steps: [{ say: 'x' }] }, ['steps.0.from: expected NumberLike, got undefined (missing)']],
    ['a bad wait', { world, steps: [{ wait: -5 }] }, ['steps.0.wait: expected milliseconds, got number -5']],
    ['a bad expect', { world, steps: [{ expect: { text: 1 } }] }, ['steps.0.expect.text: expected string, got number 1']],
    ['a bad world', { world: { bot: {} }, steps: [] }, ['world.bot.user_id: expected NumberLike, got undefined (missing)']],
    ['not an object step', { world, steps: ['hi'] }, ['steps.0: expected a step object with one of say, expect, no_reply, join, leave, recall, poke, wait']],
  ])('rejects %s with a readable error', (_n, input, errors) => {
    expect(decodeScript(input)).toEqual(E.left(errors));
  });

  it.each([
    [{ say: '/echo hi', from: 2, group: 3, quote: 'last', expect: { text: 'hi', quotes: true, mentions: [2] } }, '2 in group 3 says "/echo hi" quoting last, expects a reply with text "hi", a quote, mentions @2'],
    [{ say: 'hi', from: 2, no_reply: true }, '2 to the bot says "hi", expects no reply'],
    [{ recall: 'cmd', by: 5 }, '5 recalls cmd'],
    [{ poke: { from: 2 } }, '2 pokes the bot'],
    [{ leave: { group: 3, user: 2 } }, '2 leaves group 3'],
    [{ expect: { contains: 'x', segments: [{ type: 'at' }], quotes: false } }, 'expects a reply with text containing "x", segments at, no quote'],
  ])('describes %j', (step, text) => {
    const r = decodeScript({ world, steps: [step] });
    expect(E.isRight(r) && describeStep(r.right.steps[0]!)).toBe(text);
  });
});
