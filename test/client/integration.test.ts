import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { OneBotClient } from '../../src/client/types';
import { isGroup } from '../../src/client/guards';
import { silentLogger, type Logger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import pkg from '../../package.json';

/** Real `ws` sockets against the reference server on 127.0.0.1, port 0. */

const servers: ReferenceServer[] = [];
const clients: OneBotClient[] = [];

const serve = async (opts: Parameters<typeof createReferenceServer>[0] = {}) => {
  const s = await createReferenceServer({ host: '127.0.0.1', port: 0, ...opts });
  servers.push(s);
  return s;
};
const client = (server: { url: string }, opts: Partial<ClientOptions> = {}) => {
  const c = createClient({ url: server.url, logger: silentLogger, reconnectInterval: 100, heartbeatInterval: 0, ...opts });
  clients.push(c);
  return c;
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('handshake against the reference server', () => {
  it('connects, sends the connect event within the 1 s rule, with X-Self-ID, X-Client-Role and User-Agent', async () => {
    const server = await serve();
    const c = client(server, { selfId: 10001 });
    const started = Date.now();
    c.connect();
    const bot = await server.waitForBot(10001, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(bot.role).toBe('Universal');
    const conn = server.connections[0]!;
    expect(conn.headers['x-self-id']).toBe('10001');
    expect(conn.headers['x-client-role']).toBe('Universal');
    expect(conn.headers['user-agent']).toBe(`OneBot/11 onebot-rx/${pkg.version}`);
    expect(conn.handshakeAt! - conn.openedAt).toBeLessThan(1000);
    const first = server.events(10001)[0]!.event;
    expect(first).toMatchObject({ post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect', self_id: 10001 });
    expect(c.state.status).toBe('open');
  });

  it('heartbeats reach the server with the real interval', async () => {
    const server = await serve();
    const c = client(server, { selfId: 10002, heartbeatInterval: 40 });
    c.connect();
    await server.waitFor(() => (server.bot(10002)?.heartbeats ?? 0) >= 2, 3000);
    expect(server.bot(10002)?.lastHeartbeat).toMatchObject({ interval: 40, status: { online: true, good: true } });
  });
});

describe('two bots talking through the server', () => {
  it('exchange private and group messages', async () => {
    const server = await serve();
    const a = client(server, { selfId: 20001 });
    const b = client(server, { selfId: 20002 });
    a.connect();
    b.connect();
    await Promise.all([server.waitForBot(20001), server.waitForBot(20002)]);

    const privateAtB = firstValueFrom(b.privateMessages$);
    await a.sendText('hello b', 'private', { targetId: 20002 });
    expect(await privateAtB).toMatchObject({ self_id: 20002, user_id: 20001, raw_message: 'hello b', message: [{ type: 'text', data: { text: 'hello b' } }] });

    const groupAtA = firstValueFrom(a.messages$.pipe(filter(isGroup)));
    await b.sendText('hello group', 'group', { groupId: 777 });
    const g = await groupAtA;
    expect(g).toMatchObject({ self_id: 20001, user_id: 20002, group_id: 777, raw_message: 'hello group' });
  });
});

describe('server restart', () => {
  it('delivers every send made during the outage exactly once and in order, after the new connect event (same port)', async () => {
    const first = await serve();
    const port = first.port;
    const c = client(first, { selfId: 30001, reconnectInterval: 100 });
    c.connect();
    await first.waitForBot(30001);
    const before = c.sendText('m0', 'private', { targetId: 1 });
    await before;
    await first.waitForEvent((e) => e.event.raw_message === 'm0');

    const lost = firstValueFrom(c.state$.pipe(filter((s) => s.status === 'reconnecting')));
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    await lost;
    const sends = Array.from({ length: 50 }, (_, i) => c.sendText(`m${i + 1}`, 'private', { targetId: 1 }));

    const second = await serve({ port });
    await Promise.all(sends);
    await second.waitFor(() => second.events(30001).filter((e) => e.event.post_type === 'message').length >= 50, 5000);
    const seen = second.events(30001).map((e) => (e.event.post_type === 'message' ? e.event.raw_message : e.event.sub_type));
    expect(seen[0]).toBe('connect');
    expect(seen.filter((x) => x !== 'connect')).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 1}`));
  });
});

describe('access token', () => {
  it('is accepted when right (sent as Bearer, never logged)', async () => {
    const logged: string[] = [];
    const spy: Logger = {
      debug: (m, d) => logged.push(m + JSON.stringify(d ?? {})),
      info: (m, d) => logged.push(m + JSON.stringify(d ?? {})),
      warn: (m, d) => logged.push(m + JSON.stringify(d ?? {})),
      error: (m, d) => logged.push(m + JSON.stringify(d ?? {})),
    };
    const server = await serve({ accessToken: 's3cret-token' });
    const c = client(server, { selfId: 40001, accessToken: 's3cret-token', logger: spy });
    c.connect();
    await server.waitForBot(40001);
    expect(server.connections[0]!.headers.authorization).toBe('[redacted]');
    expect(logged.join('\n')).not.toContain('s3cret-token');
  });

  it.each([
    [undefined, 401, ErrorCode.Unauthorized],
    ['wrong', 403, ErrorCode.Forbidden],
  ])('token %s → HTTP %i reported as %s, retried per policy, then run() resolves', async (token, status, code) => {
    const server = await serve({ accessToken: 's3cret-token' });
    const c = client(server, { selfId: 40002, accessToken: token, maxReconnectAttempts: 1, reconnectInterval: 100 });
    const errors: OneBotError[] = [];
    c.errors$.subscribe((e) => errors.push(e));
    const final = await c.run();
    expect(final).toMatchObject({ status: 'closed', reason: 'attempts-exhausted' });
    expect(final.error).toMatchObject({ code, data: { status } });
    expect(errors.map((e) => e.code)).toEqual([code, code]);
    expect(server.rejections.map((r) => r.status)).toEqual([status, status]);
    expect(JSON.stringify(final)).not.toContain('wrong');
  });
});

describe('lifecycle', () => {
  it('disconnect() closes cleanly (1000), run() resolves, and the client does not come back', async () => {
    const server = await serve();
    const c = client(server, { selfId: 50001, reconnectInterval: 100 });
    const final = c.run();
    await server.waitForBot(50001);
    await c.disconnect();
    await expect(final).resolves.toMatchObject({ status: 'closed', reason: 'disconnected' });
    const record = await server.waitForDisconnect(50001);
    expect(record.closeCode).toBe(1000);
    // Absence of a redial can only be observed by waiting; 10× the reconnect interval.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.connections).toHaveLength(1);
  });

  it('reconnects after the server kicks it and sends the connect event again', async () => {
    const server = await serve();
    const c = client(server, { selfId: 50002 });
    c.connect();
    await server.waitForBot(50002);
    await server.kick(50002, 4000, 'go');
    await server.waitFor(() => server.connections.length === 2 && server.bot(50002));
    expect(server.events(50002).filter((e) => e.event.sub_type === 'connect')).toHaveLength(2);
    expect(c.state.status).toBe('open');
  });
});

describe('API calls from the server and bad input', () => {
  it.each(['number', 'string', 'object'] as const)('echo as %s comes back verbatim', async (echoStyle) => {
    const server = await serve({ echoStyle });
    const c = client(server, { selfId: 60001, nickname: 'n' });
    c.connect();
    await server.waitForBot(60001);
    const r = await server.callApi(60001, 'get_login_info');
    expect(r).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: 60001, nickname: 'n' } });
    expect(typeof r.echo === 'object' ? 'object' : typeof r.echo).toBe(echoStyle);
  });

  it('answers send_msg (sent$), unknown actions (1404) and failing handlers (1500) and keeps running after garbage', async () => {
    const server = await serve();
    const c = client(server, { selfId: 60002 });
    c.handle('get_friend_list', () => Promise.reject(new Error('db down')));
    const errors: OneBotError[] = [];
    c.errors$.subscribe((e) => errors.push(e));
    c.connect();
    await server.waitForBot(60002);

    const sent = firstValueFrom(c.sent$);
    const r1 = await server.callApi(60002, 'send_msg', { message_type: 'group', group_id: '123', message: 'hi' });
    expect(r1).toMatchObject({ status: 'ok', retcode: 0, data: { message_id: (await sent).messageId } });
    expect((await sent).groupId).toBe(123);

    expect(await server.callApi(60002, 'no_such_action')).toMatchObject({ status: 'failed', retcode: 1404 });
    expect(await server.callApi(60002, 'get_friend_list')).toMatchObject({ status: 'failed', retcode: 1500, message: 'db down' });

    const garbage = firstValueFrom(c.errors$.pipe(filter((e) => e.code !== ErrorCode.HandlerFailed), take(3), toArray()));
    server.sendRaw(60002, '{oops');
    server.sendRaw(60002, JSON.stringify({ time: 1, self_id: 60002, post_type: 'message', message_type: 'private', user_id: 'x' }));
    server.sendRaw(60002, new Uint8Array([1, 2, 3]));
    expect((await garbage).map((e) => e.code)).toEqual([ErrorCode.InvalidJson, ErrorCode.InvalidEvent, ErrorCode.BinaryFrame]);

    expect(await server.callApi(60002, 'get_status')).toMatchObject({ status: 'ok', data: { online: true, good: true } });
    expect(server.connections).toHaveLength(1);
    expect(c.state.status).toBe('open');
  });
});
