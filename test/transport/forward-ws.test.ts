import { createServer } from 'node:net';
import WebSocket from 'ws';
import { forwardWs } from '../../src/client/listening';
import { ErrorCode } from '../../src/protocol/errors';
import { closePeers, open, refusal } from '../server/helpers';
import { eventually, sleep, start, stopAll } from './helpers';

afterEach(async () => {
  closePeers();
  await stopAll();
});

const listening = async (options: Parameters<typeof forwardWs>[0] = {}, client: Record<string, unknown> = {}) => {
  const ws = forwardWs(options);
  const run = await start({ transports: [ws], ...client });
  return { ws, url: ws.address!.url, ...run };
};

describe('forward WebSocket: paths and roles', () => {
  it('binds 127.0.0.1 by default, and the client is open once it listens', async () => {
    const { ws, client } = await listening();
    expect(ws.address!.host).toBe('127.0.0.1');
    expect(client.state.status).toBe('open');
  });

  it('/ gets a lifecycle connect first, then answers API calls with the echo verbatim', async () => {
    const { url } = await listening();
    const app = await open(url);
    expect(await app.next()).toMatchObject({ post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect', self_id: 10001 });
    app.send({ action: 'get_login_info', echo: { any: ['json', 1] } });
    expect(await app.next()).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: 10001 }, echo: { any: ['json', 1] } });
  });

  it('/api answers calls and pushes no events; /event gets events and ignores calls', async () => {
    const { url, client } = await listening();
    const api = await open(`${url}api`);
    const event = await open(`${url}event/`);
    expect(await event.next()).toMatchObject({ sub_type: 'connect' });
    await client.sendText('hello', 'private', { targetId: 2 });
    expect(await event.next()).toMatchObject({ post_type: 'message', raw_message: 'hello' });
    event.send({ action: 'get_login_info', echo: 1 });
    api.send({ action: 'get_status', echo: 2 });
    expect(await api.next()).toMatchObject({ echo: 2, status: 'ok' });
    await sleep(100);
    expect(api.inbox).toEqual([]);
    expect(event.inbox).toEqual([]);
  });

  it('unknown paths are 404, plain HTTP is 426', async () => {
    const { url } = await listening();
    expect((await refusal(`${url}onebot/v11/ws`)).status).toBe(404);
    const res = await fetch(url.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
  });
});

describe('forward WebSocket: token', () => {
  it('missing 401, wrong 403; header or ?access_token= accepted', async () => {
    const { url, errors } = await listening({ accessToken: 's3cret' });
    expect((await refusal(url)).status).toBe(401);
    expect((await refusal(url, { Authorization: 'Bearer nope' })).status).toBe(403);
    expect((await refusal(`${url}?access_token=nope`)).status).toBe(403);
    // Each refusal is reported on the bot side, never with the token.
    expect(errors.map((e) => [e.code, e.data.status])).toEqual([
      ['ONEBOT_UNAUTHORIZED', 401],
      ['ONEBOT_FORBIDDEN', 403],
      ['ONEBOT_FORBIDDEN', 403],
    ]);
    expect(JSON.stringify(errors.map((e) => e.message))).not.toContain('nope');
    const byHeader = await open(url, { Authorization: 'Bearer s3cret' });
    const byQuery = await open(`${url}api?access_token=s3cret`);
    expect(await byHeader.next()).toMatchObject({ sub_type: 'connect' });
    byQuery.send({ action: 'get_status', echo: 'q' });
    expect(await byQuery.next()).toMatchObject({ echo: 'q' });
  });
});

describe('forward WebSocket: several applications', () => {
  it('an event sent once and every heartbeat reach every event-capable socket', async () => {
    const { url, client } = await listening({}, { heartbeatInterval: 150 });
    const apps = await Promise.all([open(url), open(url), open(`${url}event`)]);
    const api = await open(`${url}api`);
    for (const app of apps) expect(await app.next()).toMatchObject({ sub_type: 'connect' });
    await client.sendText('to all', 'group', { groupId: 9 });
    for (const app of apps) {
      let frame = await app.next();
      while (frame.post_type === 'meta_event') frame = await app.next();
      expect(frame).toMatchObject({ post_type: 'message', raw_message: 'to all', group_id: 9 });
      let beat = await app.next();
      while (beat.meta_event_type !== 'heartbeat') beat = await app.next();
      expect(beat).toMatchObject({ post_type: 'meta_event', self_id: 10001, interval: 150 });
    }
    expect(api.inbox).toEqual([]);
  });

  it('a send with no event socket connected rejects with NoRecipient; the client stays open', async () => {
    const { client } = await listening();
    await expect(client.sendText('nobody', 'private', { targetId: 2 })).rejects.toMatchObject({ code: ErrorCode.NoRecipient });
    expect(client.state.status).toBe('open');
  });
});

describe('forward WebSocket: bad input', () => {
  it('malformed JSON is reported and the socket keeps working; a malformed call with an echo gets 1400', async () => {
    const { url, error } = await listening();
    const app = await open(`${url}api`);
    app.send('{"action": "get_status", ');
    expect((await error(ErrorCode.InvalidJson)).code).toBe(ErrorCode.InvalidJson);
    app.send({ action: 42, echo: 'bad' });
    expect(await app.next()).toMatchObject({ status: 'failed', retcode: 1400, echo: 'bad' });
    app.send({ action: 'nope', echo: 'x' });
    expect(await app.next()).toMatchObject({ retcode: 1404, echo: 'x' });
    app.send({ action: 'get_status', echo: 'ok' });
    expect(await app.next()).toMatchObject({ retcode: 0, echo: 'ok' });
  });

  it('a message over maxPayload closes that socket with 1009; the others are unaffected', async () => {
    const { url } = await listening({ maxPayload: 1024 });
    const big = await open(`${url}api`);
    const other = await open(`${url}api`);
    big.send({ action: 'get_status', params: { pad: 'x'.repeat(2000) } });
    expect((await big.closed).code).toBe(1009);
    other.send({ action: 'get_status', echo: 1 });
    expect(await other.next()).toMatchObject({ echo: 1 });
  });

  it('a socket that does not read is closed as too slow once highWaterMark bytes wait for it', async () => {
    const { url, client, error, errors } = await listening({}, { highWaterMark: 64 * 1024 });
    const slow = await open(`${url}event`);
    const fast = await open(`${url}event`);
    await slow.next();
    await fast.next();
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading from TCP
    const text = 'x'.repeat(16 * 1024);
    // Bounded: at most 2,000 events of 16 KiB (32 MiB), stopping at the report.
    for (let sent = 0; sent < 2000 && !errors.some((e) => e.code === ErrorCode.SlowPeer); sent++) {
      await client.sendText(text, 'private', { targetId: 2 });
      if (sent % 20 === 0) await sleep(5);
      fast.inbox.splice(0);
    }
    const e = await error(ErrorCode.SlowPeer);
    expect(e.data).toMatchObject({ highWaterMark: 64 * 1024 });
    // The fast socket still gets events.
    fast.inbox.splice(0);
    await client.sendText('still here', 'private', { targetId: 2 });
    await eventually(() => fast.inbox.some((f) => (f as { raw_message?: string }).raw_message === 'still here'), 3000, 'the fast socket got the event');
  });

  it('thousands of idle sockets are held; past maxConnections the upgrade is refused with 503; calls are still answered', async () => {
    const { url } = await listening({ maxConnections: 2000 });
    const idle: WebSocket[] = [];
    for (let i = 0; i < 1999; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, 1999 - i) }, () => new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${url}event`);
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        })),
      );
      idle.push(...batch);
    }
    try {
      const app = await open(`${url}api`);
      expect((await refusal(`${url}api`)).status).toBe(503);
      app.send({ action: 'get_status', echo: 'busy' });
      expect(await app.next()).toMatchObject({ echo: 'busy', retcode: 0 });
    } finally {
      for (const ws of idle) ws.terminate();
    }
  }, 60_000);

  it('a port already taken: ListenFailed is reported and the client stops', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const ws = forwardWs({ port });
      const { client, error } = await start({ transports: [ws] });
      expect((await error(ErrorCode.ListenFailed)).message).toMatch(/EADDRINUSE/);
      expect(client.state.status).toBe('closed');
    } finally {
      blocker.close();
    }
  });

  it('disconnect closes the application sockets with 1001 and frees the port', async () => {
    const { url, client, ws } = await listening();
    const app = await open(url);
    const port = ws.address!.port;
    await client.disconnect();
    expect((await app.closed).code).toBe(1001);
    expect(ws.address).toBeUndefined();
    const again = forwardWs({ port });
    const { client: second } = await start({ transports: [again] });
    expect(second.state.status).toBe('open');
  });
});
