import { parseInputLine, type ParsedInput } from '../../src/cli/input';

describe('parseInputLine (connect session commands)', () => {
  const cases: Array<[string, ParsedInput]> = [
    ['/private 67890 hello there', { ok: true, command: { kind: 'private', userId: 67890, text: 'hello there' } }],
    ['  /group 123456   Hello, group!  ', { ok: true, command: { kind: 'group', groupId: 123456, text: 'Hello, group!' } }],
    ['/PRIVATE 1 [CQ:face,id=1] x', { ok: true, command: { kind: 'private', userId: 1, text: '[CQ:face,id=1] x' } }],
    ['/private 5 hi\r', { ok: true, command: { kind: 'private', userId: 5, text: 'hi' } }],
    ['/raw {"post_type":"notice","x":[1]}', { ok: true, command: { kind: 'raw', frame: { post_type: 'notice', x: [1] } } }],
    ['/quit', { ok: true, command: { kind: 'quit' } }],
    ['/exit', { ok: true, command: { kind: 'quit' } }],
    ['/help', { ok: true, command: { kind: 'help' } }],
    ['', { ok: true, command: { kind: 'empty' } }],
    ['   \r', { ok: true, command: { kind: 'empty' } }],
    ['hello', { ok: false, error: 'lines must start with a command such as /private or /group; /help lists them' }],
    ['/private', { ok: false, error: 'usage: /private <user_id> <text>' }],
    ['/private 67890', { ok: false, error: 'usage: /private <user_id> <text>' }],
    ['/group abc hi', { ok: false, error: 'usage: /group <group_id> <text> (abc is not a positive integer id)' }],
    ['/private 0 hi', { ok: false, error: 'usage: /private <user_id> <text> (0 is not a positive integer id)' }],
    ['/private 99999999999999999999 hi', { ok: false, error: 'usage: /private <user_id> <text> (99999999999999999999 is not a positive integer id)' }],
    ['/raw', { ok: false, error: 'usage: /raw <json object>' }],
    ['/raw [1,2]', { ok: false, error: '/raw: expected a JSON object' }],
    ['/raw null', { ok: false, error: '/raw: expected a JSON object' }],
    ['/frobnicate 1', { ok: false, error: 'unknown command /frobnicate; /help lists the commands' }],
  ];
  it.each(cases)('%j', (line, expected) => {
    expect(parseInputLine(line)).toEqual(expected);
  });

  it('reports invalid JSON after /raw with the parser message', () => {
    const r = parseInputLine('/raw {nope');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^\/raw: not valid JSON \(.+\)$/);
  });
});
