import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { httpPost } from '../../src/client/listening';
import { ErrorCode } from '../../src/protocol/errors';
import type { SentMessage } from '../../src/client/builtins';
import { eventually, sleep, start, stopAll } from './helpers';

/** An application end: records every POST; `answer` decides the response. */
interface App {
  readonly url: string;
  readonly posts: { headers: IncomingHttpHeaders; body: string }[];
  answer: (body: string, res: ServerResponse) => void;
  close(): void;
}

const apps: App[] = [];
afterEach(async () => {
  await stopAll();
  for (const app of apps.splice(0)) app.close();
});

const application = async (answer: App['answer'] = (_b, res) => res.writeHead(204).end()): Promise<App> => {
  const app = { posts: [], answer } as unknown as App & { url: string };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      app.posts.push({ headers: req.headers, body });
      app.answer(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(app, {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/onebot/v11/http`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  });
  apps.push(app);
  return app;
};

const json = (res: ServerResponse, value: unknown): void => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));

describe('HTTP POST: what is sent', () => {
  it('each event once to every URL, as JSON with X-Self-ID and an X-Signature HMAC-SHA1 of the exact body', async () => {
    const [a, b] = [await application(), await application()];
    const { client } = await start({ transports: [httpPost({ urls: [a.url, b.url], secret: 'k3y' })] });
    await client.sendText('héllo', 'private', { targetId: 2 });
    for (const app of [a, b]) {
      expect(app.posts).toHaveLength(1);
      const { headers, body } = app.posts[0]!;
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-self-id']).toBe('10001');
      expect(headers['x-signature']).toBe(`sha1=${createHmac('sha1', 'k3y').update(Buffer.from(body, 'utf8')).digest('hex')}`);
      expect(JSON.parse(body)).toMatchObject({ post_type: 'message', raw_message: 'héllo', self_id: 10001 });
    }
  });

  it('no secret, no X-Signature; heartbeats are posted too', async () => {
    const app = await application();
    await start({ heartbeatInterval: 100, transports: [httpPost({ urls: [app.url] })] });
    await eventually(() => app.posts.length >= 2, 2000, 'two heartbeats');
    expect(app.posts[0]!.headers['x-signature']).toBeUndefined();
    expect(JSON.parse(app.posts[0]!.body)).toMatchObject({ post_type: 'meta_event', meta_event_type: 'heartbeat', interval: 100 });
  });
});

describe('HTTP POST: quick operations', () => {
  it('a reply in the answer is performed by the .handle_quick_operation handler (with @sender in groups)', async () => {
    const app = await application((body, res) => json(res, JSON.parse(body).message_type === 'group' ? { reply: 'group hi' } : { reply: 'hi back', at_sender: false }));
    const { client } = await start({ transports: [httpPost({ urls: [app.url] })] });
    const sent: SentMessage[] = [];
    client.sent$.subscribe((m) => sent.push(m));
    await client.sendText('hi', 'private', { targetId: 2, userId: 2 });
    await client.sendText('hi', 'group', { groupId: 9, userId: 3 });
    await eventually(() => sent.length === 2, 2000, 'both replies');
    expect(sent.map((m) => [m.action, m.messageType, m.rawMessage])).toEqual([
      ['.handle_quick_operation', 'private', 'hi back'],
      ['.handle_quick_operation', 'group', '[CQ:at,qq=3] group hi'],
    ]);
  });

  it('204, an empty body or {} is no operation', async () => {
    let n = 0;
    const app = await application((_b, res) => (n++ === 0 ? res.writeHead(204).end() : n === 2 ? res.writeHead(200).end() : json(res, {})));
    const { client, errors } = await start({ transports: [httpPost({ urls: [app.url] })] });
    const requests: unknown[] = [];
    client.requests$.subscribe((r) => requests.push(r));
    for (let i = 0; i < 3; i++) await client.sendText('x', 'private', { targetId: 2 });
    await sleep(50);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a quick operation the handler refuses is reported', async () => {
    const app = await application((_b, res) => json(res, { reply: { not: 'a message' } }));
    const { client, error } = await start({ transports: [httpPost({ urls: [app.url] })] });
    await client.sendText('x', 'private', { targetId: 2 });
    expect((await error(ErrorCode.PostFailed)).message).toMatch(/quick operation not performed/);
  });
});

describe('HTTP POST: failures are reported, never block', () => {
  it('a target that hangs times out and is reported; the events after it are not held up', async () => {
    const hanging = await application((body, res) => {
      if (JSON.parse(body).raw_message === 'first') return; // never answers
      res.writeHead(204).end();
    });
    const { client, error } = await start({ transports: [httpPost({ urls: [hanging.url], timeout: 300 })] });
    const first = client.sendText('first', 'private', { targetId: 2 });
    await client.sendText('second', 'private', { targetId: 2 });
    expect(hanging.posts.map((p) => JSON.parse(p.body).raw_message)).toEqual(['first', 'second']);
    const e = await error(ErrorCode.PostFailed);
    expect(e.message).toMatch(/no answer within 300 ms/);
    expect(e.data.frames).toEqual([hanging.posts[0]!.body]);
    await first; // settled: answered or failed and reported
  });

  it('garbage in the answer, a non-2xx status, and an unreachable URL are each reported', async () => {
    const garbage = await application((_b, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>oops'));
    const status = await application((_b, res) => res.writeHead(500).end());
    const gone = await application();
    gone.close();
    const { client, errors } = await start({ transports: [httpPost({ urls: [garbage.url, status.url, gone.url] })] });
    await client.sendText('x', 'private', { targetId: 2 });
    const messages = errors.filter((e) => e.code === ErrorCode.PostFailed).map((e) => e.message);
    expect(messages).toHaveLength(3);
    expect(messages.join('\n')).toMatch(/not JSON/);
    expect(messages.join('\n')).toMatch(/HTTP 500/);
    expect(messages.join('\n')).toMatch(/ECONNREFUSED/);
  });

  it('an answer over maxResponse is not read to the end, and is reported', async () => {
    const app = await application((_b, res) => json(res, { reply: 'x'.repeat(10_000) }));
    const { client, error } = await start({ transports: [httpPost({ urls: [app.url], maxResponse: 1000 })] });
    await client.sendText('x', 'private', { targetId: 2 });
    expect((await error(ErrorCode.PostFailed)).message).toMatch(/over maxResponse/);
  });

  it('an application checking the signature with another secret answers 403: reported with the hint', async () => {
    const app = await application((body, res) => {
      const want = `sha1=${createHmac('sha1', 'their-secret').update(body).digest('hex')}`;
      return app.posts.at(-1)!.headers['x-signature'] === want ? res.writeHead(204).end() : res.writeHead(403).end();
    });
    const { client, error } = await start({ transports: [httpPost({ urls: [app.url], secret: 'our-secret' })] });
    await client.sendText('x', 'private', { targetId: 2 });
    const e = await error(ErrorCode.PostFailed);
    expect(e.message).toMatch(/HTTP 403: the application refused the signature or token \(is its secret the same as ours\?\)/);
    expect(e.message).not.toMatch(/our-secret/);
  });

  it('past concurrency + queueLimit, events are dropped and reported instead of piling up', async () => {
    const app = await application(() => undefined); // never answers
    const { client, errors } = await start({ transports: [httpPost({ urls: [app.url], concurrency: 1, queueLimit: 2, timeout: 0 })] });
    const sends = Array.from({ length: 5 }, (_, i) => client.sendText(`m${i}`, 'private', { targetId: 2 }));
    await Promise.all(sends.slice(3));
    // The three taken are still waiting on the silent target: they reject once the client stops.
    for (const s of sends.slice(0, 3)) s.catch(() => undefined);
    const dropped = errors.filter((e) => e.code === ErrorCode.PostFailed);
    expect(dropped.map((e) => JSON.parse((e.data.frames as string[])[0]!).raw_message)).toEqual(['m3', 'm4']);
    expect(dropped[0]!.message).toMatch(/queueLimit 2, concurrency 1/);
  });

  it('disconnect aborts POSTs in flight: their sends reject with ClientClosed', async () => {
    const app = await application(() => undefined);
    const { client } = await start({ transports: [httpPost({ urls: [app.url], timeout: 0 })] });
    const pending = client.sendText('x', 'private', { targetId: 2 });
    await eventually(() => app.posts.length === 1, 2000, 'the POST arrived');
    await client.disconnect();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ClientClosed });
  });

  it('bad options name themselves', () => {
    expect(() => httpPost({ urls: [] })).toThrow('onebot-rx: httpPost option urls must be a non-empty array of http:// or https:// URLs');
    expect(() => httpPost({ urls: ['ws://x'] })).toThrow('onebot-rx: httpPost option urls must be http:// or https:// URLs, got "ws://x"');
    expect(() => httpPost({ urls: ['http://x'], timeout: -1 })).toThrow('onebot-rx: httpPost option timeout must be an integer >= 0, got -1');
  });
});
