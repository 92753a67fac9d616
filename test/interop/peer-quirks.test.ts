/**
 * Executable record of what each real peer tolerates and what it does not,
 * probed with the raw client. Every assertion here is a fact about the peer
 * (pinned versions in scripts/interop-setup.sh) that onebot-rx's defaults must
 * respect; test/interop/NOTES.md explains each one.
 */
import { stopAllPeers, startPeer, withTimeout, type Peer, type PeerLine } from './harness';
import {
  HandshakeRejected,
  RawOneBotClient,
  privateMessage,
  textMessage,
  type ApiResponseFrame,
  type RawClientOptions,
} from './raw-client';

const SELF_ID = 10001000;
const USER_ID = 20002000;
const TOKEN = 'interop-secret-token';
const WAIT = 8000;
/** Peers' own API timeout in this file (s): short, so "never answered" is quick to observe. */
const PEER_API_TIMEOUT_S = 2;

const ev =
  (name: string, extra: (l: PeerLine) => boolean = () => true) =>
  (l: PeerLine): boolean =>
    l.ev === name && extra(l);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the HTTP status if the upgrade is refused, or 'open' (then closes). */
async function upgradeOutcome(opts: RawClientOptions): Promise<number | 'open'> {
  try {
    const client = await RawOneBotClient.connect({ ...opts, sendConnect: false, timeoutMs: 5000 });
    client.terminate();
    return 'open';
  } catch (error) {
    if (error instanceof HandshakeRejected) return error.statusCode;
    throw error;
  }
}

/** Waits until the socket is closed by the peer, or reports 'still open' after ms. */
async function closedWithin(client: RawOneBotClient, ms: number): Promise<{ code: number; reason: string } | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<'still open'>((r) => {
    timer = setTimeout(() => r('still open'), ms);
  });
  try {
    return await Promise.race([client.closed, open]);
  } finally {
    clearTimeout(timer);
  }
}

function noField(event: Record<string, unknown>, field: string): Record<string, never> {
  const copy = { ...event };
  delete copy[field];
  return copy as Record<string, never>;
}

afterAll(async () => {
  await stopAllPeers();
});

function usePeer(name: 'nonebot' | 'aiocqhttp' | 'koishi', token: string | undefined) {
  const ctx: { peer: Peer; clients: RawOneBotClient[]; dial: (o?: Partial<RawClientOptions>) => Promise<RawOneBotClient> } = {
    peer: undefined as unknown as Peer,
    clients: [],
    dial: async (o = {}) => {
      const client = await RawOneBotClient.connect({ url: ctx.peer.url, selfId: SELF_ID, token, ...o });
      ctx.clients.push(client);
      return client;
    },
  };
  beforeAll(async () => {
    ctx.peer = await startPeer(name, { token, selfId: SELF_ID, apiTimeoutS: PEER_API_TIMEOUT_S });
  });
  afterEach(async () => {
    await Promise.all(ctx.clients.splice(0).map((c) => c.close(1000, 'test end', 2000)));
    // Let the peer register the disconnect before the next test dials the same X-Self-ID.
    await sleep(150);
  });
  afterAll(async () => {
    await ctx.peer?.stop();
  });
  return ctx;
}

/**
 * Dials and waits until the peer is done with its connect-time calls, so that no
 * call of this connection is still pending when the test moves on (aiocqhttp and
 * NoneBot let a pending call time out rather than fail it on close).
 */
async function dialReady(ctx: ReturnType<typeof usePeer>, o: Partial<RawClientOptions> = {}): Promise<RawOneBotClient> {
  const since = ctx.peer.mark();
  const client = await ctx.dial(o);
  if (ctx.peer.name === 'koishi') {
    // Status events only fire on a change, so a second socket shows none: watch its calls instead.
    await client.waitForRequest((r) => r.action === 'get_guild_service_profile', WAIT);
    await client.waitForRequest((r) => r.action === 'get_login_info', WAIT);
    await sleep(100);
  } else {
    await ctx.peer.waitForLine(ev('connect_done'), WAIT, { since });
  }
  return client;
}

describe('NoneBot2 quirks', () => {
  const ctx = usePeer('nonebot', TOKEN);

  test('a second socket with the same X-Self-ID is refused (HTTP 403, "Duplicate X-Self-ID"); the first stays up', async () => {
    const first = await dialReady(ctx);
    expect(await upgradeOutcome({ url: ctx.peer.url, selfId: SELF_ID, token: TOKEN })).toBe(403);
    expect(first.isOpen).toBe(true);
  });

  test('token only from the Authorization header (query ?access_token= → 403); role header ignored; unknown path → 403', async () => {
    expect(await upgradeOutcome({ url: `${ctx.peer.url}?access_token=${TOKEN}`, selfId: SELF_ID })).toBe(403);
    expect(await upgradeOutcome({ url: ctx.peer.url, selfId: SELF_ID, token: TOKEN, role: 'Event' })).toBe('open');
    await sleep(200);
    expect(await upgradeOutcome({ url: ctx.peer.url.replace('/onebot/v11/ws', '/nope'), selfId: SELF_ID, token: TOKEN })).toBe(403);
  });

  test('a message event without font, sub_type or sender falls back to the base Event: no reply', async () => {
    const client = await dialReady(ctx);
    const since = ctx.peer.mark();
    const full = privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 11, ...textMessage('x') });
    for (const field of ['font', 'sub_type', 'sender']) client.sendEvent(noField(full, field));
    const fallbacks = await withTimeout(
      (async () => {
        for (let i = 0; i < 100 && ctx.peer.linesWhere(ev('event', (l) => l.cls === 'Event'), { since }).length < 3; i++) await sleep(50);
        return ctx.peer.linesWhere(ev('event', (l) => l.cls === 'Event'), { since });
      })(),
      WAIT,
      'fallback events',
    );
    expect(fallbacks).toHaveLength(3);
    expect(ctx.peer.linesWhere(ev('message'), { since })).toEqual([]);
    // Numeric strings for user_id/self_id are coerced fine.
    client.sendEvent({ ...full, message_id: 12, user_id: String(USER_ID), self_id: String(SELF_ID) });
    await ctx.peer.waitForLine(ev('send_result'), WAIT, { since });
  });

  test('one malformed frame ends the connection (close 1000, bot disconnected)', async () => {
    const client = await dialReady(ctx);
    const since = ctx.peer.mark();
    client.sendRaw('{not json');
    expect(await closedWithin(client, WAIT)).toEqual({ code: 1000, reason: '' });
    await ctx.peer.waitForLine(ev('bot_disconnect'), WAIT, { since });
  });

  test('echo must come back as the same decimal string: a numeric echo is never matched (call times out)', async () => {
    const since = ctx.peer.mark();
    await ctx.dial({
      transformResponse: (r: ApiResponseFrame) => ({ ...r, echo: Number(r.echo) }),
    });
    const error = await ctx.peer.waitForLine(ev('api_error', (l) => l.action === 'get_login_info'), WAIT + PEER_API_TIMEOUT_S * 1000, {
      since,
    });
    expect(error.error).toBe('NetworkError');
  });

  test('a response without `status` is accepted (only status === "failed" is an error)', async () => {
    const since = ctx.peer.mark();
    await ctx.dial({ transformResponse: ({ status: _status, ...rest }) => rest });
    const login = await ctx.peer.waitForLine(ev('api_result', (l) => l.action === 'get_login_info'), WAIT, { since });
    expect(login.data).toEqual({ user_id: SELF_ID, nickname: 'onebot-rx raw' });
  });
});

describe('aiocqhttp quirks', () => {
  const ctx = usePeer('aiocqhttp', TOKEN);

  test('upgrade statuses: no X-Client-Role → 500, unknown path → 404, query ?access_token= → 401', async () => {
    expect(await upgradeOutcome({ url: ctx.peer.url, selfId: SELF_ID, token: TOKEN, headers: { 'X-Client-Role': '' } })).toBe(500);
    expect(await upgradeOutcome({ url: ctx.peer.url.replace('/ws/', '/nope'), selfId: SELF_ID, token: TOKEN })).toBe(404);
    expect(await upgradeOutcome({ url: `${ctx.peer.url}?access_token=${TOKEN}`, selfId: SELF_ID })).toBe(401);
  });

  test('lifecycle connect is what fires its connect hook: without it, no bot_connect', async () => {
    const since = ctx.peer.mark();
    const client = await ctx.dial({ sendConnect: false });
    await ctx.peer.waitForLine(ev('ws_request'), WAIT, { since });
    await sleep(500);
    expect(ctx.peer.linesWhere(ev('bot_connect'), { since })).toEqual([]);
    expect(client.requests).toEqual([]);
  });

  test('malformed frames are ignored; no field checks (font/sub_type/sender may be missing)', async () => {
    const client = await dialReady(ctx);
    const since = ctx.peer.mark();
    client.sendRaw('{not json');
    const full = privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 21, ...textMessage('lax') });
    client.sendEvent(noField(noField(noField(full, 'font'), 'sub_type'), 'sender'));
    await ctx.peer.waitForLine(ev('send_result'), WAIT, { since });
    expect(client.isOpen).toBe(true);
  });

  test('a response without `status` breaks the call (KeyError inside aiocqhttp: neither result nor error)', async () => {
    const client = await ctx.dial({ transformResponse: ({ status: _status, ...rest }) => rest });
    const since = ctx.peer.mark();
    await client.waitForRequest((r) => r.action === 'get_login_info', WAIT);
    await sleep(PEER_API_TIMEOUT_S * 1000 + 500);
    expect(ctx.peer.linesWhere((l) => l.ev === 'api_result' || l.ev === 'api_error', { since })).toEqual([]);
    expect(ctx.peer.logTail()).toContain("KeyError: 'status'");
  });

  test('a second socket with the same X-Self-ID is accepted; when the newer one closes, the older loses its API route', async () => {
    const first = await dialReady(ctx);
    const second = await dialReady(ctx);
    await second.close();
    const since = ctx.peer.mark();
    first.sendEvent(privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 22, ...textMessage('orphan') }));
    const failure = await ctx.peer.waitForLine(ev('send_error'), WAIT, { since });
    expect(failure.error).toBe('ApiNotAvailable');
    expect(first.isOpen).toBe(true);
  });
});

describe('Koishi quirks', () => {
  const ctx = usePeer('koishi', undefined);

  test('unknown path: the upgrade is accepted, then closed without a status (1005)', async () => {
    const client = await RawOneBotClient.connect({ url: ctx.peer.url.replace('/onebot', '/nope'), selfId: SELF_ID, timeoutMs: 5000 });
    ctx.clients.push(client);
    expect(await closedWithin(client, WAIT)).toEqual({ code: 1005, reason: '' });
  });

  test('echo numbers are even (its counter steps twice); a string echo with the same digits still matches', async () => {
    const since = ctx.peer.mark();
    const client = await ctx.dial({ transformResponse: (r: ApiResponseFrame) => ({ ...r, echo: String(r.echo) }) });
    await ctx.peer.waitForLine(ev('bot_status', (l) => l.status === 'online'), WAIT, { since });
    expect(client.requests.every((r) => typeof r.echo === 'number' && r.echo % 2 === 0)).toBe(true);
  });

  test('only retcode matters: a response without `status` is accepted; get_guild_service_profile may fail', async () => {
    const since = ctx.peer.mark();
    const client = await ctx.dial({ transformResponse: ({ status: _status, ...rest }) => rest });
    await ctx.peer.waitForLine(ev('bot_status', (l) => l.status === 'online'), WAIT, { since });
    expect(client.responses.find((r) => r.echo === client.requests.find((q) => q.action === 'get_guild_service_profile')?.echo)).toMatchObject({
      retcode: 1404,
    });
  });

  test('a message event without `sender` throws inside the adapter (unhandled rejection): the message is lost', async () => {
    const client = await dialReady(ctx);
    const since = ctx.peer.mark();
    const full = privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 31, ...textMessage('who') });
    client.sendRaw('{not json'); // ignored (logged)
    client.sendEvent(noField(full, 'sender'));
    const rejection = await ctx.peer.waitForLine(ev('unhandled_rejection'), WAIT, { since });
    expect(String(rejection.error)).toContain("reading 'user_id'");
    // font / sub_type are not needed; the socket is still fine.
    client.sendEvent(noField(noField({ ...full, message_id: 32 }, 'font'), 'sub_type'));
    await ctx.peer.waitForLine(ev('send_result'), WAIT, { since });
    expect(ctx.peer.linesWhere(ev('message'), { since })).toHaveLength(1);
  });

  test('a message whose user_id is the bot itself is dropped silently (no middleware call, nothing logged)', async () => {
    const client = await dialReady(ctx);
    const since = ctx.peer.mark();
    client.sendEvent(privateMessage({ selfId: SELF_ID, userId: SELF_ID, messageId: 34, ...textMessage('from myself') }));
    await sleep(1000);
    expect(ctx.peer.linesWhere(ev('message'), { since })).toEqual([]);
    client.sendEvent(privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 35, ...textMessage('from a user') }));
    await ctx.peer.waitForLine(ev('send_result'), WAIT, { since });
  });

  test('a second socket for the same selfId replaces the first; closing either takes the bot offline', async () => {
    const first = await dialReady(ctx);
    const second = await dialReady(ctx);
    expect(first.isOpen).toBe(true);
    const since = ctx.peer.mark();
    await second.close();
    await ctx.peer.waitForLine(ev('bot_status', (l) => l.status === 'offline'), WAIT, { since });
    first.sendEvent(privateMessage({ selfId: SELF_ID, userId: USER_ID, messageId: 33, ...textMessage('orphan') }));
    const failure = await ctx.peer.waitForLine(ev('send_error'), WAIT, { since });
    expect(failure.error).toBe('empty');
  });
});
