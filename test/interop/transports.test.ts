/**
 * The listening transports against real frameworks: NoneBot2 with its forward-WebSocket driver
 * (ONEBOT_WS_URLS) and in HTTP mode (ONEBOT_API_ROOTS + our HTTP POST, ONEBOT_SECRET checked),
 * Koishi with `protocol: 'ws'` and `protocol: 'http'`. Each runs the exchange the reverse-WS suite
 * runs: connect, heartbeats, a private and a group message, the plugin's reply (an API call answered
 * on the transport it came by, its echo matched by the framework), and a wrong token or secret.
 *
 * Run: npm run test:interop   (or: npx jest -c jest.interop.config.ts test/interop/transports.test.ts)
 */
import { ErrorCode, createClient, createMessageEvent, createTextMessage, type ApiRequest, type OneBotClient, type OneBotError, type SentMessage, type Transport } from '../../src/index';
import { forwardWs, httpApi, httpPost } from '../../src/server';
import { assertPeersInstalled, freePort, startPeer, stopAllPeers, type Peer, type PeerLine, type PeerName } from './harness';

const SELF_ID = 10001000;
const USER_ID = 20002000;
const GROUP_ID = 123456;
const TOKEN = 'interop-secret-token';
const SECRET = 'interop-post-secret';
const WAIT = 8000;
const HEARTBEAT_MS = 300;

interface Run {
  client: OneBotClient;
  requests: ApiRequest[];
  sent: SentMessage[];
  errors: OneBotError[];
}
const clients: OneBotClient[] = [];

beforeAll(() => assertPeersInstalled(['nonebot', 'koishi', 'anchor']));
afterEach(async () => {
  await stopAllPeers();
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until<T>(probe: () => T | undefined | false, label: string, ms = WAIT): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await sleep(20);
  }
}
const ev =
  (name: string, extra: (l: PeerLine) => boolean = () => true) =>
  (l: PeerLine): boolean =>
    l.ev === name && extra(l);

/** A client on `transports`, listening before any peer starts. */
const run = async (transports: Transport[]): Promise<Run> => {
  const client = createClient({ selfId: SELF_ID, transports, heartbeatInterval: HEARTBEAT_MS, apiTimeout: 5000 });
  clients.push(client);
  const r: Run = { client, requests: [], sent: [], errors: [] };
  client.requests$.subscribe((q) => r.requests.push(q));
  client.sent$.subscribe((m) => r.sent.push(m));
  client.errors$.subscribe((e) => r.errors.push(e));
  client.connect();
  await until(() => client.state.status === 'open', 'the transports listening');
  return r;
};

interface Case {
  readonly peer: PeerName;
  readonly mode: string;
  readonly privateSend: string;
  readonly groupSend: string;
  /** The peer reports the heartbeats it parsed. */
  readonly reportsMeta: boolean;
  /** Starts our client and the peer, connected. */
  start(token: string): Promise<{ r: Run; peer: Peer }>;
}

const CASES: Case[] = [
  {
    peer: 'anchor',
    mode: 'forward WebSocket (it can only dial out)',
    privateSend: 'send_private_msg',
    groupSend: 'send_group_msg',
    reportsMeta: true,
    start: async (token) => {
      const ws = forwardWs({ accessToken: TOKEN });
      const r = await run([ws]);
      const peer = await startPeer('anchor', { token, env: { PEER_ONEBOT_URL: ws.address!.url } });
      return { r, peer };
    },
  },
  {
    peer: 'nonebot',
    mode: 'forward WebSocket (ONEBOT_WS_URLS)',
    privateSend: 'send_msg',
    groupSend: 'send_msg',
    reportsMeta: true,
    start: async (token) => {
      const ws = forwardWs({ accessToken: TOKEN });
      const r = await run([ws]);
      const peer = await startPeer('nonebot', { token, env: { PEER_MODE: 'forward', PEER_ONEBOT_URL: ws.address!.url } });
      return { r, peer };
    },
  },
  {
    peer: 'nonebot',
    mode: 'HTTP (ONEBOT_API_ROOTS + HTTP POST, ONEBOT_SECRET)',
    privateSend: 'send_msg',
    groupSend: 'send_msg',
    reportsMeta: true,
    start: async (token) => {
      const port = await freePort();
      const api = httpApi({ accessToken: TOKEN });
      const r = await run([api, httpPost({ urls: [`http://127.0.0.1:${port}/onebot/v11/http`], secret: SECRET, accessToken: TOKEN })]);
      const peer = await startPeer('nonebot', { port, token, env: { PEER_MODE: 'http', PEER_ONEBOT_URL: api.address!.url, PEER_ONEBOT_SECRET: SECRET } });
      return { r, peer };
    },
  },
  {
    peer: 'koishi',
    mode: "protocol: 'ws'",
    privateSend: 'send_private_msg',
    groupSend: 'send_group_msg',
    reportsMeta: false,
    start: async (token) => {
      const ws = forwardWs({ accessToken: TOKEN });
      const r = await run([ws]);
      const peer = await startPeer('koishi', { token, env: { PEER_PROTOCOL: 'ws', PEER_ENDPOINT: ws.address!.url } });
      return { r, peer };
    },
  },
  {
    peer: 'koishi',
    mode: "protocol: 'http'",
    privateSend: 'send_private_msg',
    groupSend: 'send_group_msg',
    reportsMeta: false,
    start: async (token) => {
      const port = await freePort();
      const api = httpApi({ accessToken: TOKEN });
      const r = await run([api, httpPost({ urls: [`http://127.0.0.1:${port}/onebot`], secret: SECRET })]);
      const peer = await startPeer('koishi', { port, token, env: { PEER_PROTOCOL: 'http', PEER_ENDPOINT: api.address!.url.replace(/\/$/, ''), PEER_SECRET: SECRET } });
      return { r, peer };
    },
  },
];

describe.each(CASES)('$peer over $mode', (pc) => {
  test('connect, heartbeats, private and group messages, the plugin reply answered on the same transport', async () => {
    const { r, peer } = await pc.start(TOKEN);
    const { client } = r;
    // The framework saw the bot and its connect-time calls were answered (get_login_info by the built-in).
    await until(() => r.requests.find((q) => q.action === 'get_login_info'), 'get_login_info on requests$');
    const online = await peer.waitForLine(ev('bot_connect'), WAIT);
    // Before the framework was up, our first POSTs were refused (HTTP mode): only what follows counts.
    const errorsFrom = r.errors.length;
    expect(String(online.self_id ?? (online.user as { id?: string } | undefined)?.id)).toBe(String(SELF_ID));
    if (pc.peer === 'nonebot') {
      const login = await peer.waitForLine(ev('api_result', (l) => l.action === 'get_login_info'), WAIT);
      expect(login.data).toEqual({ user_id: SELF_ID, nickname: 'onebot-rx' });
      await peer.waitForLine(ev('connect_done'), WAIT);
    }
    if (pc.reportsMeta) {
      await until(() => peer.linesWhere(ev('event', (l) => l.meta_event_type === 'heartbeat')).length >= 2, 'two heartbeats parsed');
      if (pc.mode.startsWith('forward')) expect(peer.linesWhere(ev('event', (l) => l.meta_event_type === 'lifecycle'))[0]).toMatchObject({ sub_type: 'connect' });
    }

    // A private message → the plugin replies through the API → our built-in handler answers it.
    let mark = peer.mark();
    await client.send(createTextMessage({ selfId: SELF_ID, messageType: 'private', userId: USER_ID, messageId: 101, text: 'hello private' }));
    expect(await peer.waitForLine(ev('message', (l) => l.type === 'private'), WAIT, { since: mark })).toMatchObject({ text: 'hello private' });
    const priv = await until(() => r.sent.find((m) => m.messageType === 'private'), 'the private reply on sent$');
    expect(priv).toMatchObject({ action: pc.privateSend, userId: USER_ID, rawMessage: 'echo: hello private' });
    // The framework matched our answer to its call (echo on WebSocket, the HTTP response on HTTP).
    const privResult = await peer.waitForLine(ev('send_result', (l) => l.type === 'private'), WAIT, { since: mark });
    expect(String(privResult.message_id)).toBe(String(priv.messageId));

    mark = peer.mark();
    await client.send(createMessageEvent({ selfId: SELF_ID, messageType: 'group', groupId: GROUP_ID, userId: USER_ID, messageId: 102, message: 'hello group', nickname: 'alice' }));
    expect(await peer.waitForLine(ev('message', (l) => l.type === 'group'), WAIT, { since: mark })).toMatchObject({ text: 'hello group' });
    const group = await until(() => r.sent.find((m) => m.messageType === 'group'), 'the group reply on sent$');
    expect(group).toMatchObject({ action: pc.groupSend, groupId: GROUP_ID, rawMessage: 'echo: hello group' });
    const groupResult = await peer.waitForLine(ev('send_result', (l) => l.type === 'group'), WAIT, { since: mark });
    expect(String(groupResult.message_id)).toBe(String(group.messageId));

    // Nothing went wrong on our side; the framework never lost the bot.
    // (The simulated world refusing the NoneBot probe's get_group_member_info for a group the bot is
    // not in is an answer, not a fault of the transport.)
    expect(r.errors.slice(errorsFrom).filter((e) => e.code !== ErrorCode.WorldRefused).map((e) => `${e.code}: ${e.message}`)).toEqual([]);
    expect(peer.linesWhere(ev('bot_disconnect'))).toEqual([]);
  });

  test('a wrong token is refused (and reported on our side); a wrong secret is refused by the framework (and reported)', async () => {
    const { r, peer } = await pc.start('not-the-token');
    const refused = await until(() => r.errors.find((e) => e.code === ErrorCode.Forbidden), 'a Forbidden refusal reported');
    expect(refused.data.status).toBe(403);
    expect(refused.message).not.toContain('not-the-token');
    if (pc.mode.includes('HTTP') || pc.mode.includes('http')) {
      // Our POSTs still reach the framework; with another secret it refuses them.
      await peer.stop();
      const port = peer.port;
      const wrong = await run([httpPost({ urls: [`http://127.0.0.1:${port}/${pc.peer === 'nonebot' ? 'onebot/v11/http' : 'onebot'}`], secret: 'another-secret' })]);
      const again = await startPeer(pc.peer, {
        port,
        token: TOKEN,
        env: pc.peer === 'nonebot' ? { PEER_MODE: 'http', PEER_ONEBOT_URL: 'http://127.0.0.1:9/', PEER_ONEBOT_SECRET: SECRET } : { PEER_PROTOCOL: 'http', PEER_ENDPOINT: 'http://127.0.0.1:9', PEER_SECRET: SECRET },
      });
      await wrong.client.sendText('signed wrong', 'private', { userId: USER_ID });
      const failed = await until(() => wrong.errors.find((e) => e.code === ErrorCode.PostFailed && e.data.status === 403), 'the 403 of a wrong signature');
      expect(failed.message).toMatch(/is its secret the same as ours/);
      expect(again.linesWhere(ev('message'))).toEqual([]);
    } else {
      expect(peer.linesWhere(ev('bot_connect'))).toEqual([]);
    }
  });
});
