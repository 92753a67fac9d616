/**
 * The simulated world (src/world) against the real frameworks, through the public client API:
 * `createClient` + `simulate` (which calls `attachWorld`). The proofs:
 *
 * - NoneBot2: a quoted `/echo` works (NoneBot resolves the quote with `get_msg`), and the bot's
 *   `delete_msg` produces a recall notice that NoneBot receives.
 * - NoneBot 1: an admin-only group command works for an admin and refuses a plain member (NoneBot 1
 *   asks `get_group_member_info` for the role).
 * - Koishi: a quote arrives (Koishi resolves it with `get_msg`).
 * - One conversation file per framework passes through `onebot-rx test`.
 *
 * Run: npm run test:interop   (or: npx jest -c jest.interop.config.ts test/interop/world-peers.test.ts)
 */
import { join } from 'node:path';
import { createClient, createMessageEvent, silentLogger, segment, type ApiRequest, type OneBotClient } from '../../src/index';
import { createWorld, simulate, type Simulation } from '../../src/world-entry';
import { runInProcess } from '../cli/helpers';
import { assertPeersInstalled, startPeer, stopAllPeers, type Peer, type PeerLine, type PeerName } from './harness';

const SELF_ID = 10001000;
const GROUP = 123456;
const ALICE = 20002000;
const BOB = 20003000;
const WAIT = 10_000;
const CONVERSATIONS = join(__dirname, 'conversations');

const WORLD = {
  bot: { user_id: SELF_ID, nickname: 'InteropBot' },
  friends: [{ user_id: ALICE, nickname: 'Alice' }],
  groups: [
    {
      group_id: GROUP,
      group_name: 'Interop',
      members: [
        { user_id: SELF_ID, role: 'admin' },
        { user_id: ALICE, nickname: 'Alice', role: 'member' },
        { user_id: BOB, nickname: 'Bob', role: 'admin' },
      ],
    },
  ],
};

const NONEBOT2_PLUGINS = 'nonebot.plugins.echo,nonebot_plugins.world_probe,nonebot_plugins.interop_probe';

let peer: Peer | undefined;
let client: OneBotClient | undefined;
let sim: Simulation | undefined;

const ev =
  (name: string, extra: (l: PeerLine) => boolean = () => true) =>
  (l: PeerLine): boolean =>
    l.ev === name && extra(l);

/** Connects a client with the world attached; resolves once the peer reports the bot. */
const connect = async (p: Peer, worldSpec: unknown = WORLD, connected = 'bot_connect'): Promise<{ sim: Simulation; requests: ApiRequest[] }> => {
  client = createClient({ url: p.url, selfId: SELF_ID, heartbeatInterval: 0, reconnectInterval: 200, logger: silentLogger });
  const requests: ApiRequest[] = [];
  client.requests$.subscribe((r) => requests.push(r));
  sim = simulate(client, createWorld(worldSpec), { replyTimeout: WAIT });
  const since = p.mark();
  client.connect();
  await p.waitForLine(ev(connected, (l) => String(l.self_id) === String(SELF_ID) && (l.status === undefined || l.status === 'online')), WAIT, { since });
  return { sim, requests };
};

const disconnect = async (): Promise<void> => {
  sim?.close();
  sim = undefined;
  await client?.disconnect();
  client = undefined;
};

const start = async (name: PeerName, env: Record<string, string> = {}): Promise<Peer> => {
  peer = await startPeer(name, { env, selfId: SELF_ID });
  return peer;
};

/** `onebot-rx test <file> --url <peer>` in this process; resolves with the exit code and output. */
const runFile = async (file: string, url: string) => {
  const run = runInProcess(['test', join(CONVERSATIONS, file), '--url', url]);
  const code = await run.exit;
  return { code, out: run.stdout.text() + run.stderr.text() };
};

beforeAll(() => assertPeersInstalled(['nonebot', 'nonebot1', 'koishi']));
afterEach(async () => {
  await disconnect();
});
afterAll(async () => {
  await stopAllPeers();
});

describe('NoneBot2 against the world', () => {
  beforeAll(async () => {
    await start('nonebot', { PEER_PLUGINS: NONEBOT2_PLUGINS });
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('answers its connect-time probe from the world (get_group_member_info has the role)', async () => {
    const p = peer!;
    const since = p.mark();
    await connect(p);
    const line = await p.waitForLine(ev('api_result', (l) => l.action === 'get_group_member_info'), WAIT, { since });
    expect(line.data).toMatchObject({ group_id: GROUP, user_id: ALICE, nickname: 'Alice', role: 'member' });
  });

  it('a quoted /echo works: NoneBot resolves the quote with get_msg and the command matches', async () => {
    const p = peer!;
    const { sim } = await connect(p);
    const alice = sim.member(GROUP, ALICE);
    const first = await alice.ask([segment.at(SELF_ID), segment.text(' /echo first')]);
    expect(first.text).toBe('first');
    const since = p.mark();
    const said = await alice.say('/echo hello', { quote: first });
    const reply = await alice.nextReply();
    expect(reply.text).toBe('hello');
    const seen = await p.waitForLine(ev('message', (l) => l.message_id === said.stored.message_id), WAIT, { since });
    expect(seen).toMatchObject({ to_me: true, text: '/echo hello', reply: { message_id: first.messageId, user_id: SELF_ID, text: 'first' } });
  });

  it('control: without the world the same quoted /echo is silently ignored (issue 12)', async () => {
    const p = peer!;
    client = createClient({ url: p.url, selfId: SELF_ID, heartbeatInterval: 0, reconnectInterval: 200, logger: silentLogger });
    const sent: unknown[] = [];
    client.sent$.subscribe((m) => sent.push(m));
    const since = p.mark();
    client.connect();
    await p.waitForLine(ev('connect_done'), WAIT, { since });
    const event = createMessageEvent({ selfId: SELF_ID, messageType: 'group', groupId: GROUP, userId: ALICE, messageId: 4242, message: [segment.reply(4241), segment.text('/echo hello')] });
    await client.send(event);
    const seen = await p.waitForLine(ev('message', (l) => l.message_id === 4242), WAIT, { since });
    // get_msg answered 1404: no quote, the reply segment stays in front, so /echo never matches.
    expect(seen).toMatchObject({ to_me: false, reply: null });
    await new Promise((r) => setTimeout(r, 1000));
    expect(sent).toEqual([]);
  });

  it("the bot's delete_msg produces a recall notice that NoneBot receives", async () => {
    const p = peer!;
    const { sim, requests } = await connect(p);
    const alice = sim.member(GROUP, ALICE);
    const since = p.mark();
    const oops = await alice.ask('/oops');
    expect(oops.text).toBe('oops');
    const deleted = await p.waitForLine(ev('deleted'), WAIT, { since });
    expect(deleted.message_id).toBe(oops.messageId);
    const notice = await p.waitForLine(ev('notice', (l) => l.notice_type === 'group_recall'), WAIT, { since });
    expect(notice).toMatchObject({ cls: 'GroupRecallNoticeEvent', message_id: oops.messageId, user_id: SELF_ID, operator_id: SELF_ID, group_id: GROUP });
    expect((await alice.nextReply()).text).toBe(`recalled ${oops.messageId}`);
    expect(requests.map((r) => r.action)).toContain('delete_msg');
    expect(sim.world.store.getMessage(oops.messageId)).toBeUndefined();
  });

  it('its conversation file passes through onebot-rx test', async () => {
    const p = peer!;
    const { code, out } = await runFile('nonebot2.yaml', p.url);
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toContain('PASS NoneBot2 - quoted /echo and a recall: 4 passed, 0 failed, 0 skipped');
  });
});

describe('NoneBot 1 against the world', () => {
  beforeAll(async () => {
    await start('nonebot1');
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('an admin-only group command works for an admin and refuses a plain member', async () => {
    const p = peer!;
    // NoneBot 1's GROUP_ADMIN means role "admin" (not owner); the bot itself need not be one.
    const { sim, requests } = await connect(p, { ...WORLD, groups: [{ ...WORLD.groups[0], members: [{ user_id: SELF_ID }, { user_id: ALICE, nickname: 'Alice', role: 'admin' }, { user_id: BOB, nickname: 'Bob' }] }] });
    const alice = sim.member(GROUP, ALICE);
    const bob = sim.member(GROUP, BOB);
    expect((await alice.ask('/admin_only')).text).toBe('admin ok');
    await bob.say('/admin_only');
    await bob.expectNoReply({ within: 1500 });
    // The refusal came from the world's answer, not from a failed call.
    const infoCalls = requests.filter((r) => r.action === 'get_group_member_info');
    expect(infoCalls.map((r) => Number((r.params as { user_id: unknown }).user_id))).toEqual([ALICE, BOB]);
    expect(p.linesWhere(ev('command', (l) => l.name === 'admin_only')).map((l) => l.user_id)).toEqual([ALICE]);
    // And the bot still answers Bob otherwise.
    expect((await bob.ask('/ping')).text).toBe('pong');
  });

  it('its conversation file passes through onebot-rx test', async () => {
    const p = peer!;
    const { code, out } = await runFile('nonebot1.yaml', p.url);
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toContain('PASS NoneBot 1 - an admin-only command: 3 passed, 0 failed, 0 skipped');
  });
});

describe('Koishi against the world', () => {
  beforeAll(async () => {
    await start('koishi');
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('a quote arrives: Koishi resolves it with get_msg', async () => {
    const p = peer!;
    const { sim } = await connect(p);
    const alice = sim.member(GROUP, ALICE);
    const first = await alice.ask('hello');
    expect(first.text).toBe('echo: hello');
    const since = p.mark();
    const said = await alice.say('again', { quote: first });
    expect((await alice.nextReply()).text).toBe('echo: again');
    const seen = await p.waitForLine(ev('message', (l) => String(l.message_id) === String(said.stored.message_id)), WAIT, { since });
    expect(seen.quote).toMatchObject({ id: String(first.messageId), content: 'echo: hello', user_id: String(SELF_ID) });
    expect(seen.text).toBe('again');
  });

  it('its conversation file passes through onebot-rx test', async () => {
    const p = peer!;
    const { code, out } = await runFile('koishi.yaml', p.url);
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toContain("PASS Koishi - echo, and a quote of the bot's reply: 3 passed, 0 failed, 0 skipped");
  });
});
