/**
 * What docs/interop.md tells users of NoneBot 1 and AliceBot, checked against the real frameworks
 * (installed into .interop/venv-more by scripts/interop-setup.sh) on 127.0.0.1:
 * - NoneBot 1: a config that starts from `nonebot.default_config` works (endpoint /ws/, token in
 *   the header); a config without those defaults stops `nonebot.init` with an AttributeError.
 * - AliceBot: array messages reach its plugins; a CQ-code string message makes it drop the
 *   connection; with a token configured (0.11.0) it closes every connection, even with the right
 *   token.
 * - Koishi: the old `@koishijs/plugin-adapter-onebot` 5.x fails to start on Koishi 4.18, so no bot
 *   can connect (6.x is what the main suite runs).
 *
 * Run: npm run test:interop   (or: npx jest -c jest.interop.config.ts test/interop/guide-peers.test.ts)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { createClient, silentLogger, type ClientOptions, type OneBotClient, type SentMessage } from '../../src/index';
import { PEERS_DIR, VENV_MORE_PYTHON, assertPeersInstalled, startPeer, stopAllPeers, type Peer } from './harness';

const SELF_ID = 10001000;
const USER_ID = 20002000;
const TOKEN = 'interop-guide-token';
const WAIT = 10_000;
const run = promisify(execFile);

const clients: OneBotClient[] = [];

const client = (peer: Peer, options: Partial<ClientOptions> = {}): OneBotClient => {
  const c = createClient({ url: peer.url, selfId: SELF_ID, logger: silentLogger, reconnectInterval: 200, heartbeatInterval: 0, ...options });
  clients.push(c);
  return c;
};

const online = (c: OneBotClient): Promise<unknown> => firstValueFrom(c.state$.pipe(filter((s) => s.status === 'open'), take(1), timeout(WAIT)));

const firstSent = (c: OneBotClient): Promise<SentMessage> => firstValueFrom(c.sent$.pipe(take(1), timeout(WAIT)));

beforeAll(() => assertPeersInstalled(['nonebot1guide', 'alicebot', 'koishi5']));

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.disconnect()));
  await stopAllPeers();
});

describe('NoneBot 1 (docs/interop.md "NoneBot 1")', () => {
  it('with a config from nonebot.default_config: connects at /ws/ with the token, a user message reaches its command, the reply comes back', async () => {
    const peer = await startPeer('nonebot1guide', { token: TOKEN });
    expect(peer.url).toMatch(/\/ws\/$/);
    const c = client(peer, { accessToken: TOKEN });
    const reply = firstSent(c);
    c.connect();
    await online(c);
    await peer.waitForLine((l) => l.ev === 'bot_connect', WAIT);
    await c.sendText('echo hello from onebot-rx', 'private', { userId: USER_ID });
    expect(await peer.waitForLine((l) => l.ev === 'message', WAIT)).toMatchObject({ type: 'private', text: 'hello from onebot-rx', user_id: USER_ID });
    expect(await reply).toMatchObject({ messageType: 'private', userId: USER_ID, rawMessage: 'echo: hello from onebot-rx' });
  });

  it('without a token it is refused (aiocqhttp underneath: HTTP 401)', async () => {
    const peer = await startPeer('nonebot1guide', { token: TOKEN });
    const c = client(peer, { maxReconnectAttempts: 1 });
    const errors = firstValueFrom(c.errors$.pipe(take(1), timeout(WAIT)));
    c.connect();
    expect(await errors).toMatchObject({ data: { status: 401 } });
  });

  it('a config without nonebot.default_config stops nonebot.init with an AttributeError', async () => {
    const failed = await run(VENV_MORE_PYTHON, ['-u', join(PEERS_DIR, 'nonebot1_guide_app.py'), '0'], {
      cwd: PEERS_DIR,
      env: { ...process.env, PEER_BARE_CONFIG: '1', PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 30_000,
    }).then(
      () => undefined,
      (e: { code?: number; stdout?: string }) => e,
    );
    expect(failed?.code).toBe(3);
    const report = JSON.parse(failed!.stdout!.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(report).toMatchObject({ ev: 'init_failed', error: 'AttributeError' });
    expect(String(report.info)).toMatch(/has no attribute '\w+'/);
  });
});

describe('AliceBot (docs/interop.md "AliceBot")', () => {
  it("with array messages (onebot-rx's default) a user message reaches its plugin and the reply comes back", async () => {
    const peer = await startPeer('alicebot');
    const c = client(peer);
    const reply = firstSent(c);
    c.connect();
    await online(c);
    await c.sendText('hello alice', 'private', { userId: USER_ID });
    expect(await peer.waitForLine((l) => l.ev === 'message', WAIT)).toMatchObject({ type: 'private', text: 'hello alice', user_id: USER_ID });
    expect(await reply).toMatchObject({ messageType: 'private', userId: USER_ID, rawMessage: 'echo: hello alice' });
  });

  it('a CQ-code string message (messageFormat: string) makes it drop the connection', async () => {
    const peer = await startPeer('alicebot');
    const c = client(peer, { messageFormat: 'string' });
    c.connect();
    await online(c);
    const dropped = firstValueFrom(c.state$.pipe(filter((s) => s.status === 'reconnecting'), take(1), timeout(WAIT)));
    c.sendText('hello alice', 'private', { userId: USER_ID }).catch(() => undefined);
    const state = await dropped;
    expect(state.lastClose?.code).toBe(1006);
    expect(peer.linesWhere((l) => l.ev === 'message')).toEqual([]);
  });

  it('with a token configured (0.11.0) it closes every connection right after accepting it, even with the right token', async () => {
    const peer = await startPeer('alicebot', { token: TOKEN });
    const c = client(peer, { accessToken: TOKEN, maxReconnectAttempts: 2 });
    const states = firstValueFrom(c.state$.pipe(take(6), toArray(), timeout(WAIT)));
    c.connect();
    const seen = await states;
    // open, closed by the server with 1000, again...
    expect(seen.filter((s) => s.status === 'open').length).toBeGreaterThanOrEqual(2);
    expect(seen.filter((s) => s.status === 'reconnecting').map((s) => s.lastClose?.code)).toEqual(expect.arrayContaining([1000]));
  });
});

describe('Koishi with the old 5.x adapter (docs/interop.md "Koishi")', () => {
  it("does not start its OneBot endpoint on Koishi 4.18 (TypeError reading 'ws'): every connection is closed at once (1005)", async () => {
    const peer = await startPeer('koishi5');
    expect(await peer.waitForLine((l) => l.ev === 'log' && /Cannot read properties of undefined \(reading 'ws'\)/.test(String(l.text)), WAIT)).toBeDefined();
    const c = client(peer, { maxReconnectAttempts: 1 });
    const final = await c.run();
    expect(final).toMatchObject({ status: 'closed', reason: 'attempts-exhausted', lastClose: { code: 1005 } });
    expect(peer.linesWhere((l) => l.ev === 'log' && /bot|online/i.test(String(l.text)) && !/Error/.test(String(l.text)))).toEqual([]);
  });
});
