import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { closedPort, runInProcess, type InProcessRun } from './helpers';

let server: ReferenceServer | undefined;
const clients: OneBotClient[] = [];
const runs: InProcessRun[] = [];

afterEach(async () => {
  for (const r of runs.splice(0)) {
    r.abort.abort();
    await r.exit;
  }
  await Promise.allSettled(clients.splice(0).map((c) => c.disconnect()));
  await server?.close();
  server = undefined;
});

const start = (argv: string[], env: Record<string, string> = {}): InProcessRun => {
  const r = runInProcess(argv, env);
  runs.push(r);
  return r;
};

const bot = (url: string, selfId: number): OneBotClient => {
  const c = createClient({ url, selfId, heartbeatInterval: 0, logger: silentLogger });
  clients.push(c);
  c.connect();
  return c;
};

describe('onebot-rx connect', () => {
  it('sends typed lines, prints what arrives and API calls with their answers, /quit exits 0', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const bob = bot(server.url, 67890);
    await server.waitForBot(67890);

    const cli = start(['connect', server.url, '--self-id', '12345', '--heartbeat', '0']);
    await server.waitForBot(12345);
    await cli.stdout.waitFor(`connected to ${server.url}`);

    // stdin → the other bot
    const bobGot = firstValueFrom(bob.messages$.pipe(take(1), timeout(5000)));
    cli.stdin.write('/private 67890 hello bob\n');
    const m = await bobGot;
    expect(m).toMatchObject({ message_type: 'private', user_id: 12345, raw_message: 'hello bob' });
    await cli.stdout.waitFor('12345  → server  private message to 67890: "hello bob"');

    const bobGotGroup = firstValueFrom(bob.messages$.pipe(filter((e) => e.message_type === 'group'), take(1), timeout(5000)));
    cli.stdin.write('/group 777 hi all\n');
    expect(await bobGotGroup).toMatchObject({ group_id: 777, user_id: 12345, raw_message: 'hi all' });

    // the other bot → printed
    await bob.sendText('hi alice', 'private', { targetId: 12345 });
    await cli.stdout.waitFor('server → 12345   private message from 67890: "hi alice"');

    // an API call from the server, answered by the client's built-in handler, both printed
    const answer = await server.callApi(12345, 'get_login_info');
    expect(answer).toMatchObject({ status: 'ok', data: { user_id: 12345 } });
    await cli.stdout.waitFor('server → 12345   API call get_login_info');
    await cli.stdout.waitFor('12345  → server  answer ok {"user_id":12345,');

    // bad lines are reported and the session goes on
    cli.stdin.write('hello?\n');
    await cli.stderr.waitFor('warning: lines must start with a command such as /private or /group; /help lists them');
    cli.stdin.write('/help\n');
    await cli.stdout.waitFor('/private <user_id> <text>   send a private text message to user_id');

    cli.stdin.write('/quit\n');
    expect(await cli.exit).toBe(0);
    const gone = await server.waitForDisconnect(12345);
    expect(gone).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(cli.stdout.text()).toMatch(/12345 {12}bye\n$/);
  });

  it('writes what was typed before the connection opened, then ends at end of input with exit 0', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const bob = bot(server.url, 67890);
    await server.waitForBot(67890);
    const bobGot = firstValueFrom(bob.messages$.pipe(take(1), timeout(5000)));

    const cli = start(['connect', server.url, '--self-id', '12345']);
    cli.stdin.end('/private 67890 queued early\n');
    expect(await cli.exit).toBe(0);
    expect(await bobGot).toMatchObject({ user_id: 12345, raw_message: 'queued early' });
  });

  it('--json prints machine-readable lines', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const cli = start(['--json', 'connect', server.url, '--self-id', '5']);
    await server.waitForBot(5);
    cli.stdin.end('/raw {"post_type":"notice","notice_type":"custom_thing","time":1,"self_id":5}\n');
    expect(await cli.exit).toBe(0);
    const items = cli.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { kind: string; data?: unknown });
    expect(items.map((i) => i.kind)).toEqual(expect.arrayContaining(['info', 'state', 'connect', 'send']));
    expect(items.find((i) => i.kind === 'send')?.data).toEqual({ post_type: 'notice', notice_type: 'custom_thing', time: 1, self_id: 5 });
  });

  it('Ctrl-C (abort) closes cleanly with exit 0', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '9']);
    await server.waitForBot(9);
    cli.abort.abort();
    expect(await cli.exit).toBe(0);
    expect(await server.waitForDisconnect(9)).toMatchObject({ closeCode: 1000 });
  });

  it('exits 3 with a message when the server stays unreachable after the attempts', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/ws/`;
    const cli = start(['connect', url, '--self-id', '1', '--max-attempts', '1', '--reconnect-interval', '100']);
    expect(await cli.exit).toBe(3);
    expect(cli.stderr.text()).toContain(`error: cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${port} (gave up after 1 reconnect attempt)`);
    expect(cli.stdout.text()).toContain('reconnecting in 100 ms (attempt 1/1)');
  });

  it('end of input before the socket ever opened is not success: it waits for the outcome and exits 3 when unreachable', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/ws/`;
    const cli = start(['connect', url, '--self-id', '1', '--max-attempts', '1', '--reconnect-interval', '100']);
    cli.stdin.end();
    expect(await cli.exit).toBe(3);
    expect(cli.stderr.text()).toContain(`error: cannot reach ${url}`);
  });

  it('end of input right away against a reachable server connects first, then leaves cleanly (exit 0)', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '4321', '--heartbeat', '0']);
    cli.stdin.end();
    expect(await cli.exit).toBe(0);
    expect(server.connections.some((c) => c.selfId === 4321 && c.handshakeAt !== undefined)).toBe(true);
  });

  it('exits 4 when the server refuses a wrong token (HTTP 403), without leaking it', async () => {
    server = await createReferenceServer({ port: 0, accessToken: 'right-token', logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '1', '--token', 'wrong-token']);
    expect(await cli.exit).toBe(4);
    expect(cli.stderr.text()).toMatch(/error: server refused the connection with HTTP 403.*; check --token; or the URL path \/ws\/ may be wrong \(NoneBot2: \/onebot\/v11\/ws, Koishi: \/onebot, aiocqhttp: \/ws\/\)/);
    expect(cli.stdout.text() + cli.stderr.text()).not.toContain('wrong-token');
    expect(server.rejections.map((r) => r.status)).toEqual([403]);
  });

  it('names the URL path when the server answers 404 (no endpoint there), then exits 3', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const url = server.url.replace('/ws/', '/wrong/path');
    const cli = start(['connect', url, '--self-id', '1', '--max-attempts', '1', '--reconnect-interval', '100']);
    expect(await cli.exit).toBe(3);
    const hint = 'no OneBot endpoint there: the URL path /wrong/path may be wrong (NoneBot2: /onebot/v11/ws, Koishi: /onebot, aiocqhttp: /ws/)';
    expect(cli.stdout.text()).toContain(`server refused the upgrade with HTTP 404; ${hint}; reconnecting in 100 ms (attempt 1/1)`);
    expect(cli.stderr.text()).toContain(`error: cannot reach ${url}: server refused the upgrade with HTTP 404; ${hint} (gave up after 1 reconnect attempt)`);
    expect(server.rejections.map((r) => r.status)).toEqual([404, 404]);
  });

  it('a line typed while offline says it is queued, and is sent once the server is up', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/ws/`;
    const cli = start(['connect', url, '--self-id', '12345', '--reconnect-interval', '100', '--heartbeat', '0']);
    await cli.stdout.waitFor('reconnecting in 100 ms');
    cli.stdin.write('/private 67890 typed while offline\n');
    await cli.stdout.waitFor('12345            not connected: private message to 67890 queued; it is sent once the connection is up');
    server = await createReferenceServer({ port, logger: silentLogger });
    const bob = bot(server.url, 67890);
    await server.waitForBot(67890);
    const bobGot = firstValueFrom(bob.messages$.pipe(take(1), timeout(5000)));
    expect(await bobGot).toMatchObject({ user_id: 12345, raw_message: 'typed while offline' });
    await cli.stdout.waitFor('12345  → server  private message to 67890: "typed while offline"');
    cli.stdin.end('/quit\n');
    expect(await cli.exit).toBe(0);
  });

  it('a line typed while connected is sent without a queued notice', async () => {
    server = await createReferenceServer({ port: 0, logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '7', '--heartbeat', '0']);
    await server.waitForBot(7);
    await cli.stdout.waitFor('the bot is online');
    cli.stdin.end('/group 5 hi\n/quit\n');
    expect(await cli.exit).toBe(0);
    expect(cli.stdout.text()).toContain('group message to 5: "hi"');
    expect(cli.stdout.text()).not.toContain('queued');
  });

  it('exits 4 when the server wants a token and none is given (HTTP 401)', async () => {
    server = await createReferenceServer({ port: 0, accessToken: 'right-token', logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '1']);
    expect(await cli.exit).toBe(4);
    expect(cli.stderr.text()).toMatch(/error: server refused the connection with HTTP 401.*; the server requires a token: pass --token/);
  });

  it('takes the token from ONEBOT_ACCESS_TOKEN', async () => {
    server = await createReferenceServer({ port: 0, accessToken: 'right-token', logger: silentLogger });
    const cli = start(['connect', server.url, '--self-id', '3'], { ONEBOT_ACCESS_TOKEN: 'right-token' });
    await server.waitForBot(3);
    cli.stdin.end('/quit\n');
    expect(await cli.exit).toBe(0);
  });
});
