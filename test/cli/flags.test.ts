import pkg from '../../package.json';
import { runInProcess } from './helpers';

/** Runs a command that must end on its own (no stdin needed). */
const run = async (...argv: string[]) => {
  const r = runInProcess(argv);
  r.stdin.end();
  const code = await r.exit;
  return { code, out: r.stdout.text(), err: r.stderr.text() };
};

describe('onebot-rx command line', () => {
  it('--version prints the package version, exit 0', async () => {
    expect(await run('--version')).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('--help lists the commands and global flags, exit 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const s of ['Usage: onebot-rx', 'demo', 'connect', 'serve', '--log-level', '--log-file', '--log-rotate-size', '--log-retain', '--json', 'Exit codes: 0 ok, 1 unexpected failure, 2 bad command line or unwritable --log-file, 3 server unreachable, 4 connection refused (token or path), 5 port already in use.']) {
      expect(r.out).toContain(s);
    }
  });

  it.each([
    ['demo', ['--port', '--heartbeat']],
    ['connect', ['<url>', '--self-id', '--token', '--reconnect-interval', '--max-attempts', '--heartbeat', '--format', '/private <user_id> <text>']],
    ['serve', ['--host', '--port', '--path', '--token', '--handshake-timeout']],
  ])('%s --help documents its flags, exit 0', async (command, flags) => {
    const r = await run(command, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: onebot-rx ${command}`);
    for (const f of flags) expect(r.out).toContain(f);
  });

  it.each<[string, string[], string]>([
    ['no command', [], 'Usage: onebot-rx'],
    ['an unknown command', ['frob'], "error: unknown command 'frob'"],
    ['an unknown flag', ['demo', '--bogus'], "error: unknown option '--bogus'"],
    ['a missing url', ['connect', '--self-id', '1'], 'error: no transport: give a reverse WebSocket URL, --ws-listen HOST:PORT, --http-listen HOST:PORT or --http-post URL (any mix)'],
    ['--secret without --http-post', ['connect', 'ws://127.0.0.1:1/ws/', '--self-id', '1', '--secret', 's'], 'error: --secret signs the HTTP POST bodies: give --http-post URL with it'],
    ['--secret without --http-post (play)', ['play', '--ws-listen', '127.0.0.1:0', '--secret', 's'], 'error: --secret signs the HTTP POST bodies: give --http-post URL with it'],
    ['a missing --self-id', ['connect', 'ws://127.0.0.1:1/ws/'], "error: required option '--self-id <id>' not specified"],
    [
      'a non-numeric --self-id',
      ['connect', 'ws://127.0.0.1:1/ws/', '--self-id', 'abc'],
      "error: option '--self-id <id>' argument 'abc' is invalid. Expected a positive integer (account id).",
    ],
    ['--self-id 0', ['connect', 'ws://127.0.0.1:1/ws/', '--self-id', '0'], "argument '0' is invalid. Expected a positive integer (account id)."],
    ['an http url', ['connect', 'http://127.0.0.1/ws', '--self-id', '1'], "error: command-argument value 'http://127.0.0.1/ws' is invalid for argument 'url'. Expected a ws:// or wss:// URL, got http://."],
    ['a url that is not one', ['connect', 'nope', '--self-id', '1'], 'Expected a WebSocket URL such as ws://127.0.0.1:8000/ws/.'],
    ['a bad --format', ['connect', 'ws://h/', '--self-id', '1', '--format', 'xml'], 'Allowed choices are array, string.'],
    ['a negative --reconnect-interval', ['connect', 'ws://h/', '--self-id', '1', '--reconnect-interval', '-5'], "argument '-5' is invalid"],
    ['a bad --max-attempts', ['connect', 'ws://h/', '--self-id', '1', '--max-attempts', '2.5'], 'Expected an integer ≥ 0 (attempts).'],
    ['a bad --log-level', ['--log-level', 'loud', 'demo'], 'Allowed choices are debug, info, warn, error, silent.'],
    ['a bad --log-rotate-size', ['--log-rotate-size', '10 MB', 'demo'], 'Expected a size such as 512k, 10m or 1g.'],
    ['a bad --log-retain', ['--log-retain', '0', 'demo'], 'Expected a positive integer (files).'],
    ['a bad --log-rotate-every', ['--log-rotate-every', 'weekly', 'demo'], 'Expected "daily", "hourly" or a number of milliseconds.'],
    ['a port out of range', ['serve', '--port', '70000'], 'Expected a port number from 0 to 65535.'],
    ['a path without a slash', ['serve', '--path', 'ws'], 'Expected a path starting with "/", e.g. /ws/.'],
    ['an extra argument', ['demo', 'extra'], 'error: too many arguments'],
  ])('rejects %s with exit code 2 and a clear message on stderr', async (_name, argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });
});
