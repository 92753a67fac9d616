/**
 * `onebot-rx play` without a browser: the first line is the page's address; the page, its script
 * and its configuration are served on 127.0.0.1 (the configuration, files and the relay only with
 * the page key); the relay dials the bot server with the headers and token a page cannot send,
 * copies frames both ways, and reports a refused token; allowed files and uploads; bad worlds; the
 * listening transports as the command shows them (where they listen, who connects, a taken port,
 * --help). What they relay is in test/playground/listening.test.ts; the page itself runs in
 * headless Chromium in test/browser/playground.test.ts.
 */
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { startPlayServer } from '../../src/playground/server';
import { createReferenceServer, type ReferenceServer } from '../../src/server';
import { busyPort, runInProcess, type InProcessRun } from './helpers';

const TOKEN = 'play-secret';
const runs: InProcessRun[] = [];
const servers: ReferenceServer[] = [];

afterEach(async () => {
  for (const r of runs.splice(0)) {
    r.abort.abort();
    await r.exit;
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const play = async (args: string[]): Promise<{ run: InProcessRun; page: URL; key: string; base: string }> => {
  const run = runInProcess(['play', ...args]);
  runs.push(run);
  const first = (await run.stdout.waitFor(/\n/, 10_000)).split('\n')[0]!;
  const page = new URL(first);
  const key = new URLSearchParams(page.hash.slice(1)).get('key')!;
  return { run, page, key, base: `${page.protocol}//${page.host}` };
};

/** Dials the relay as the page's client would (key as ?access_token=). */
const dialRelay = (base: string, key: string | undefined, origin?: string): Promise<{ ws?: WebSocket; status?: number }> =>
  new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/bot${key === undefined ? '' : `?access_token=${encodeURIComponent(key)}`}`, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    ws.once('error', () => resolve({ status: -1 }));
  });

const connectEvent = (selfId: number): string =>
  JSON.stringify({ time: Math.floor(Date.now() / 1000), self_id: selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });

describe('onebot-rx play', () => {
  it('prints the page address first; serves the page and its script; the rest needs the key', async () => {
    const { page, key, base, run } = await play(['--url', 'ws://127.0.0.1:9/ws/', '--self-id', '4242']);
    expect(page.hostname).toBe('127.0.0.1');
    expect(key.length).toBeGreaterThanOrEqual(20);
    await run.stdout.waitFor('Ctrl-C stops');
    const html = await fetch(`${base}/`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('<script src="/app.js">');
    const script = await (await fetch(`${base}/app.js`)).text();
    expect(script.length).toBeGreaterThan(10_000);
    expect((await fetch(`${base}/config.json`)).status).toBe(403);
    expect((await fetch(`${base}/config.json?key=wrong`)).status).toBe(403);
    // The favicon a browser asks for on its own: nothing, and no 403 in the console.
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(204);
    const config = (await (await fetch(`${base}/config.json?key=${key}`)).json()) as { selfId: number; world: { bot: { user_id: number }; groups: unknown[] } };
    expect(config.selfId).toBe(4242);
    // The default world: its bot is the --self-id, with a group to talk in.
    expect(config.world.bot.user_id).toBe(4242);
    expect(config.world.groups.length).toBeGreaterThan(0);
    expect((await dialRelay(base, undefined)).status).toBe(403);
    expect((await dialRelay(base, 'wrong')).status).toBe(403);
    expect((await dialRelay(base, key, 'http://evil.example')).status).toBe(403);
    await run.stderr.waitFor('refused a page connection: foreign origin');
    run.abort.abort();
    await expect(run.exit).resolves.toBe(0);
  });

  it('relays: the bot server sees X-Self-ID, X-Client-Role and the token; frames go both ways unchanged', async () => {
    const server = await createReferenceServer({ port: 0, accessToken: TOKEN });
    servers.push(server);
    const { key, base, run } = await play(['--url', server.url, '--self-id', '777', '--token', TOKEN]);
    const { ws } = await dialRelay(base, key, base);
    expect(ws).toBeDefined();
    ws!.send(connectEvent(777));
    const bot = await server.waitForBot(777);
    expect(bot.selfId).toBe(777);
    const conn = server.connections.find((c) => c.selfId === 777)!;
    expect(conn.headers['x-self-id']).toBe('777');
    expect(conn.headers['x-client-role']).toBe('Universal');
    expect(String(conn.headers['user-agent'])).toMatch(/^OneBot\/11 onebot-rx\//);
    expect(conn.url).not.toContain(key);
    // Server → page: an API call arrives as sent; page → server: the answer reaches the caller.
    ws!.on('message', (data) => {
      const call = JSON.parse(String(data)) as { action: string; echo: unknown };
      if (call.action === 'get_status') ws!.send(JSON.stringify({ status: 'ok', retcode: 0, data: { online: true, good: true }, echo: call.echo }));
    });
    const answer = await server.callApi(777, 'get_status', {});
    expect(answer.data).toEqual({ online: true, good: true });
    await run.stdout.waitFor('connected to the bot server');
    // The page goes: the relay closes its side of the bot server too.
    ws!.close(1000);
    await server.waitForDisconnect(777);
  });

  it('a refused token: the page upgrade gets the same status, /status and the terminal say why', async () => {
    const server = await createReferenceServer({ port: 0, accessToken: TOKEN });
    servers.push(server);
    const { key, base, run } = await play(['--url', server.url, '--self-id', '777', '--token', 'not-the-token-42']);
    expect((await dialRelay(base, key, base)).status).toBe(403);
    const status = (await (await fetch(`${base}/status?key=${key}`)).json()) as { bot: string; detail: string };
    expect(status.bot).toBe('refused');
    expect(status.detail).toMatch(/HTTP 403.*token/);
    await run.stderr.waitFor('HTTP 403');
    expect(run.stdout.text() + run.stderr.text()).not.toContain('not-the-token-42');
  });

  it('an unreachable bot server: 502 to the page, and why', async () => {
    const { key, base, run } = await play(['--url', 'ws://127.0.0.1:9/ws/', '--self-id', '1']);
    expect((await dialRelay(base, key, base)).status).toBe(502);
    await run.stderr.waitFor('cannot reach the bot server');
  });

  it('shows files only under the --files folder; uploads are served like QQ image URLs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onebot-rx-play-files-'));
    const allowed = path.join(dir, 'allowed');
    mkdirSync(allowed);
    writeFileSync(path.join(allowed, 'cat.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(allowed, 'link.txt'));
    const { key, base } = await play(['--url', 'ws://127.0.0.1:9/ws/', '--files', allowed]);
    const get = (p: string, k = key) => fetch(`${base}/file?key=${k}&path=${encodeURIComponent(p)}`);
    const ok = await get(path.join(allowed, 'cat.png'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect((await get(path.join(dir, 'secret.txt'))).status).toBe(403);
    expect((await get(path.join(allowed, '..', 'secret.txt'))).status).toBe(403);
    expect((await get(path.join(allowed, 'link.txt'))).status).toBe(403);
    expect((await get(path.join(allowed, 'cat.png'), 'wrong')).status).toBe(403);
    expect((await get(path.join(allowed, 'missing.png'))).status).toBe(404);

    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC', 'base64');
    const up = await fetch(`${base}/upload?key=${key}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    expect(up.status).toBe(200);
    const { file, url } = (await up.json()) as { file: string; url: string };
    expect(file).toMatch(/^[0-9A-F]{32}\.png$/);
    const served = await fetch(url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
    expect((await fetch(`${base}/upload?key=${key}`, { method: 'POST', headers: { 'content-type': 'text/html' }, body: '<b>' })).status).toBe(415);
    expect((await fetch(`${base}/upload`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })).status).toBe(403);
  });

  it('a bad world file, or a world whose bot is not --self-id, is a usage error (exit 2)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onebot-rx-play-world-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ bot: { user_id: 1 }, groups: [{ group_id: 2, members: [{ user_id: 3, role: 'boss' }] }] }));
    const r1 = runInProcess(['play', '--url', 'ws://127.0.0.1:9/', '--world', bad]);
    await expect(r1.exit).resolves.toBe(2);
    expect(r1.stderr.text() + r1.stdout.text()).toMatch(/invalid world.*groups\.0\.members\.0\.role/);

    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'bot: { user_id: 5, nickname: B }\n');
    const r2 = runInProcess(['play', '--url', 'ws://127.0.0.1:9/', '--world', good, '--self-id', '6']);
    await expect(r2.exit).resolves.toBe(2);
    expect(r2.stderr.text() + r2.stdout.text()).toContain("the world's bot is 5 but --self-id is 6");

    const r3 = runInProcess(['play', '--world', good]);
    await expect(r3.exit).resolves.toBe(2);
    expect(r3.stderr.text()).toContain('no transport: give --url (the reverse WebSocket URL of your bot server), --ws-listen HOST:PORT, --http-listen HOST:PORT or --http-post URL (any mix)');
  });

  it('a bot server that stops answering pings is dropped, and the page sees the close (it redials)', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const server = await startPlayServer({ botUrl: url, selfId: 1, assets: { html: '', script: '' }, config: {}, key: 'k'.repeat(24), pingInterval: 100 });
    try {
      const base = server.pageUrl.split('/#')[0]!;
      const { ws } = await dialRelay(base, 'k'.repeat(24), base);
      const closed = await new Promise<number>((resolve) => ws!.once('close', (code) => resolve(code)));
      expect(closed).toBe(1011);
      expect(server.status.bot).toBe('closed');
    } finally {
      await server.close();
      for (const c of silent.clients) c.terminate();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('listening transports instead of --url: the page address first, then where each listens; who connects or is refused', async () => {
    const { run, key, base } = await play(['--ws-listen', '127.0.0.1:0', '--http-listen', '0', '--http-post', 'http://127.0.0.1:9/onebot/v11/http', '--secret', 'sign-me-42', '--token', TOKEN, '--self-id', '4242']);
    await run.stdout.waitFor('Ctrl-C stops');
    const out = run.stdout.text();
    expect(out.split('\n')[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=/);
    const wsUrl = /forward WS listening on (ws:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    const httpUrl = /HTTP API listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    expect(wsUrl).toBeDefined();
    expect(httpUrl).toBeDefined();
    expect(out).toContain(`the page's bot (4242) reaches your bot server through this process by forward WS ${wsUrl} (/, /api, /event); HTTP API ${httpUrl}; HTTP POST → http://127.0.0.1:9/onebot/v11/http (signed) (with the access token)`);
    // The page learns the same, for its status line.
    const config = (await (await fetch(`${base}/config.json?key=${key}`)).json()) as { links: string[] };
    expect(config.links).toEqual([`forward WS ${wsUrl} (/, /api, /event)`, `HTTP API ${httpUrl}`, 'HTTP POST → http://127.0.0.1:9/onebot/v11/http (signed)']);
    // An application dials in: reported; one without the token: refused, and reported.
    const app = new WebSocket(`${wsUrl!}event`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await new Promise((resolve) => app.once('open', resolve));
    await run.stdout.waitFor('an application connected to forward WS /event from 127.0.0.1:');
    app.close();
    await run.stdout.waitFor('an application disconnected from forward WS /event');
    expect((await fetch(`${httpUrl!}get_status`)).status).toBe(401);
    await run.stderr.waitFor('HTTP API refused 127.0.0.1:');
    // No page yet: an HTTP API call gets a failed answer saying so.
    const noPage = (await (await fetch(`${httpUrl!}get_status?access_token=${TOKEN}`)).json()) as { retcode: number; message: string };
    expect(noPage).toMatchObject({ retcode: 1503, message: expect.stringContaining('no playground page is connected') });
    expect(run.stdout.text() + run.stderr.text()).not.toMatch(/sign-me-42|play-secret/);
  });

  it('a listening port already taken: exit 5, and which flag to change', async () => {
    const busy = await busyPort();
    try {
      const r = runInProcess(['play', '--ws-listen', `127.0.0.1:${busy.port}`]);
      await expect(r.exit).resolves.toBe(5);
      expect(r.stderr.text()).toMatch(/EADDRINUSE.*choose another --port, --ws-listen or --http-listen/);
      expect(r.stdout.text()).toBe('');
    } finally {
      await busy.release();
    }
  });

  it('--help lists every transport flag', async () => {
    const r = runInProcess(['play', '--help']);
    await expect(r.exit).resolves.toBe(0);
    const help = r.stdout.text();
    for (const flag of ['--url <url>', '--ws-listen <host:port>', '--http-listen <host:port>', '--http-post <url>', '--secret <secret>', '--token <token>']) expect(help).toContain(flag);
    expect(help).toContain('At least one transport, in any mix: --url, --ws-listen, --http-listen, --http-post.');
  });
});
