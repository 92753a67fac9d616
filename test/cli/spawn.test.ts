import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { firstValueFrom, take, timeout } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { memoryOutput, type MemoryOutput } from './streams';

/** The real entry, run as `npm run demo` runs it: no build needed. */
const ROOT = join(__dirname, '..', '..');
const ENTRY = ['-r', 'esbuild-register', join(ROOT, 'src', 'cli', 'main.ts')];

interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: MemoryOutput;
  readonly stderr: MemoryOutput;
  readonly exit: Promise<number | null>;
}

const children: Spawned[] = [];

const cli = (...args: string[]): Spawned => {
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  const stdout = memoryOutput();
  const stderr = memoryOutput();
  child.stdout.setEncoding('utf8').on('data', (s: string) => stdout.write(s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.write(s));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const s = { child, stdout, stderr, exit };
  children.push(s);
  return s;
};

let server: ReferenceServer | undefined;
let other: OneBotClient | undefined;

afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await other?.disconnect();
  other = undefined;
  await server?.close();
  server = undefined;
});

jest.setTimeout(30_000);

describe('the onebot-rx executable (spawned)', () => {
  it('demo exits 0 with the transcript and the summary', async () => {
    const p = cli('demo', '--port', '0');
    expect(await p.exit).toBe(0);
    expect(p.stdout.text()).toContain('12345  → server  private message to 67890');
    expect(p.stdout.text()).toMatch(/^demo ok: 2 bots, 2 messages delivered, 1 API call answered, 4 heartbeats in \d+\.\d s$/m);
    expect(p.stderr.text()).toBe('');
  });

  it('connect is scriptable through a pipe: send, receive, /quit → exit 0', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    other = createClient({ url: server.url, selfId: 67890, heartbeatInterval: 0, logger: silentLogger });
    other.connect();
    await server.waitForBot(67890);

    const p = cli('connect', server.url, '--self-id', '12345');
    await server.waitForBot(12345, 10_000);
    const got = firstValueFrom(other.messages$.pipe(take(1), timeout(10_000)));
    p.child.stdin.write('/private 67890 through a pipe\n');
    expect(await got).toMatchObject({ user_id: 12345, raw_message: 'through a pipe' });

    await other.sendText('and back', 'private', { targetId: 12345 });
    await p.stdout.waitFor('private message from 67890: "and back"', 10_000);

    p.child.stdin.write('/quit\n');
    expect(await p.exit).toBe(0);
  });

  it('connect ends with exit 0 at end of input', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const p = cli('connect', server.url, '--self-id', '5');
    await server.waitForBot(5, 10_000);
    p.child.stdin.end();
    expect(await p.exit).toBe(0);
  });

  it('connect exits 2 on a bad flag', async () => {
    const p = cli('connect', 'ws://127.0.0.1:1/', '--self-id', 'x');
    expect(await p.exit).toBe(2);
    expect(p.stderr.text()).toContain("error: option '--self-id <id>' argument 'x' is invalid. Expected a positive integer (account id).");
  });

  it('serve prints a connection and stops on SIGINT with exit 0', async () => {
    const p = cli('serve', '--port', '0');
    const out = await p.stdout.waitFor(/listening on (ws:\/\/\S+\/ws\/)/, 10_000);
    const url = /listening on (ws:\/\/\S+\/ws\/)/.exec(out)![1]!;
    other = createClient({ url, selfId: 777, heartbeatInterval: 0, logger: silentLogger });
    other.connect();
    await p.stdout.waitFor('777    → server  online: sent the "connect" event', 10_000);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
    expect(p.stdout.text()).toContain('777              disconnected (code 1001');
  });

  it('play prints the page address on its first line, serves the page, and stops on SIGINT with exit 0', async () => {
    const p = cli('play', '--url', 'ws://127.0.0.1:9/ws/');
    const first = (await p.stdout.waitFor(/\n/, 15_000)).split('\n')[0]!;
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=[\w-]+$/);
    const html = await fetch(first.split('#')[0]!);
    expect(html.status).toBe(200);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
    expect(p.stdout.text()).toContain('stopped');
  });
});

