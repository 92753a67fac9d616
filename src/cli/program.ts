import { Command, CommanderError, Option } from 'commander';
import pkg from '../../package.json';
import { DEFAULT_CLIENT_OPTIONS, MIN_RECONNECT_INTERVAL } from '../client/options';
import type { LogLevel } from '../logging/logger';
import { runConnect, type ConnectFlags } from './connect';
import { runDemo, type DemoFlags } from './demo';
import { DEFAULT_PLAY_SELF_ID, runPlay, type PlayFlags } from './play';
import { EXIT_CODE_MEANINGS, ExitCode, useColor, type CliIo } from './io';
import { setupLogging, type LogFlags } from './logging';
import { integerAtLeast, parseFrequency, parseHostPort, parseHttpUrl, parseNonNegativeInt, parsePath, parsePort, parsePositiveInt, parseSize, parseWsUrl } from './options';
import { createPrinter, type Printer } from './printer';
import { runServe, type ServeFlags } from './serve';
import { runTest, type TestFlags } from './test';
import type { Logger } from '../logging/logger';

/** The global flags, as commander hands them over. @internal */
interface GlobalFlags extends LogFlags {
  readonly json?: boolean;
}

/**
 * What every command gets: the process streams, a transcript printer, and the loggers built from
 * the global flags.
 *
 * @since 0.1.0
 * @category cli
 */
export interface CommandContext {
  readonly io: CliIo;
  readonly printer: Printer;
  /** Logger for the SDK (client, reference server). */
  readonly logger: Logger;
  readonly json: boolean;
}

/** @internal */
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * Builds the commander program. A fresh one per run: commander keeps parsed state on the instance.
 * `run` receives the chosen command's work and its flags merged with the global ones.
 *
 * @internal
 */
const buildProgram = (io: CliIo, run: (work: (ctx: CommandContext) => Promise<number>, flags: GlobalFlags) => void): Command => {
  const program = new Command('onebot-rx')
    .description('OneBot v11 bot-side toolkit: a demo, an interactive client session, a reference server, and conversation tests against a live bot.')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for this command')
    .addOption(new Option('--log-level <level>', 'log level for stderr (default error) and the log file (default info)').choices(LOG_LEVELS))
    .option('--log-file <path>', 'also write logs and the transcript to this file (JSON lines, rotated)')
    .option('--log-rotate-size <size>', 'rotate the log file at this size: bytes, or 512k, 10m, 1g (default 10m)', parseSize)
    .option('--log-rotate-every <period>', 'also rotate daily, hourly or every N milliseconds', parseFrequency)
    .option('--log-retain <count>', 'keep at most this many log files, the current one included', parsePositiveInt('files'))
    .option('--json', 'print every transcript item as a JSON line (machine-readable)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  onebot-rx demo',
        '  onebot-rx connect ws://127.0.0.1:8080/onebot/v11/ws --self-id 10001 --token secret   # reverse WS: dial the application',
        '  onebot-rx connect --ws-listen 127.0.0.1:6700 --self-id 10001                         # forward WS: the application dials in',
        '  onebot-rx connect --http-listen :5700 --http-post http://127.0.0.1:8080/onebot/v11/http --secret s --self-id 10001   # HTTP API + HTTP POST',
        '  onebot-rx serve --port 8000 --path /ws/',
        '  onebot-rx play --url ws://127.0.0.1:8080/onebot/v11/ws --token secret',
        '  onebot-rx play --ws-listen 127.0.0.1:6700 --token secret                                  # the playground, the bot server dials in',
        '  onebot-rx test echo.yaml --url ws://127.0.0.1:8080/onebot/v11/ws',
        '',
        `Exit codes: ${Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]) => `${code} ${meaning}`).join(', ')}.`,
      ].join('\n'),
    );

  program
    .command('demo')
    .description('start the reference server and two bots that talk to each other, print the transcript, exit')
    .option('--port <port>', 'preferred port; a free one is used if it is taken', parsePort, 8000)
    .option('--heartbeat <ms>', 'heartbeat interval of the bots', parsePositiveInt('milliseconds'), 500)
    .action((flags: DemoFlags, cmd: Command) => run((ctx) => runDemo(ctx, flags), cmd.optsWithGlobals<GlobalFlags>()));

  program
    .command('connect')
    .description('run one bot on any mix of the OneBot v11 transports and drive it from stdin (/help lists the commands)')
    .argument('[url]', 'reverse WebSocket URL of the application to dial, e.g. ws://127.0.0.1:8000/ws/', parseWsUrl)
    .option('--ws-listen <host:port>', 'forward WebSocket: listen for applications on /, /api and /event', parseHostPort)
    .option('--http-listen <host:port>', 'HTTP API: listen for GET/POST /:action calls', parseHostPort)
    .option('--http-post <url>', 'HTTP POST: post every event to this URL (repeatable)', (url: string, previous: string[] = []) => [...previous, parseHttpUrl(url)])
    .option('--secret <secret>', 'HTTP POST: sign each body (X-Signature: sha1=HMAC-SHA1)')
    .requiredOption('--self-id <id>', 'the bot account (X-Self-ID)', parsePositiveInt('account id'))
    .option('--token <token>', 'access token: sent when dialing and posting, required from applications on --ws-listen/--http-listen; also read from ONEBOT_ACCESS_TOKEN')
    .option('--reconnect-interval <ms>', 'delay between connection attempts', integerAtLeast(MIN_RECONNECT_INTERVAL, `an integer ≥ ${MIN_RECONNECT_INTERVAL} (milliseconds)`), DEFAULT_CLIENT_OPTIONS.reconnectInterval)
    .option('--max-attempts <n>', 'reconnect attempts in a row before giving up; 0 = retry forever', parseNonNegativeInt('attempts'), DEFAULT_CLIENT_OPTIONS.maxReconnectAttempts)
    .option('--heartbeat <ms>', 'heartbeat interval; 0 disables heartbeats', parseNonNegativeInt('milliseconds'), DEFAULT_CLIENT_OPTIONS.heartbeatInterval)
    .addOption(new Option('--format <format>', 'message format of the events sent').choices(['array', 'string']).default('array'))
    .addHelpText(
      'after',
      ['', 'Lines on stdin:', '  /private <user_id> <text>, /group <group_id> <text>, /raw <json>, /help, /quit'].join('\n'),
    )
    .action((url: string | undefined, flags: ConnectFlags, cmd: Command) =>
      run((ctx) => runConnect(ctx, url, flags), cmd.optsWithGlobals<GlobalFlags>()),
    );

  program
    .command('serve')
    .description('run the reference server and print who connects and what they send (Ctrl-C stops it)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port; 0 picks a free one', parsePort, 8000)
    .option('--path <path>', 'WebSocket path', parsePath, '/ws/')
    .option('--token <token>', 'require this access token (401 when missing, 403 when wrong)')
    .option('--handshake-timeout <ms>', 'time a bot has to send its lifecycle connect event', parsePositiveInt('milliseconds'), 1000)
    .action((flags: ServeFlags, cmd: Command) => run((ctx) => runServe(ctx, flags), cmd.optsWithGlobals<GlobalFlags>()));

  program
    .command('test')
    .description('play a conversation file (YAML or JSON) against a live bot application; a pass/fail line per step, exit 0 when all pass, 1 otherwise')
    .argument('<file>', 'the conversation file: the world and the steps (docs/guides/conversations.md)')
    .requiredOption('--url <url>', "the application's reverse WebSocket URL, e.g. ws://127.0.0.1:8080/onebot/v11/ws", parseWsUrl)
    .option('--token <token>', 'access token (sent as Authorization: Bearer); also read from ONEBOT_ACCESS_TOKEN')
    .option('--timeout <ms>', "default time limit of an expected reply (overrides the file's)", parsePositiveInt('milliseconds'))
    .action((file: string, flags: TestFlags, cmd: Command) => run((ctx) => runTest(ctx, file, flags), cmd.optsWithGlobals<GlobalFlags>()));

  program
    .command('play')
    .description('serve a page on 127.0.0.1 where you chat with your bot as the users of a simulated world (Ctrl-C stops)')
    .option('--url <url>', 'reverse WebSocket: URL of the bot server, e.g. ws://127.0.0.1:8080/onebot/v11/ws', parseWsUrl)
    .option('--ws-listen <host:port>', 'forward WebSocket: listen for the bot server on /, /api and /event (e.g. NoneBot2 ONEBOT_WS_URLS)', parseHostPort)
    .option('--http-listen <host:port>', 'HTTP API: listen for GET/POST /:action calls (e.g. NoneBot2 ONEBOT_API_ROOTS)', parseHostPort)
    .option('--http-post <url>', 'HTTP POST: post every event to this URL (repeatable), e.g. http://127.0.0.1:8080/onebot/v11/http', (url: string, previous: string[] = []) => [...previous, parseHttpUrl(url)])
    .option('--secret <secret>', 'HTTP POST: sign each body (X-Signature: sha1=HMAC-SHA1)')
    .option('--self-id <id>', `the bot account (default: the world's bot, else ${DEFAULT_PLAY_SELF_ID})`, parsePositiveInt('account id'))
    .option('--token <token>', 'access token: sent to --url and with the POSTs, required from the bot server on --ws-listen/--http-listen; also read from ONEBOT_ACCESS_TOKEN')
    .option('--world <file>', 'the simulated world: JSON (or YAML) as in docs/guides/conversations.md')
    .option('--host <host>', 'interface the page is served on', '127.0.0.1')
    .option('--port <port>', 'port of the page; 0 picks a free one', parsePort, 0)
    .option('--files <dir>', 'folder whose files the page may show (file:// images, voice, video the bot sends)')
    .option('--heartbeat <ms>', 'heartbeat interval of the page\'s bot', parsePositiveInt('milliseconds'), 30000)
    .option('--history <n>', 'lines the page keeps per conversation (oldest dropped)', parsePositiveInt('lines'), 500)
    .option('--inspector-frames <n>', 'frames the inspector keeps (oldest dropped)', parsePositiveInt('frames'), 1000)
    .option('--inspector-chars <n>', 'characters of frame text the inspector keeps in all; a frame over a quarter of it is kept cut', parsePositiveInt('characters'), 8 * 1024 * 1024)
    .addHelpText(
      'after',
      [
        '',
        'At least one transport, in any mix: --url, --ws-listen, --http-listen, --http-post.',
        'Listening transports bind to 127.0.0.1 unless HOST says otherwise; a port alone (6700) means 127.0.0.1:6700.',
        '',
        'Examples:',
        '  onebot-rx play --url ws://127.0.0.1:8080/onebot/v11/ws --token secret            # reverse WS',
        '  onebot-rx play --ws-listen 6700 --token secret                                     # forward WS: ONEBOT_WS_URLS=["ws://127.0.0.1:6700/"]',
        '  onebot-rx play --http-listen 5700 --http-post http://127.0.0.1:8080/onebot/v11/http --secret s   # HTTP: ONEBOT_API_ROOTS + ONEBOT_SECRET',
      ].join('\n'),
    )
    .action((flags: PlayFlags, cmd: Command) => run((ctx) => runPlay(ctx, flags), cmd.optsWithGlobals<GlobalFlags>()));

  return program;
};

/**
 * Runs the `onebot-rx` command line with the given streams and arguments; resolves with the exit
 * code instead of exiting, so tests can run it in-process.
 *
 * @example
 * const code = await runCli({ argv: ['demo'], stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
 *
 * @since 0.1.0
 * @category cli
 */
export const runCli = async (io: CliIo): Promise<number> => {
  let chosen: { work: (ctx: CommandContext) => Promise<number>; flags: GlobalFlags } | undefined;
  const program = buildProgram(io, (work, flags) => {
    chosen = { work, flags };
  });

  try {
    await program.parseAsync([...io.argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; every parse error is a usage error.
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    throw e;
  }
  if (!chosen) return ExitCode.Usage;

  const { work, flags } = chosen;
  let logging;
  try {
    logging = setupLogging(flags, io.stderr);
  } catch (e) {
    io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return ExitCode.Usage;
  }
  const json = flags.json === true;
  const printer = createPrinter({
    out: io.stdout,
    err: io.stderr,
    json,
    color: !json && useColor(io.stdout, io.env),
    ...(logging.transcript ? { logger: logging.transcript } : {}),
  });
  let code: number;
  try {
    code = await work({ io, printer, logger: logging.sdk, json });
  } catch (e) {
    printer.print({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    code = ExitCode.Failure;
  }
  try {
    await logging.close();
  } catch (e) {
    // Checked at start (setupLogging), so this is a failure during the run (disk full...).
    io.stderr.write(`error: could not write the log file: ${e instanceof Error ? e.message : String(e)}\n`);
    if (code === ExitCode.Ok) code = ExitCode.Failure;
  }
  return code;
};
