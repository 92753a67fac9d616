import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as E from 'fp-ts/Either';
import { parse as parseYaml } from 'yaml';
import { loadWorld } from '../world/world';
import { loadPageAssets } from '../playground/assets';
import { startPlayServer, type PlayActivity } from '../playground/server';
import { aborted, ExitCode } from './io';
import type { CommandContext } from './program';

/** Flags of `onebot-rx play`. @since 0.2.0 @category cli */
export interface PlayFlags {
  readonly url: string;
  readonly selfId?: number;
  readonly token?: string;
  readonly world?: string;
  readonly host: string;
  readonly port: number;
  readonly files?: string;
  readonly heartbeat: number;
  readonly history: number;
  readonly inspectorFrames: number;
  readonly inspectorChars: number;
}

/** The bot account of the default world when neither `--self-id` nor a world file names one. */
export const DEFAULT_PLAY_SELF_ID = 10001;

/**
 * The world the playground opens with when no `--world` is given: a group with an owner, an admin
 * bot and a plain member, a friend, and one user outside the group (to try joining).
 *
 * @since 0.2.0
 * @category cli
 */
export const defaultPlayWorld = (selfId: number): Record<string, unknown> => ({
  bot: { user_id: selfId, nickname: 'Bot' },
  users: [
    { user_id: 20001, nickname: 'Alice' },
    { user_id: 20002, nickname: 'Bob' },
    { user_id: 20003, nickname: 'Carol' },
  ],
  friends: [{ user_id: 20001 }, { user_id: 20003 }],
  groups: [
    {
      group_id: 100001,
      group_name: 'Playground',
      members: [
        { user_id: 20001, role: 'owner', card: 'Alice (owner)' },
        { user_id: 20002, role: 'member', card: 'Bobby' },
        { user_id: selfId, role: 'admin' },
      ],
    },
  ],
});

/** Reads a world file (JSON, or YAML for `.yaml`/`.yml`). @internal */
const readWorld = async (file: string): Promise<unknown> => {
  const text = await readFile(file, 'utf8');
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? parseYaml(text) : (JSON.parse(text) as unknown);
};

const describe = (a: PlayActivity): { kind: 'info' | 'error'; text: string } => {
  switch (a.kind) {
    case 'page-connected':
      return { kind: 'info', text: 'page connected; relaying its frames' };
    case 'page-replaced':
      return { kind: 'info', text: 'a new page took over from the previous one' };
    case 'bot-connected':
      return { kind: 'info', text: `connected to the bot server ${a.url}` };
    case 'bot-refused':
      return { kind: 'error', text: a.text };
    case 'bot-unreachable':
      return { kind: 'error', text: a.error };
    case 'bot-closed':
      return { kind: 'info', text: `the bot server closed the connection (${a.code}${a.reason ? ` ${a.reason}` : ''})` };
    case 'page-closed':
      return { kind: 'info', text: `page disconnected (${a.code})` };
    case 'rejected':
      return { kind: 'error', text: `refused a page connection: ${a.why}` };
  }
};

/**
 * `onebot-rx play`: serves the playground page on 127.0.0.1 and relays its bot connection to the
 * bot server with the headers the page cannot send (docs/guides/playground.md). The first line of
 * output is the page's address. Runs until Ctrl-C.
 *
 * @since 0.2.0
 * @category cli
 */
export const runPlay = async (ctx: CommandContext, flags: PlayFlags): Promise<number> => {
  const { printer, io } = ctx;
  const accessToken = flags.token ?? io.env.ONEBOT_ACCESS_TOKEN;
  let spec: unknown;
  if (flags.world !== undefined) {
    try {
      spec = await readWorld(flags.world);
    } catch (e) {
      printer.print({ kind: 'error', text: `cannot read the world file ${flags.world}: ${e instanceof Error ? e.message : String(e)}` });
      return ExitCode.Usage;
    }
  }
  const declaredBot = (spec as { bot?: { user_id?: unknown } } | undefined)?.bot?.user_id;
  const selfId = flags.selfId ?? (typeof declaredBot === 'number' ? declaredBot : Number(declaredBot ?? DEFAULT_PLAY_SELF_ID));
  spec ??= defaultPlayWorld(selfId);
  const world = loadWorld(spec);
  if (E.isLeft(world)) {
    printer.print({ kind: 'error', text: `invalid world${flags.world ? ` in ${flags.world}` : ''}: ${world.left.join('; ')}` });
    return ExitCode.Usage;
  }
  if (world.right.bot.user_id !== selfId) {
    printer.print({ kind: 'error', text: `the world's bot is ${world.right.bot.user_id} but --self-id is ${selfId}: make them the same` });
    return ExitCode.Usage;
  }
  const assets = await loadPageAssets();
  let server;
  try {
    server = await startPlayServer({
      botUrl: flags.url,
      selfId,
      accessToken,
      host: flags.host,
      port: flags.port,
      assets,
      filesDir: flags.files,
      config: {
        world: world.right.toJSON(),
        botUrl: flags.url,
        filesAllowed: flags.files !== undefined,
        heartbeatInterval: flags.heartbeat,
        history: flags.history,
        inspectorFrames: flags.inspectorFrames,
        inspectorChars: flags.inspectorChars,
      },
      onActivity: (a) => printer.print({ ...describe(a), from: 'play' }),
    });
  } catch (e) {
    printer.print({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    return ExitCode.Failure;
  }
  // The first line of output: the address to open.
  io.stdout.write(`${server.pageUrl}\n`);
  printer.print({
    kind: 'info',
    from: 'play',
    text: `open the address above; the page's bot (${selfId}) connects to ${flags.url}${accessToken ? ' with the access token' : ''} through this process; Ctrl-C stops`,
  });
  await aborted(io.signal);
  await server.close();
  printer.print({ kind: 'info', from: 'play', text: 'stopped' });
  return ExitCode.Ok;
};
