/**
 * Interop skeleton: each real OneBot v11 application server (NoneBot2, aiocqhttp,
 * Koishi) driven end to end by a raw `ws` client speaking plain OneBot JSON
 * (test/interop/raw-client.ts). This proves the peers, the harness and the
 * exchange the onebot-rx client must reproduce; test/interop/NOTES.md records
 * what was learnt.
 *
 * Run: npm run test:interop   (or: npx jest -c jest.interop.config.ts)
 */
import { assertPeersInstalled, stopAllPeers, startPeer, withTimeout, type Peer, type PeerLine, type PeerName } from './harness';
import {
  HandshakeRejected,
  RawOneBotClient,
  groupMessage,
  heartbeat,
  jsonType,
  privateMessage,
  textMessage,
  type ApiRequestFrame,
} from './raw-client';

const SELF_ID = 10001000;
const USER_ID = 20002000;
const GROUP_ID = 123456;
const TOKEN = 'interop-secret-token';
const WAIT = 10_000;

interface PeerCase {
  name: RawPeerName;
  /** Token the peer is started with (undefined: none; Koishi cannot check one in ws-reverse). */
  token: string | undefined;
  /** JSON type of the `echo` the peer puts in its API requests. */
  echoType: 'string' | 'number' | 'object';
  /** API calls the peer makes on connect, before we send any message. */
  connectCalls: string[];
  /** Action the peer uses to reply to a private / a group message. */
  privateSend: string;
  groupSend: string;
  /** Whether the peer's plugin reports the results of its connect calls (api_result lines). */
  reportsApiResults: boolean;
  /** Whether the peer reports meta events (heartbeat) it received. */
  reportsMeta: boolean;
  /** HTTP status of the upgrade without / with a wrong token (token-checking peers). */
  noTokenStatus?: number;
  badTokenStatus?: number;
}

const CASES: PeerCase[] = [
  {
    name: 'nonebot',
    token: TOKEN,
    echoType: 'string',
    connectCalls: ['get_login_info', 'get_group_member_info'],
    privateSend: 'send_msg',
    groupSend: 'send_msg',
    reportsApiResults: true,
    reportsMeta: true,
    noTokenStatus: 403,
    badTokenStatus: 403,
  },
  {
    name: 'aiocqhttp',
    token: TOKEN,
    echoType: 'object',
    connectCalls: ['get_login_info', 'get_group_member_info'],
    privateSend: 'send_msg',
    groupSend: 'send_msg',
    reportsApiResults: true,
    reportsMeta: true,
    noTokenStatus: 401,
    badTokenStatus: 403,
  },
  {
    name: 'koishi',
    token: undefined,
    echoType: 'number',
    connectCalls: ['get_login_info', 'get_guild_service_profile'],
    privateSend: 'send_private_msg',
    groupSend: 'send_group_msg',
    reportsApiResults: false,
    reportsMeta: false,
  },
];

/** Close code our socket gets when the peer is stopped with SIGTERM. */
const RESTART_CLOSE_CODE: Record<RawPeerName, number> = { nonebot: 1012, aiocqhttp: 1011, koishi: 1005 };

/** The peers this suite covers (the others have their own suites). */
type RawPeerName = 'nonebot' | 'aiocqhttp' | 'koishi';

const ev =
  (name: string, extra: (l: PeerLine) => boolean = () => true) =>
  (l: PeerLine): boolean =>
    l.ev === name && extra(l);

/** Text of a `message` param, whatever the form (string, segment, segments). */
function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  const segments = Array.isArray(message) ? message : [message];
  return segments
    .map((s: { type?: string; data?: { text?: string } }) => (s && s.type === 'text' ? (s.data?.text ?? '') : ''))
    .join('');
}

beforeAll(() => {
  assertPeersInstalled();
});

afterAll(async () => {
  await stopAllPeers();
});

describe.each(CASES)('$name peer, raw ws client', (pc) => {
  let peer: Peer;
  const clients: RawOneBotClient[] = [];
  const dial = async (opts: Partial<Parameters<typeof RawOneBotClient.connect>[0]> = {}): Promise<RawOneBotClient> => {
    const client = await RawOneBotClient.connect({ url: peer.url, selfId: SELF_ID, token: pc.token, ...opts });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    peer = await startPeer(pc.name, { token: pc.token, selfId: SELF_ID });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close(1000, 'test end', 2000)));
  });

  afterAll(async () => {
    await peer?.stop();
  });

  test('full exchange: connect → lifecycle → API calls → heartbeat → private + group + CQ-string messages → replies → disconnect', async () => {
    const since = peer.mark();
    const client = await dial();

    // Bot connected; the peer makes its own API calls first.
    await peer.waitForLine(ev('bot_connect'), WAIT, { since });
    for (const action of pc.connectCalls) {
      await client.waitForRequest((r) => r.action === action, WAIT);
    }
    if (pc.reportsApiResults) {
      const login = await peer.waitForLine(ev('api_result', (l) => l.action === 'get_login_info'), WAIT, { since });
      expect(login.data).toEqual({ user_id: SELF_ID, nickname: 'onebot-rx raw' });
      const member = await peer.waitForLine(ev('api_result', (l) => l.action === 'get_group_member_info'), WAIT, { since });
      expect(member.data).toMatchObject({ group_id: GROUP_ID, user_id: USER_ID, role: 'member' });
    } else {
      // Koishi: online only after get_login_info and get_guild_service_profile settle (1404 is fine).
      await peer.waitForLine(ev('bot_status', (l) => l.status === 'online'), WAIT, { since });
    }

    // Heartbeat accepted (reported as a meta event where the peer can report it).
    client.sendEvent(heartbeat(SELF_ID, 5000));
    if (pc.reportsMeta) {
      await peer.waitForLine(ev('event', (l) => l.meta_event_type === 'heartbeat'), WAIT, { since });
    }

    // Private message → reply → our answer's message_id reaches the awaiting code.
    let mark = client.mark();
    let lineMark = peer.mark();
    client.sendEvent(privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 101, ...textMessage('hello private') }));
    const privMsg = await peer.waitForLine(ev('message', (l) => l.type === 'private'), WAIT, { since: lineMark });
    expect(privMsg.text).toBe('hello private');
    const privSend = await client.waitForRequest((r) => r.action === pc.privateSend, WAIT, mark);
    expect(messageText(privSend.params.message)).toBe('echo: hello private');
    expect(String(privSend.params.user_id)).toBe(String(USER_ID));
    const privResult = await peer.waitForLine(ev('send_result', (l) => l.type === 'private'), WAIT, { since: lineMark });
    const privAnswer = client.responseTo(privSend);
    expect(privAnswer.data).toEqual({ message_id: expect.any(Number) });
    expect(String(privResult.message_id)).toBe(String((privAnswer.data as { message_id: number }).message_id));

    if (pc.name === 'aiocqhttp') {
      // The handler's dict return value → hidden quick-operation call with the trimmed event.
      const quick = await client.waitForRequest((r) => r.action === '.handle_quick_operation_async', WAIT, mark);
      expect(quick.params.operation).toEqual({ reply: 'quick: hello private', auto_escape: true });
      expect(quick.params.context).toMatchObject({ message_id: 101, user_id: USER_ID, message_type: 'private' });
      expect(quick.params.context).not.toHaveProperty('message');
      expect(quick.params.self_id).toBe(SELF_ID);
      expect(client.responseTo(quick)).toMatchObject({ status: 'async', retcode: 1 });
    }

    // Group message.
    mark = client.mark();
    lineMark = peer.mark();
    client.sendEvent(
      groupMessage({ selfId: SELF_ID, userId: USER_ID, groupId: GROUP_ID, messageId: 102, ...textMessage('hello group') }),
    );
    const groupMsg = await peer.waitForLine(ev('message', (l) => l.type === 'group'), WAIT, { since: lineMark });
    expect(groupMsg.text).toBe('hello group');
    expect(String(groupMsg.group_id)).toBe(String(GROUP_ID));
    const groupSend = await client.waitForRequest((r) => r.action === pc.groupSend, WAIT, mark);
    expect(messageText(groupSend.params.message)).toBe('echo: hello group');
    expect(String(groupSend.params.group_id)).toBe(String(GROUP_ID));
    const groupResult = await peer.waitForLine(ev('send_result', (l) => l.type === 'group'), WAIT, { since: lineMark });
    const groupAnswer = client.responseTo(groupSend);
    expect(String(groupResult.message_id)).toBe(String((groupAnswer.data as { message_id: number }).message_id));

    // Message format `string` (CQ code) is accepted too.
    mark = client.mark();
    lineMark = peer.mark();
    client.sendEvent(
      privateMessage({
        selfId: SELF_ID,
        userId: USER_ID,
        messageId: 103,
        message: 'cq string &#91;ok&#93;[CQ:face,id=178]',
        rawMessage: 'cq string &#91;ok&#93;[CQ:face,id=178]',
      }),
    );
    const cqMsg = await peer.waitForLine(ev('message', (l) => l.message_id == 103 || l.message_id === '103'), WAIT, {
      since: lineMark,
    });
    expect(String(cqMsg.text).trim()).toBe('cq string [ok]');
    await client.waitForRequest((r) => r.action === pc.privateSend, WAIT, mark);
    await peer.waitForLine(ev('send_result', (l) => l.type === 'private'), WAIT, { since: lineMark });

    // Every API request carried an echo of the peer's characteristic JSON type, and we copied it back.
    expect(client.requests.length).toBeGreaterThan(0);
    for (const request of client.requests) {
      expect({ action: request.action, hasEcho: request.hasEcho, echoType: jsonType(request.echo) }).toEqual({
        action: request.action,
        hasEcho: true,
        echoType: pc.echoType,
      });
      expect(client.responseTo(request).echo).toEqual(request.echo);
    }
    expect(client.otherFrames).toEqual([]);

    // Disconnect is seen by the peer.
    lineMark = peer.mark();
    await client.close(1000, 'bye');
    await peer.waitForLine(ev('bot_disconnect'), WAIT, { since: lineMark });
  });

  if (pc.noTokenStatus !== undefined) {
    test(`access token: missing → HTTP ${pc.noTokenStatus}, wrong → HTTP ${pc.badTokenStatus} on upgrade; 'Token' scheme accepted`, async () => {
      const reject = async (token: string | undefined): Promise<HandshakeRejected> => {
        try {
          const c = await dial({ token });
          await c.close();
        } catch (error) {
          if (error instanceof HandshakeRejected) return error;
          throw error;
        }
        throw new Error(`upgrade with token ${String(token)} was accepted`);
      };
      expect((await reject(undefined)).statusCode).toBe(pc.noTokenStatus);
      expect((await reject('wrong-token')).statusCode).toBe(pc.badTokenStatus);
      const since = peer.mark();
      const c = await dial({ authScheme: 'Token' });
      // Wait for the connect hook's calls: closing mid-call leaves them pending until the peer's
      // API timeout (neither NoneBot nor aiocqhttp fails them on close).
      await peer.waitForLine(ev('connect_done'), WAIT, { since });
      await c.close();
      await peer.waitForLine(ev('bot_disconnect'), WAIT, { since });
    });
  } else {
    test('no token check; role must be exactly "Universal" and X-Self-ID a configured bot (else open, then close 1008)', async () => {
      const since = peer.mark();
      const any = await dial({ token: 'whatever-token' });
      await peer.waitForLine(ev('bot_status', (l) => l.status === 'online'), WAIT, { since });
      await any.close();
      await peer.waitForLine(ev('bot_disconnect'), WAIT, { since });

      const badRole = await dial({ role: 'universal' });
      expect(await badRole.closed).toEqual({ code: 1008, reason: 'invalid x-client-role' });
      const badSelf = await dial({ selfId: 424242 });
      expect(await badSelf.closed).toEqual({ code: 1008, reason: 'invalid x-self-id' });
    });
  }

  test('restart(): the peer comes back on the same port and the bot reconnects', async () => {
    let since = peer.mark();
    const first = await dial();
    // Let the connect-time calls settle first: a peer stopped mid-call waits for them
    // (NoneBot's shutdown waits for running hooks), which only slows the restart down.
    await peer.waitForLine(pc.name === 'koishi' ? ev('bot_status', (l) => l.status === 'online') : ev('connect_done'), WAIT, { since });
    const port = peer.port;
    await peer.restart();
    expect(peer.port).toBe(port);
    const closed = await withTimeout(first.closed, WAIT, 'the old socket was not closed by the restart');
    expect(typeof closed.code).toBe('number');

    since = peer.mark();
    const second = await dial();
    await peer.waitForLine(ev('bot_connect'), WAIT, { since });
    const mark = second.mark();
    second.sendEvent(privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 201, ...textMessage('after restart') }));
    await second.waitForRequest((r: ApiRequestFrame) => r.action === pc.privateSend, WAIT, mark);
    await peer.waitForLine(ev('send_result'), WAIT, { since });
    // How a peer's graceful restart looks from our side (see NOTES.md).
    expect(closed.code).toBe(RESTART_CLOSE_CODE[pc.name]);
  });
});
