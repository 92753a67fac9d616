/**
 * The line commands of `onebot-rx connect`, typed on a terminal or piped in by a script.
 *
 * @since 0.1.0
 * @category cli
 */
export type InputCommand =
  | { readonly kind: 'private'; readonly userId: number; readonly text: string }
  | { readonly kind: 'group'; readonly groupId: number; readonly text: string }
  | { readonly kind: 'raw'; readonly frame: Record<string, unknown> }
  | { readonly kind: 'quit' }
  | { readonly kind: 'help' }
  | { readonly kind: 'empty' };

/** @since 0.1.0 @category cli */
export type ParsedInput = { readonly ok: true; readonly command: InputCommand } | { readonly ok: false; readonly error: string };

/** @internal */
export const INPUT_HELP = [
  'commands:',
  '  /private <user_id> <text>   send a private text message to user_id',
  '  /group <group_id> <text>    send a group text message to group_id',
  '  /raw <json>                 send a JSON object as is (an event or an API response)',
  '  /help                       show this list',
  '  /quit                       disconnect and exit (also: Ctrl-C, or end of input)',
].join('\n');

const ok = (command: InputCommand): ParsedInput => ({ ok: true, command });
const fail = (error: string): ParsedInput => ({ ok: false, error });

/** @internal */
const parseId = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/**
 * Parses one input line. Never throws: a bad line gives an error text meant to be shown to the
 * user, and the session goes on.
 *
 * @example
 * parseInputLine('/private 67890 hello there');
 * // → { ok: true, command: { kind: 'private', userId: 67890, text: 'hello there' } }
 *
 * @since 0.1.0
 * @category cli
 */
export const parseInputLine = (line: string): ParsedInput => {
  const trimmed = line.replace(/\r$/, '').trim();
  if (trimmed === '') return ok({ kind: 'empty' });
  if (!trimmed.startsWith('/')) return fail('lines must start with a command such as /private or /group; /help lists them');
  const space = trimmed.search(/\s/);
  const name = (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : trimmed.slice(space).trim();

  switch (name) {
    case '/quit':
    case '/exit':
      return ok({ kind: 'quit' });
    case '/help':
    case '/?':
      return ok({ kind: 'help' });
    case '/private':
    case '/group': {
      const m = /^(\S+)\s+([\s\S]+)$/.exec(rest);
      const usage = `usage: ${name} <${name === '/private' ? 'user_id' : 'group_id'}> <text>`;
      if (!m) return fail(usage);
      const id = parseId(m[1]);
      if (id === undefined) return fail(`${usage} (${m[1] ?? ''} is not a positive integer id)`);
      const text = m[2] ?? '';
      return ok(name === '/private' ? { kind: 'private', userId: id, text } : { kind: 'group', groupId: id, text });
    }
    case '/raw': {
      if (rest === '') return fail('usage: /raw <json object>');
      let value: unknown;
      try {
        value = JSON.parse(rest);
      } catch (e) {
        return fail(`/raw: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('/raw: expected a JSON object');
      return ok({ kind: 'raw', frame: value as Record<string, unknown> });
    }
    default:
      return fail(`unknown command ${name}; /help lists the commands`);
  }
};
