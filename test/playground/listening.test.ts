/**
 * The playground's listening transports (src/playground/listening.ts through startPlayServer): the
 * page stand-in is a real onebot-rx client from the root entry dialing the relay as the page does
 * (the page key as `?access_token=`); the applications are plain sockets and HTTP requests.
 *
 * Forward WS calls answered with the caller's own echo; `/event` gets its connect event, then the
 * page's events; HTTP API calls with their status; HTTP POST signed, a quick operation turned into
 * a call to the page; no page → a failed answer; the page going with calls pending → failed
 * answers; the bounds (calls in count, bytes and time; events waiting to be POSTed; an application
 * socket that does not read); reverse WS beside a listening transport.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { createClient, silentLogger, type ApiRequest, type OneBotClient } from '../../src/index';
import { PAGE_UNAVAILABLE, type PlayListenOptions } from '../../src/playground/listening';
import { startPlayServer, type PlayActivity, type PlayServer, type PlayServerOptions } from '../../src/playground/server';
import { createReferenceServer, type ReferenceServer } from '../../src/server';

const SELF = 10001;
const KEY = 'k'.repeat(24);
const TOKEN = 'listen-token';
const SECRET = 'post-secret';
const LOCAL = { host: '127.0.0.1', port: 0 };

const plays: PlayServer[] = [];
const pages: OneBotClient[] = [];
const sockets: WebSocket[] = [];
const targets: Server[] = [];
const references: ReferenceServer[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await Promise.all(pages.splice(0).map((c) => c.disconnect()));
  await Promise.all(plays.splice(0).map((p) => p.close()));
  for (const t of targets.splice(0)) {
    t.closeAllConnections();
    t.close();
  }
  await Promise.all(references.splice(0).map((r) => r.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async <T>(probe: () => T | undefined | false, what: string, ms = 4000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

type Json = Record<string, unknown>;

/** A play server with only the given listening transports (and `extra`), its activity recorded. */
const play = async (listen: PlayListenOptions, extra: Partial<PlayServerOptions> = {}) => {
  const activity: PlayActivity[] = [];
  const server = await startPlayServer({ listen, selfId: SELF, assets: { html: '', script: '' }, config: {}, key: KEY, onActivity: (a) => activity.push(a), ...extra });
  plays.push(server);
  const urlOf = (transport: 'forward WS' | 'HTTP API'): string => {
    const a = activity.find((x): x is Extract<PlayActivity, { kind: 'listening' }> => x.kind === 'listening' && x.transport === transport);
    if (a === undefined) throw new Error(`${transport} is not listening`);
    return a.url;
  };
  return { server, activity, urlOf };
};

/** The page stand-in: the root entry's client dialing the relay with the page key, as the page does. */
const openPage = async (server: PlayServer, setup: (c: OneBotClient) => void = () => undefined) => {
  const base = server.pageUrl.split('/#')[0]!.replace(/^http/, 'ws');
  const client = createClient({ url: `${base}/bot`, selfId: SELF, accessToken: KEY, tokenInQuery: true, heartbeatInterval: 0, reconnectInterval: 100, maxReconnectAttempts: 1, logger: silentLogger });
  pages.push(client);
  const requests: ApiRequest[] = [];
  client.requests$.subscribe((r) => requests.push(r));
  setup(client);
  client.connect();
  await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
  return { client, requests };
};

/** An application socket on the forward WS transport, every frame it gets parsed. */
const dial = (url: string, token: string | null = TOKEN) =>
  new Promise<{ ws: WebSocket; frames: Json[]; call: (frame: Json) => Promise<Json> }>((resolve, reject) => {
    const ws = new WebSocket(url, token === null ? {} : { headers: { Authorization: `Bearer ${token}` } });
    sockets.push(ws);
    const frames: Json[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Json));
    /** Sends a call; resolves with the next frame that is an answer (has a retcode). */
    const call = async (frame: Json): Promise<Json> => {
      const seen = frames.length;
      ws.send(JSON.stringify(frame));
      return until(() => frames.slice(seen).find((f) => 'retcode' in f), `an answer to ${JSON.stringify(frame)}`);
    };
    ws.once('open', () => resolve({ ws, frames, call }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
    ws.once('error', reject);
  });

/** An HTTP API call as NoneBot2's HTTP mode makes it. */
const api = async (base: string, action: string, params: Json = {}, token: string | null = TOKEN): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${base}${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

/** An application's HTTP POST endpoint: every POST recorded; `answer` picks the response body. */
const postTarget = async (answer: (event: Json) => string | 'hold' = () => '') => {
  const got: { headers: IncomingHttpHeaders; body: string; event: Json }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const event = JSON.parse(body) as Json;
      got.push({ headers: req.headers, body, event });
      const a = answer(event);
      if (a === 'hold') return;
      if (a === '') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(a);
    });
  });
  targets.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/onebot/v11/http`, got };
};

describe('the playground over forward WebSocket', () => {
  it('/api and /: calls reach the page with a relay echo and are answered with the caller\'s own echo (or none)', async () => {
    const { urlOf, activity } = await play({ wsListen: LOCAL }, { accessToken: TOKEN });
    const { requests } = await openPage(plays[0]!, (c) => {
      c.handle('echo_of_call', (_p, request) => ({ seen: request.echo }));
    });
    const apiSocket = await dial(`${urlOf('forward WS')}api`);
    const answer = await apiSocket.call({ action: 'get_login_info', params: {}, echo: { seq: 7, tag: 'mine' } });
    expect(answer).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: SELF }, echo: { seq: 7, tag: 'mine' } });
    // The page saw the relay's echo, never the caller's.
    const seen = await apiSocket.call({ action: 'echo_of_call', echo: 'e-2' });
    expect(seen.echo).toBe('e-2');
    expect((seen.data as { seen: unknown }).seen).toMatch(/^onebot-rx-play:[0-9a-f]+:\d+$/);
    expect(requests.map((r) => r.echo)).not.toContainEqual({ seq: 7, tag: 'mine' });

    // `/`: its lifecycle connect first; a call without an echo is answered without one.
    const universal = await dial(urlOf('forward WS'));
    await until(() => universal.frames.length >= 1, 'the connect event');
    expect(universal.frames[0]).toMatchObject({ self_id: SELF, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });
    const bare = await universal.call({ action: 'get_status' });
    expect(bare).toMatchObject({ status: 'ok', retcode: 0 });
    expect('echo' in bare).toBe(false);
    // An unknown action: the page's answer (1404), passed on.
    expect(await universal.call({ action: 'no_such_action', echo: 3 })).toMatchObject({ status: 'failed', retcode: 1404, echo: 3 });
    // Something that is not a call, with an echo: told so.
    expect(await universal.call({ echo: 4, hello: true })).toMatchObject({ status: 'failed', retcode: 1400, echo: 4 });

    // The token guards it, as in `connect`.
    await expect(dial(urlOf('forward WS'), null)).rejects.toThrow('HTTP 401');
    await expect(dial(urlOf('forward WS'), 'wrong')).rejects.toThrow('HTTP 403');
    await until(() => activity.filter((a) => a.kind === 'app-refused').length === 2, 'two refusals reported');
    expect(activity).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'app-connected', path: '/api' }), expect.objectContaining({ kind: 'app-connected', path: '/' })]));
  });

  it('/event gets its own connect event first, then every event of the page in order (not the page\'s connect event: a second one reads as a reconnect); /api gets none', async () => {
    const { urlOf } = await play({ wsListen: LOCAL });
    const events = await dial(`${urlOf('forward WS')}event`, null);
    const apiOnly = await dial(`${urlOf('forward WS')}api`, null);
    await until(() => events.frames.length >= 1, 'the connect event');
    expect(events.frames[0]).toMatchObject({ self_id: SELF, meta_event_type: 'lifecycle', sub_type: 'connect' });

    const { client } = await openPage(plays[0]!);
    await client.sendText('first', 'group', { groupId: 100001, userId: 20001 });
    await client.sendText('second', 'private', { userId: 20002 });
    await until(() => events.frames.some((f) => f.raw_message === 'second'), 'the page events');
    // The socket's own connect event, then the page's messages, in order.
    expect(events.frames.map((f) => f.raw_message ?? f.sub_type)).toEqual(['connect', 'first', 'second']);
    expect(events.frames[1]).toMatchObject({ post_type: 'message', message_type: 'group', group_id: 100001, user_id: 20001 });
    // A call on /event is not acted upon.
    events.ws.send(JSON.stringify({ action: 'get_status', echo: 1 }));
    await sleep(200);
    expect(events.frames.filter((f) => 'retcode' in f)).toEqual([]);
    expect(apiOnly.frames).toEqual([]);
  });
});

describe('the playground over HTTP', () => {
  it('HTTP API: each call is answered by the page, with the status the client maps (200, 404, 400) and no relay echo', async () => {
    const { urlOf } = await play({ httpListen: LOCAL }, { accessToken: TOKEN });
    await openPage(plays[0]!);
    const base = urlOf('HTTP API');
    const login = await api(base, 'get_login_info');
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: SELF } });
    expect('echo' in login.body).toBe(false);
    const unknown = await api(base, 'no_such_action');
    expect(unknown).toMatchObject({ status: 404, body: { retcode: 1404 } });
    const bad = await api(base, 'send_private_msg', { message: 'no user_id' });
    expect(bad).toMatchObject({ status: 400, body: { retcode: 1400 } });
    // Query-string params (strings) are parsed by the page's codecs, as for the client's own HTTP API.
    const sent = await fetch(`${base}send_private_msg?user_id=20001&message=hi&access_token=${TOKEN}`);
    expect(sent.status).toBe(200);
    expect(((await sent.json()) as { data: { message_id: unknown } }).data.message_id).toEqual(expect.any(Number));
    expect((await api(base, 'get_status', {}, null)).status).toBe(401);
  });

  it('HTTP POST: every page event POSTed with X-Self-ID and X-Signature; a quick operation becomes .handle_quick_operation on the page', async () => {
    const target = await postTarget((e) => (e.post_type === 'message' ? JSON.stringify({ reply: 'pong', at_sender: false }) : ''));
    await play({ httpPost: [target.url], secret: SECRET }, { accessToken: TOKEN });
    const { client, requests } = await openPage(plays[0]!);
    await client.sendText('ping', 'group', { groupId: 100001, userId: 20001 });
    const quick = await until(() => requests.find((r) => r.action === '.handle_quick_operation'), 'the quick operation on the page');
    expect(quick.params).toMatchObject({ context: { post_type: 'message', raw_message: 'ping', group_id: 100001 }, operation: { reply: 'pong' } });
    expect(typeof quick.echo).toBe('string');
    // The page's connect event and the message, each signed over its exact body.
    expect(target.got.map((g) => g.event.raw_message ?? g.event.sub_type)).toEqual(['connect', 'ping']);
    for (const g of target.got) {
      expect(g.headers['x-self-id']).toBe(String(SELF));
      expect(g.headers['x-signature']).toBe(`sha1=${createHmac('sha1', SECRET).update(g.body, 'utf8').digest('hex')}`);
      expect(g.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('a failed POST and a quick operation the page refuses are reported', async () => {
    const target = await postTarget((e) => (e.post_type === 'message' ? JSON.stringify({ reply: 'x' }) : ''));
    const { activity } = await play({ httpPost: [target.url, 'http://127.0.0.1:9/unreachable'] });
    const { client } = await openPage(plays[0]!, (c) => {
      c.handle('.handle_quick_operation', () => {
        throw new Error('not today');
      });
    });
    await client.sendText('hello', 'private', { userId: 20001 });
    await until(() => activity.find((a) => a.kind === 'quick-failed'), 'the refused quick operation');
    expect(activity).toContainEqual({ kind: 'quick-failed', text: 'quick operation not performed: not today' });
    expect(activity.find((a) => a.kind === 'post-failed')).toMatchObject({ text: expect.stringContaining('POST to http://127.0.0.1:9/unreachable failed') });
  });
});

describe('when the page is not there', () => {
  it('no page connected: forward WS and HTTP API calls get a failed answer saying so', async () => {
    const { urlOf } = await play({ wsListen: LOCAL, httpListen: LOCAL });
    const app = await dial(`${urlOf('forward WS')}api`, null);
    const answer = await app.call({ action: 'get_login_info', echo: 'x' });
    expect(answer).toMatchObject({ status: 'failed', retcode: PAGE_UNAVAILABLE, echo: 'x', message: expect.stringContaining('no playground page is connected') });
    const http = await api(urlOf('HTTP API'), 'get_login_info', {}, null);
    expect(http).toMatchObject({ status: 200, body: { status: 'failed', retcode: PAGE_UNAVAILABLE } });
  });

  it('events that reach no application are reported: the first at once, the rest counted until one connects', async () => {
    const { urlOf, activity } = await play({ wsListen: LOCAL });
    const { client } = await openPage(plays[0]!);
    const unheard = () => activity.filter((a): a is Extract<PlayActivity, { kind: 'events-unheard' }> => a.kind === 'events-unheard');
    await client.sendText('nobody 1', 'group', { groupId: 100001, userId: 20001 });
    await client.sendText('nobody 2', 'group', { groupId: 100001, userId: 20001 });
    await client.sendText('nobody 3', 'group', { groupId: 100001, userId: 20001 });
    await until(() => unheard().length === 1, 'the first unheard event reported');
    expect(unheard()[0]).toMatchObject({ dropped: 1, first: true });
    const events = await dial(`${urlOf('forward WS')}event`, null);
    await until(() => unheard().length === 2, 'the count reported when an application connects');
    expect(unheard()[1]).toMatchObject({ dropped: 3, first: false });
    await client.sendText('heard', 'group', { groupId: 100001, userId: 20001 });
    await until(() => events.frames.some((f) => f.raw_message === 'heard'), 'the event delivered');
    expect(unheard()).toHaveLength(2);
  });

  it('the page disconnects with calls pending: each caller gets a failed answer (never silence), and the terminal is told', async () => {
    const { urlOf, activity } = await play({ wsListen: LOCAL, httpListen: LOCAL });
    const { client, requests } = await openPage(plays[0]!, (c) => {
      c.handle('never_answers', () => new Promise(() => undefined));
    });
    const app = await dial(`${urlOf('forward WS')}api`, null);
    app.ws.send(JSON.stringify({ action: 'never_answers', echo: 41 }));
    const http = api(urlOf('HTTP API'), 'never_answers', {}, null);
    await until(() => requests.filter((r) => r.action === 'never_answers').length === 2, 'both calls at the page');
    await client.disconnect();
    const wsAnswer = await until(() => app.frames.find((f) => f.echo === 41), 'the failed answer');
    expect(wsAnswer).toMatchObject({ status: 'failed', retcode: PAGE_UNAVAILABLE, message: expect.stringContaining('the playground page disconnected') });
    expect(await http).toMatchObject({ status: 200, body: { status: 'failed', retcode: PAGE_UNAVAILABLE } });
    await until(() => activity.find((a) => a.kind === 'calls-failed'), 'the report');
    expect(activity.find((a) => a.kind === 'calls-failed')).toMatchObject({ count: 2 });
  });
});

describe('bounds', () => {
  it('calls waiting for the page: bounded in count and bytes (1429), each for at most relayedCallTimeout (1503)', async () => {
    const { urlOf } = await play({ wsListen: LOCAL }, { maxRelayedCalls: 2, maxRelayedCallBytes: 2000, relayedCallTimeout: 400 });
    await openPage(plays[0]!, (c) => {
      c.handle('never_answers', () => new Promise(() => undefined));
    });
    const app = await dial(`${urlOf('forward WS')}api`, null);
    app.ws.send(JSON.stringify({ action: 'never_answers', echo: 1 }));
    app.ws.send(JSON.stringify({ action: 'never_answers', echo: 2 }));
    const third = await app.call({ action: 'get_status', echo: 3 });
    expect(third).toMatchObject({ status: 'failed', retcode: 1429, echo: 3, message: expect.stringContaining('too many calls wait for the playground page') });
    // Not answered in time: failed, and the room is free again.
    const late = await until(() => app.frames.filter((f) => f.echo === 1 || f.echo === 2).length === 2 && app.frames, 'the timeouts', 3000);
    expect(late.filter((f) => f.echo === 1 || f.echo === 2).map((f) => [f.retcode, f.message])).toEqual([
      [PAGE_UNAVAILABLE, 'the playground page did not answer within 400 ms'],
      [PAGE_UNAVAILABLE, 'the playground page did not answer within 400 ms'],
    ]);
    expect(await app.call({ action: 'get_status', echo: 4 })).toMatchObject({ status: 'ok', echo: 4 });
    // Bytes: one call larger than the bound is refused alone.
    expect(await app.call({ action: 'send_private_msg', params: { user_id: 20001, message: 'x'.repeat(3000) }, echo: 5 })).toMatchObject({ retcode: 1429, echo: 5 });
  });

  it('events waiting to be POSTed are bounded in bytes: beyond, an event is not POSTed, and that is reported', async () => {
    const target = await postTarget(() => 'hold');
    const { activity } = await play({ httpPost: [target.url] }, { maxPostBytes: 1000 });
    const { client } = await openPage(plays[0]!);
    for (const text of ['one', 'two', 'three', 'four']) await client.sendText(text.repeat(50), 'private', { userId: 20001 });
    await until(() => activity.find((a) => a.kind === 'post-failed'), 'the dropped event');
    expect(activity.find((a) => a.kind === 'post-failed')).toMatchObject({ text: expect.stringMatching(/^event not POSTed: \d+ characters of events already wait or are in flight \(bound 1000\)$/) });
    await sleep(100);
    expect(target.got.reduce((n, g) => n + g.body.length, 0)).toBeLessThanOrEqual(1000);
  });
  it('an application socket that does not read is closed once its unsent bytes pass the bound (1013), and that is reported', async () => {
    const { urlOf, activity } = await play({ wsListen: LOCAL }, { maxBufferedBytes: 256 * 1024 });
    // An application that completes the handshake on /event, then never reads again.
    const stuck = connect(Number(new URL(urlOf('forward WS')).port), '127.0.0.1');
    stuck.on('error', () => undefined);
    stuck.write('GET /event HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await until(() => activity.find((a) => a.kind === 'app-connected'), 'the application connected');
    stuck.pause();
    try {
      // The page (a plain socket here) sends big events until the relay gives up on the application.
      const base = plays[0]!.pageUrl.split('/#')[0]!.replace(/^http/, 'ws');
      const page = new WebSocket(`${base}/bot?access_token=${KEY}`);
      sockets.push(page);
      await new Promise((resolve) => page.once('open', resolve));
      const big = JSON.stringify({ time: 1, self_id: SELF, post_type: 'message', message_type: 'private', sub_type: 'friend', message_id: 1, user_id: 20001, message: 'x', raw_message: 'x'.repeat(512 * 1024), font: 0, sender: {} });
      for (let i = 0; i < 80 && !activity.some((a) => a.kind === 'app-dropped'); i++) {
        page.send(big);
        await sleep(10);
      }
      const dropped = await until(() => activity.find((a): a is Extract<PlayActivity, { kind: 'app-dropped' }> => a.kind === 'app-dropped'), 'the slow socket closed');
      expect(dropped).toMatchObject({ path: '/event', why: expect.stringMatching(/^\d+ bytes waited unread \(bound 262144\)$/) });
      // The page itself was not cut off.
      expect(page.readyState).toBe(WebSocket.OPEN);
    } finally {
      stuck.destroy();
    }
  });
});

describe('reverse WebSocket beside a listening transport', () => {
  it('events go to both; each side\'s calls are answered on its own connection, echoes untouched', async () => {
    const reference = await createReferenceServer({ port: 0 });
    references.push(reference);
    const { urlOf } = await play({ wsListen: LOCAL }, { botUrl: reference.url });
    const { client } = await openPage(plays[0]!);
    await reference.waitForBot(SELF);
    const app = await dial(urlOf('forward WS'), null);
    await client.sendText('both', 'private', { userId: 20001 });
    await reference.waitForEvent((e) => e.event.raw_message === 'both', 4000);
    await until(() => app.frames.some((f) => f.raw_message === 'both'), 'the event on forward WS');
    const fromReference = await reference.callApi(SELF, 'get_login_info', {});
    expect(fromReference).toMatchObject({ status: 'ok', data: { user_id: SELF } });
    const received = reference.stats().framesReceived;
    expect(await app.call({ action: 'get_login_info', echo: 1 })).toMatchObject({ status: 'ok', echo: 1, data: { user_id: SELF } });
    // The page's answer to the forward-WS call was taken out: it never reached the bot server.
    await sleep(100);
    expect(reference.stats().framesReceived).toBe(received);
    expect(app.frames.filter((f) => 'retcode' in f)).toHaveLength(1);
  });
});
