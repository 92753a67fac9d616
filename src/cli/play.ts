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
  /** Reverse WebSocket: the bot server's URL, dialed by this process for the page. */
  readonly url?: string;
  /** Forward WebSocket: listen here for applications that dial in. */
  readonly wsListen?: { readonly host: string; readonly port: number };
  /** HTTP API: listen here for `/:action` calls. */
  readonly httpListen?: { readonly host: string; readonly port: number };
  /** HTTP POST: post every event of the page to these URLs. */
  readonly httpPost?: readonly string[];
  /** HTTP POST signature secret. */
  readonly secret?: string;
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

const describe = (a: PlayActivity): { kind: 'info' | 'warn' | 'error'; text: string } => {
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
    case 'listening':
      return { kind: 'info', text: `${a.transport} listening on ${a.url}` };
    case 'app-connected':
      return { kind: 'info', text: `an application connected to forward WS ${a.path} from ${a.remote}` };
    case 'app-disconnected':
      return { kind: 'info', text: `an application disconnected from forward WS ${a.path} (${a.remote})` };
    case 'app-refused':
      return { kind: 'error', text: `${a.transport} refused ${a.remote} with HTTP ${a.status}: ${a.reason}` };
    case 'app-dropped':
      return { kind: 'error', text: `closed forward WS ${a.path} of ${a.remote}: too slow, ${a.why}` };
    case 'app-ignored':
      return { kind: 'warn', text: `ignored a frame on forward WS ${a.path} from ${a.remote}: ${a.why}` };
    case 'post-failed':
    case 'quick-failed':
      return { kind: 'warn', text: a.text };
    case 'calls-failed':
      return { kind: 'warn', text: `${a.count} relayed API call${a.count === 1 ? '' : 's'} answered failed: ${a.why}` };
    case 'events-unheard':
      return a.first
        ? { kind: 'warn', text: 'an event of the page reached no application (no socket on / or /event, no --http-post): dropped; more are counted until one connects' }
        : { kind: 'warn', text: `${a.dropped} event${a.dropped === 1 ? '' : 's'} of the page reached no application before this one connected: dropped` };
  }
};

/**
 * `onebot-rx play`: serves the playground page on 127.0.0.1 and relays its bot connection to the
 * bot server: by reverse WebSocket (`--url`, with the headers the page cannot send), and by the
 * listening transports this process holds for the page (`--ws-listen`, `--http-listen`,
 * `--http-post`), in any mix (docs/guides/playground.md). The first line of output is the page's
 * address. Runs until Ctrl-C.
 *
 * @since 0.2.0
 * @category cli
 */
export const runPlay = async (ctx: CommandContext, flags: PlayFlags): Promise<number> => {
  const { printer, io } = ctx;
  const accessToken = flags.token ?? io.env.ONEBOT_ACCESS_TOKEN;
  const posting = flags.httpPost !== undefined && flags.httpPost.length > 0;
  if (flags.url === undefined && flags.wsListen === undefined && flags.httpListen === undefined && !posting) {
    printer.print({
      kind: 'error',
      text: 'no transport: give --url (the reverse WebSocket URL of your bot server), --ws-listen HOST:PORT, --http-listen HOST:PORT or --http-post URL (any mix)',
    });
    return ExitCode.Usage;
  }
  if (flags.secret !== undefined && !posting) {
    printer.print({ kind: 'error', text: '--secret signs the HTTP POST bodies: give --http-post URL with it' });
    return ExitCode.Usage;
  }
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
  // What happens while starting (the listening transports bound) is shown after the page address.
  const early: PlayActivity[] = [];
  let started = false;
  const show = (a: PlayActivity): void => printer.print({ ...describe(a), from: 'play' });
  let server;
  try {
    server = await startPlayServer({
      botUrl: flags.url,
      listen: { wsListen: flags.wsListen, httpListen: flags.httpListen, httpPost: flags.httpPost, secret: flags.secret },
      selfId,
      accessToken,
      host: flags.host,
      port: flags.port,
      assets,
      filesDir: flags.files,
      config: {
        world: world.right.toJSON(),
        filesAllowed: flags.files !== undefined,
        heartbeatInterval: flags.heartbeat,
        history: flags.history,
        inspectorFrames: flags.inspectorFrames,
        inspectorChars: flags.inspectorChars,
      },
      onActivity: (a) => (started ? show(a) : void early.push(a)),
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    printer.print({ kind: 'error', text: `${e instanceof Error ? e.message : String(e)}${code === 'EADDRINUSE' ? '; choose another --port, --ws-listen or --http-listen' : ''}` });
    return code === 'EADDRINUSE' ? ExitCode.PortInUse : ExitCode.Failure;
  }
  // The first line of output: the address to open.
  io.stdout.write(`${server.pageUrl}\n`);
  started = true;
  early.splice(0).forEach(show);
  printer.print({
    kind: 'info',
    from: 'play',
    text: `open the address above; the page's bot (${selfId}) reaches your bot server through this process by ${server.links.join('; ')}${accessToken ? ' (with the access token)' : ''}; Ctrl-C stops`,
  });
  await aborted(io.signal);
  await server.close();
  printer.print({ kind: 'info', from: 'play', text: 'stopped' });
  return ExitCode.Ok;
};
