import WebSocket from 'ws';
import * as net from 'node:net';
import * as http from 'node:http';
import { createReferenceServer, ServerCloseCode, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server';
import { ErrorCode } from '../../src/protocol/errors';
import { createConnectEvent, createHeartbeatEvent, createTextMessage } from '../../src/protocol/builders';
import type { Logger } from '../../src/logging/logger';
import { bot, closePeers, open, refusal } from './helpers';

const servers: ReferenceServer[] = [];
const start = async (opts: ReferenceServerOptions = {}): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, handshakeTimeout: 150, ...opts });
  servers.push(s);
  return s;
};

afterEach(async () => {
  closePeers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const privateMsg = (from: number, to: number, text: string) =>
  createTextMessage({ selfId: from, messageType: 'private', text, targetId: to });
const groupMsg = (from: number, groupId: number, text: string) => createTextMessage({ selfId: from, messageType: 'group', text, groupId });

describe('listening', () => {
  it('resolves once listening on 127.0.0.1 with the real port and the full url', async () => {
    const s = await start();
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(s.path).toBe('/ws/');
    expect(s.url).toBe(`ws://127.0.0.1:${s.port}/ws/`);
  });

  it('rejects with ONEBOT_SOCKET_ERROR when the port is taken', async () => {
    const s = await start();
    await expect(createReferenceServer({ port: s.port })).rejects.toMatchObject({
      code: ErrorCode.SocketError,
      message: `reference server cannot listen on 127.0.0.1:${s.port}: EADDRINUSE`,
    });
  });

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const s = await start();
    const status = await new Promise<number | undefined>((resolve, reject) =>
      http.get(`http://127.0.0.1:${s.port}/ws/`, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(426);
  });
});

describe('handshake (lifecycle connect within handshakeTimeout)', () => {
  it('registers a bot that sends the connect event in time', async () => {
    const s = await start();
    const before = Date.now();
    await bot(s, 10001, { 'X-Client-Role': 'Universal' });
    const [b] = s.bots();
    expect(b).toMatchObject({ selfId: 10001, role: 'Universal', remoteAddress: '127.0.0.1', heartbeats: 0, lastHeartbeat: undefined });
    expect(b!.connectedAt).toBeGreaterThanOrEqual(before);
    expect(s.connections).toHaveLength(1);
    expect(s.connections[0]).toMatchObject({ selfId: 10001, closedAt: undefined });
    expect(s.connections[0]!.handshakeAt).toBeDefined();
    expect(s.events(10001).map((e) => e.event.meta_event_type)).toEqual(['lifecycle']);
  });

  it('keeps a handshaken bot past the handshake deadline', async () => {
    const s = await start();
    const a = await bot(s, 10001);
    // Waiting out the deadline is the point here: the handshake timer must be gone.
    await new Promise((r) => setTimeout(r, 250));
    a.send(createHeartbeatEvent(10001, 5000));
    await s.waitFor(() => s.bot(10001)?.heartbeats === 1, 1000);
    expect(s.connections[0]!.closedAt).toBeUndefined();
  });

  it('closes a silent client with 4001 and a clear reason after handshakeTimeout', async () => {
    const s = await start();
    const openedAt = Date.now();
    const p = await open(s.url, { 'X-Self-ID': '10001' });
    const closed = await p.closed;
    expect(closed).toEqual({ code: 4001, reason: 'handshake timeout: no lifecycle connect event within 150 ms' });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(140);
    expect(s.bots()).toEqual([]);
    const rec = await s.waitForDisconnect(10001);
    expect(rec).toMatchObject({ closeCode: ServerCloseCode.HandshakeTimeout, closedBy: 'server', handshakeAt: undefined });
    expect(s.errors.map((e) => e.code)).toEqual([ErrorCode.ServerHandshakeTimeout]);
  });

  it('uses the 1000 ms default from the original server', async () => {
    const s = await createReferenceServer({ port: 0 });
    servers.push(s);
    const p = await open(s.url, { 'X-Self-ID': '1' });
    expect((await p.closed).reason).toBe('handshake timeout: no lifecycle connect event within 1000 ms');
  });

  it('does not accept a connect event that arrives too late', async () => {
    const s = await start();
    const p = await open(s.url, { 'X-Self-ID': '10001' });
    // The point of this test is lateness itself: send after the deadline has passed.
    const late = setTimeout(() => {
      if (p.ws.readyState === WebSocket.OPEN) p.send(createConnectEvent(10001));
    }, 300);
    const closed = await p.closed;
    clearTimeout(late);
    expect(closed.code).toBe(4001);
    expect(s.bots()).toEqual([]);
    expect(s.events()).toEqual([]);
  });

  it.each([
    ['a heartbeat', createHeartbeatEvent(10001, 5000), 'got meta_event/heartbeat event'],
    ['invalid JSON', '{"post_type":', '(ONEBOT_INVALID_JSON)'],
    ['an API response', { status: 'ok', retcode: 0, data: null }, 'got API response'],
    ['a message', privateMsg(10001, 2, 'hi'), 'got message/private/friend event'],
  ])('closes with 4002 when the first frame is %s', async (_name, frame, tail) => {
    const s = await start();
    const p = await open(s.url, { 'X-Self-ID': '10001' });
    p.send(frame);
    const closed = await p.closed;
    expect(closed.code).toBe(4002);
    expect(closed.reason).toMatch(/^handshake failed: first frame must be a lifecycle connect event/);
    expect(closed.reason.endsWith(tail)).toBe(true);
    expect(s.bots()).toEqual([]);
  });

  it('closes with 4002 when the first frame is binary', async () => {
    const s = await start();
    const p = await open(s.url, { 'X-Self-ID': '10001' });
    p.ws.send(Buffer.from([1, 2, 3]));
    expect(await p.closed).toEqual({ code: 4002, reason: 'handshake failed: first frame must be a lifecycle connect event (ONEBOT_BINARY_FRAME)' });
  });

  it('closes with 4003 when the connect self_id differs from X-Self-ID', async () => {
    const s = await start();
    const p = await open(s.url, { 'X-Self-ID': '10001' });
    p.send(createConnectEvent(20002));
    expect(await p.closed).toEqual({ code: 4003, reason: 'self_id 20002 does not match X-Self-ID 10001' });
  });
});

describe('upgrade checks', () => {
  it('refuses a wrong path with 404 and tolerates a missing trailing slash', async () => {
    const s = await start();
    expect((await refusal(`ws://127.0.0.1:${s.port}/other`, { 'X-Self-ID': '1' })).status).toBe(404);
    const p = await open(`ws://127.0.0.1:${s.port}/ws`, { 'X-Self-ID': '1' });
    p.send(createConnectEvent(1));
    await s.waitForBot(1, 1000);
    expect(s.rejections.map((r) => r.status)).toEqual([404]);
  });

  it('identifies a bot without X-Self-ID by its connect event (browsers cannot set headers)', async () => {
    const s = await start();
    const p = await open(s.url);
    p.send(createConnectEvent(4242));
    expect((await s.waitForBot(4242, 1000)).selfId).toBe(4242);
    expect(s.connections[0]!.selfId).toBe(4242);
  });

  it('takes the self id from ?self_id= when the header is absent', async () => {
    const s = await start();
    const p = await open(`${s.url}?self_id=77`);
    p.send(createConnectEvent(78));
    expect((await p.closed).code).toBe(ServerCloseCode.SelfIdMismatch);
  });

  it('refuses a missing X-Self-ID with 400 when requireSelfId is set, and a non-numeric one always', async () => {
    const s = await start({ requireSelfId: true });
    expect((await refusal(s.url)).status).toBe(400);
    expect((await refusal(s.url, { 'X-Self-ID': 'abc' })).status).toBe(400);
    expect((await refusal(s.url, { 'X-Self-ID': '-5' })).status).toBe(400);
    expect(s.rejections.map((r) => r.reason)).toEqual(['X-Self-ID missing', expect.stringMatching(/^X-Self-ID: self_id .* is not a positive decimal integer$/), expect.stringMatching(/^X-Self-ID: self_id .* is not/)]);
  });

  describe('access token', () => {
    const TOKEN = 's3cr3t-t0ken-value';

    it('answers a missing token with 401 and a wrong one with 403, revealing nothing in the body', async () => {
      const s = await start({ accessToken: TOKEN });
      const missing = await refusal(s.url, { 'X-Self-ID': '1' });
      expect(missing.status).toBe(401);
      expect(missing.body).toBe('Unauthorized');
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect((await refusal(s.url, { 'X-Self-ID': '1', Authorization: 'Basic abc' })).status).toBe(401);
      const wrong = await refusal(s.url, { 'X-Self-ID': '1', Authorization: `Bearer ${TOKEN}x` });
      expect(wrong).toMatchObject({ status: 403, body: 'Forbidden' });
      expect((await refusal(`${s.url}?access_token=nope`, { 'X-Self-ID': '1' })).status).toBe(403);
      // Same length, different content: still refused.
      expect((await refusal(s.url, { 'X-Self-ID': '1', Authorization: `Bearer ${'x'.repeat(TOKEN.length)}` })).status).toBe(403);
      expect(s.connections).toEqual([]);
    });

    it.each([
      ['Bearer header', '', { Authorization: `Bearer ${TOKEN}` }],
      ['Token header', '', { Authorization: `Token ${TOKEN}` }],
      ['query parameter', `?access_token=${TOKEN}`, {}],
    ])('accepts the right token as a %s', async (_name, query, headers) => {
      const s = await start({ accessToken: TOKEN });
      const p = await open(`${s.url}${query}`, { 'X-Self-ID': '5', ...headers });
      p.send(createConnectEvent(5));
      await s.waitForBot(5, 1000);
    });

    it('never records or logs the token', async () => {
      const lines: string[] = [];
      const spy: Logger = {
        debug: (m, d) => lines.push(JSON.stringify([m, d])),
        info: (m, d) => lines.push(JSON.stringify([m, d])),
        warn: (m, d) => lines.push(JSON.stringify([m, d])),
        error: (m, d) => lines.push(JSON.stringify([m, d])),
      };
      const s = await start({ accessToken: TOKEN, logger: spy });
      const a = await open(s.url, { 'X-Self-ID': '5', Authorization: `Bearer ${TOKEN}` });
      a.send(createConnectEvent(5));
      a.send('not json');
      const b = await open(`${s.url}?access_token=${TOKEN}`, { 'X-Self-ID': '6' });
      b.send(createConnectEvent(6));
      await s.waitForBot(6, 1000);
      await refusal(s.url, { 'X-Self-ID': '7', Authorization: `Bearer ${TOKEN}-wrong` });
      await refusal(`${s.url}?access_token=${TOKEN}-wrong`, { 'X-Self-ID': '7' });
      await s.waitForError();
      await s.close();
      expect(lines.length).toBeGreaterThan(5);
      const seen = JSON.stringify({ lines, c: s.connections, r: s.rejections, e: s.errors, ev: s.events(), b: s.bots() });
      expect(seen).not.toContain(TOKEN);
      expect(s.connections[0]!.headers.authorization).toBe('[redacted]');
      expect(s.connections[1]!.url).toBe('/ws/?access_token=[redacted]');
    });
  });
});

describe('one connection per self_id', () => {
  it('refuses a second upgrade naming a connected X-Self-ID with 409', async () => {
    const s = await start();
    const first = await bot(s, 12345);
    expect((await refusal(s.url, { 'X-Self-ID': '12345' })).status).toBe(409);
    expect(s.rejections[0]).toMatchObject({ status: 409, reason: 'duplicate self_id 12345' });
    // The first connection is untouched.
    first.send(createHeartbeatEvent(12345, 5000));
    await s.waitFor(() => s.bot(12345)?.heartbeats === 1, 1000);
  });

  it('closes a header-less duplicate after its connect event with 4009', async () => {
    const s = await start();
    await bot(s, 12345);
    const second = await open(s.url);
    second.send(createConnectEvent(12345));
    expect(await second.closed).toEqual({ code: 4009, reason: 'duplicate self_id 12345' });
    expect(s.bots().map((b) => b.selfId)).toEqual([12345]);
    expect(s.bot(12345)!.connectionId).toBe(s.connections[0]!.id);
  });

  it('accepts the same self_id again once the first connection is gone', async () => {
    const s = await start();
    const first = await bot(s, 12345);
    first.ws.close();
    await s.waitForDisconnect(12345);
    await bot(s, 12345);
    expect(s.connections.map((c) => c.closedBy)).toEqual(['client', undefined]);
  });
});

describe('routing', () => {
  it('delivers a private message only to the bot named by target_id, re-addressed to it', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const b = await bot(s, 1002);
    const c = await bot(s, 1003);
    const msg = privateMsg(1001, 1002, 'hello b');
    a.send(msg);
    const got = await b.next();
    expect(got).toEqual({ ...msg, self_id: 1002 });
    expect(got).toMatchObject({ user_id: 1001, target_id: 1002, message_type: 'private' });
    const rec = await s.waitForEvent((e) => e.event.post_type === 'message');
    expect(rec.deliveredTo).toEqual([1002]);
    // c got nothing: the first frame it sees is the marker sent afterwards.
    s.sendRaw(1003, '{"marker":1}');
    expect(await c.next()).toEqual({ marker: 1 });
  });

  it('drops a private message whose target is not connected (recorded, not delivered)', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send(privateMsg(1001, 9999, 'anyone?'));
    const rec = await s.waitForEvent((e) => e.event.post_type === 'message');
    expect(rec.deliveredTo).toEqual([]);
  });

  it('delivers a group message to every other bot, each copy re-addressed', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const b = await bot(s, 1002);
    const c = await bot(s, 1003);
    const msg = groupMsg(1001, 555, 'hello all');
    a.send(msg);
    expect(await b.next()).toEqual({ ...msg, self_id: 1002 });
    expect(await c.next()).toEqual({ ...msg, self_id: 1003 });
    const rec = await s.waitForEvent((e) => e.event.message_type === 'group');
    expect([...rec.deliveredTo].sort()).toEqual([1002, 1003]);
    // The sender does not get its own message back.
    s.sendRaw(1001, '{"marker":2}');
    expect(await a.next()).toEqual({ marker: 2 });
  });

  it('records heartbeats and last-seen time per bot', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const seenBefore = s.bot(1001)!.lastSeen;
    a.send(createHeartbeatEvent(1001, 5000, { online: true, good: false }));
    a.send(createHeartbeatEvent(1001, 5000));
    const b = await s.waitFor(() => {
      const info = s.bot(1001);
      return info !== undefined && info.heartbeats === 2 && info;
    }, 1000);
    expect(b.lastHeartbeat).toMatchObject({ interval: 5000, status: { online: true, good: true } });
    expect(b.lastSeen).toBeGreaterThanOrEqual(seenBefore);
  });
});

describe('bad frames', () => {
  it.each([
    ['invalid JSON', '{oops', ErrorCode.InvalidJson],
    ['a JSON array', '[1,2]', ErrorCode.NotObject],
    ['an unknown object', '{"hello":1}', ErrorCode.UnknownFrame],
    ['a wrong-shaped event', JSON.stringify({ ...privateMsg(1001, 1002, 'x'), user_id: 'me' }), ErrorCode.InvalidEvent],
  ])('answers %s with an error frame and keeps the connection usable', async (_name, text, code) => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send(text);
    const err = await a.next();
    expect(err).toMatchObject({ status: 'failed', retcode: 1400, data: null, error: { code } });
    expect(err).not.toHaveProperty('post_type');
    expect(err).not.toHaveProperty('echo');
    expect(typeof err.message).toBe('string');
    expect(err.wording).toBe(err.message);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ code, selfId: 1001 });
    a.send(createHeartbeatEvent(1001, 5000));
    await s.waitFor(() => s.bot(1001)?.heartbeats === 1, 1000);
  });

  it('names the failing JSON path of an invalid event', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send({ ...privateMsg(1001, 1002, 'x'), user_id: 'me' });
    const err = await a.next();
    expect(err.error).toEqual({ code: ErrorCode.InvalidEvent, path: 'user_id' });
    expect(String(err.message)).toContain('user_id');
  });

  it('answers a binary frame with an error frame', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.ws.send(Buffer.from('{"x":1}'));
    expect(await a.next()).toMatchObject({ retcode: 1400, error: { code: ErrorCode.BinaryFrame } });
    expect((await s.waitForError()).bytes).toBe(7);
  });

  it('answers a frame above maxPayload with an error and keeps the connection; far above, ws cuts it (1009)', async () => {
    const s = await start({ maxPayload: 1024 });
    const a = await bot(s, 1001);
    a.send({ ...createHeartbeatEvent(1001, 5000), pad: 'x'.repeat(2000) });
    expect(await a.next()).toMatchObject({
      retcode: 1400,
      error: { code: ErrorCode.FrameTooLarge },
    });
    a.send(createHeartbeatEvent(1001, 5000));
    await s.waitFor(() => s.bot(1001)?.heartbeats === 1, 1000);
    a.send('x'.repeat(64 * 1024 + 2048));
    expect((await a.closed).code).toBe(1009);
    await s.waitForDisconnect(1001);
    expect(s.bots()).toEqual([]);
  });

  it('answers an event whose self_id is not the connection’s', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send(createHeartbeatEvent(2002, 5000));
    expect(await a.next()).toMatchObject({ retcode: 1400, error: { code: ErrorCode.InvalidEvent, path: 'self_id' } });
    expect(s.bot(1001)!.heartbeats).toBe(0);
  });

  it('answers an API request from a bot with 1404, echo copied', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send({ action: 'get_status', params: {}, echo: { n: 1 } });
    expect(await a.next()).toMatchObject({ status: 'failed', retcode: 1404, data: null, echo: { n: 1 } });
  });

  it('keeps extension events (unknown post_type) as events', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    a.send({ time: 1, self_id: 1001, post_type: 'custom_thing', foo: 1 });
    const rec = await s.waitForEvent((e) => e.event.post_type === 'custom_thing');
    expect(rec).toMatchObject({ kind: 'extension', event: { foo: 1 } });
  });
});

describe('callApi', () => {
  /** A bot that answers every request with `data: { action, params }`, echo copied verbatim. */
  const answering = async (s: ReferenceServer, selfId: number) => {
    const p = await bot(s, selfId);
    p.ws.on('message', (raw) => {
      const req = JSON.parse(raw.toString()) as { action: string; params: unknown; echo: unknown };
      p.send({ status: 'ok', retcode: 0, data: { action: req.action, params: req.params }, echo: req.echo });
    });
    return p;
  };

  it.each([
    ['string', (e: unknown) => typeof e === 'string' && /^\d+$/.test(e)],
    ['number', (e: unknown) => typeof e === 'number'],
    ['object', (e: unknown) => typeof e === 'object' && e !== null && typeof (e as { seq?: unknown }).seq === 'number'],
  ] as const)('round-trips with a %s echo', async (style, isStyle) => {
    const s = await start({ echoStyle: style });
    await answering(s, 1001);
    const seen = s.next('api-response');
    const r = await s.callApi(1001, 'get_login_info', { x: 1 });
    expect(r).toMatchObject({ status: 'ok', retcode: 0, data: { action: 'get_login_info', params: { x: 1 } } });
    expect(isStyle(r.echo)).toBe(true);
    const rec = await seen;
    expect(rec).toMatchObject({ selfId: 1001, action: 'get_login_info', echo: r.echo });
  });

  it('correlates concurrent calls by echo, answered out of order', async () => {
    const s = await start({ echoStyle: 'number' });
    const p = await bot(s, 1001);
    const calls = [s.callApi(1001, 'a'), s.callApi(1001, 'b'), s.callApi(1001, 'c')];
    const reqs = [await p.next(), await p.next(), await p.next()];
    for (const req of [...reqs].reverse()) p.send({ status: 'ok', retcode: 0, data: req.action, echo: req.echo });
    expect((await Promise.all(calls)).map((r) => r.data)).toEqual(['a', 'b', 'c']);
  });

  it('resolves failed responses too (the status is the caller’s business)', async () => {
    const s = await start();
    const p = await bot(s, 1001);
    const call = s.callApi(1001, 'nope');
    const req = await p.next();
    p.send({ status: 'failed', retcode: 1404, data: null, echo: req.echo });
    expect(await call).toMatchObject({ status: 'failed', retcode: 1404 });
  });

  it('times out with ONEBOT_API_TIMEOUT, ignoring an answer whose echo changed type', async () => {
    const s = await start({ echoStyle: 'string' });
    const p = await bot(s, 1001);
    const call = s.callApi(1001, 'get_status', {}, { timeout: 200 });
    const req = await p.next();
    p.send({ status: 'ok', retcode: 0, data: null, echo: Number(req.echo) });
    await expect(call).rejects.toMatchObject({ code: ErrorCode.ApiTimeout, message: 'bot 1001 did not answer get_status within 200 ms' });
  });

  it('rejects with ONEBOT_BOT_NOT_CONNECTED for an unknown bot', async () => {
    const s = await start();
    await expect(s.callApi(4040, 'get_status')).rejects.toMatchObject({ code: ErrorCode.BotNotConnected, message: 'bot 4040 is not connected' });
    expect(() => s.sendRaw(4040, 'x')).toThrow('bot 4040 is not connected');
  });

  it('rejects promptly when the bot disconnects with the call pending', async () => {
    const s = await start();
    const p = await bot(s, 1001);
    const t0 = Date.now();
    const call = s.callApi(1001, 'get_status', {}, { timeout: 10_000 });
    await p.next();
    p.ws.terminate();
    await expect(call).rejects.toMatchObject({ code: ErrorCode.BotNotConnected, message: 'bot 1001 disconnected before answering get_status' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('rejects with the decode error when the answer carrying our echo is malformed', async () => {
    const s = await start();
    const p = await bot(s, 1001);
    const call = s.callApi(1001, 'get_status');
    const req = await p.next();
    p.send({ status: 'fine', retcode: 0, data: null, echo: req.echo });
    await expect(call).rejects.toMatchObject({ code: ErrorCode.InvalidResponse });
    expect(await p.next()).toMatchObject({ retcode: 1400, echo: req.echo, error: { code: ErrorCode.InvalidResponse } });
  });
});

describe('close()', () => {
  it('closes every client with 1001, is idempotent, and frees the port', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const b = await open(s.url); // still in its handshake
    // Expectations attached before close() so the rejections are never unhandled.
    const pendingCall = expect(s.callApi(1001, 'get_status')).rejects.toMatchObject({ code: ErrorCode.ServerClosed });
    const pendingWait = expect(s.waitForBot(9999, 10_000)).rejects.toMatchObject({ code: ErrorCode.ServerClosed });
    const first = s.close();
    const second = s.close();
    expect(second).toBe(first);
    await first;
    await pendingCall;
    await pendingWait;
    expect(await a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect((await b.closed).code).toBe(1001);
    expect(s.bots()).toEqual([]);
    expect(s.connections.every((c) => c.closeCode === 1001 && c.closedBy === 'server')).toBe(true);
    await s.close();
    // The port is free again.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(s.port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('after close, waits and calls fail at once instead of hanging', async () => {
    const s = await start();
    await s.close();
    await expect(s.waitForBot(1, 10_000)).rejects.toMatchObject({ code: ErrorCode.ServerClosed });
    await expect(s.waitFor(() => false, 10_000)).rejects.toMatchObject({ code: ErrorCode.ServerClosed });
    await expect(s.callApi(1, 'get_status')).rejects.toMatchObject({ code: ErrorCode.BotNotConnected });
    // Late connection attempts are refused at the TCP level.
    await expect(open(s.url, { 'X-Self-ID': '1' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('cuts off a client that never answers the close frame', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    // Stop reading: the close frame is never answered.
    (a.ws as unknown as { _socket: net.Socket })._socket.pause();
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(s.connections[0]!.closedAt).toBeDefined();
  });

  it('closes while a client is mid-upgrade', async () => {
    const s = await start();
    const raw = net.connect(s.port, '127.0.0.1');
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.write('GET /ws/ HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    raw.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    await s.close();
    await ended;
  });
});

describe('kick and sendRaw', () => {
  it('kick closes the bot with the given code and reports the record', async () => {
    const s = await start();
    const a = await bot(s, 1001);
    const rec = await s.kick(1001, 4000, 'bye');
    expect(await a.closed).toEqual({ code: 4000, reason: 'bye' });
    expect(rec).toMatchObject({ selfId: 1001, closeCode: 4000, closeReason: 'bye', closedBy: 'server' });
  });

  it('on() listeners see connect, event and disconnect, and can unsubscribe', async () => {
    const s = await start();
    const seen: string[] = [];
    const off = s.on('connect', (b) => seen.push(`connect ${b.selfId}`));
    s.on('event', (e) => seen.push(`event ${String(e.event.post_type)}`));
    s.on('disconnect', (c) => seen.push(`disconnect ${c.selfId}`));
    s.on('error', () => {
      throw new Error('a throwing listener must not hurt the server');
    });
    const a = await bot(s, 1001);
    a.send('garbage');
    await s.waitForError();
    off();
    a.ws.close();
    await s.waitForDisconnect(1001);
    await bot(s, 1001);
    expect(seen).toEqual(['connect 1001', 'event meta_event', 'disconnect 1001', 'event meta_event']);
  });
});
