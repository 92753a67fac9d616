import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as E from 'fp-ts/Either';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { decodeScript, type Script } from '../world/script';
import { runConversation, type TranscriptEntry } from '../world/run-conversation';
import { ExitCode } from './io';
import type { CommandContext } from './program';

/** Flags of `onebot-rx test`. @since 0.2.0 @category cli */
export interface TestFlags {
  readonly url: string;
  readonly token?: string;
  /** Overrides the file's default reply time limit (ms). */
  readonly timeout?: number;
}

/**
 * Reads a conversation file: YAML (`.yaml`, `.yml`) or JSON (`.json`); any other extension is read
 * as YAML, which accepts JSON too. Throws an Error whose message names the file and the problem.
 *
 * @since 0.2.0
 * @category cli
 */
export const loadScriptFile = async (path: string): Promise<Script> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? (JSON.parse(text) as unknown) : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const why = e instanceof YAMLParseError || e instanceof SyntaxError ? e.message : String(e);
    throw new Error(`${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${why}`);
  }
  const script = decodeScript(parsed, path);
  if (E.isLeft(script)) throw new Error(`${path} is not a valid conversation:\n  ${script.left.join('\n  ')}`);
  return script.right;
};

/**
 * `onebot-rx test <file> --url <server>`: plays a conversation file against a live application,
 * prints the transcript and a pass/fail line per step; exit 0 when every step passed, 1 otherwise.
 *
 * @since 0.2.0
 * @category cli
 */
export const runTest = async (ctx: CommandContext, file: string, flags: TestFlags): Promise<number> => {
  const { printer, io } = ctx;
  let script: Script;
  try {
    script = await loadScriptFile(file);
  } catch (e) {
    printer.print({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    return ExitCode.Failure;
  }
  if (flags.timeout !== undefined) script = { ...script, timeout: flags.timeout };
  const accessToken = flags.token ?? io.env.ONEBOT_ACCESS_TOKEN;
  printer.print({ kind: 'info', text: `${script.name}: ${script.steps.length} steps against ${flags.url}` });
  const result = await runConversation(script, {
    url: flags.url,
    client: { logger: ctx.logger, ...(accessToken ? { accessToken } : {}) },
    onEntry: (entry) => printer.print(itemOf(entry)),
  });
  if (result.error !== undefined) printer.print({ kind: 'fail', text: `could not start: ${result.error}` });
  const count = (s: string) => result.steps.filter((r) => r.status === s).length;
  for (const skipped of result.steps.filter((r) => r.status === 'skip')) {
    printer.print({ kind: 'skip', text: `SKIP step ${skipped.index}: ${skipped.description}` });
  }
  printer.print({
    kind: result.passed ? 'summary' : 'fail',
    text: `${result.passed ? 'PASS' : 'FAIL'} ${script.name}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`,
  });
  return result.passed ? ExitCode.Ok : ExitCode.Failure;
};

const itemOf = (entry: TranscriptEntry): Parameters<CommandContext['printer']['print']>[0] => {
  switch (entry.kind) {
    case 'info':
      return { kind: 'info', text: entry.text };
    case 'said':
      return { kind: 'message', from: String(entry.event.user_id), to: 'app', text: entry.text, data: entry.event };
    case 'notice':
      return { kind: 'event', from: 'qq', to: 'app', text: entry.text, data: entry.event };
    case 'reply':
      return { kind: 'send', from: 'app', to: 'qq', text: entry.text, data: entry.reply.stored };
    case 'step': {
      const r = entry.result;
      const head = `${r.status === 'pass' ? 'PASS' : 'FAIL'} step ${r.index}: ${r.description} (${r.ms} ms)`;
      return { kind: r.status === 'pass' ? 'pass' : 'fail', text: r.problems.length === 0 ? head : `${head}\n    ${r.problems.join('\n    ')}`, data: r };
    }
  }
};
