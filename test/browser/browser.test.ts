/**
 * The browser claim, proven: the root entry bundled for the browser (esbuild), loaded in headless
 * Chromium (Debian's /usr/bin/chromium driven by playwright-core), talks OneBot v11 to the reference
 * server with the token in `?access_token=` (browsers cannot set WebSocket headers).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { filter, take, timeout } from 'rxjs/operators';
import { bundleForBrowser, isNodeBuiltin, type BrowserBundle } from '../../scripts/browser-bundle';
import { createReferenceServer, type ReferenceServer } from '../../src/server';
import { createClient, silentLogger, type OneBotClient } from '../../src/index';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-secret-token';

let bundle: BrowserBundle;
let browser: Browser;
let page: Page;
let server: ReferenceServer;
let pageServer: http.Server;
let pageUrl: string;
let nodeBot: OneBotClient;

beforeAll(async () => {
  // Fail loudly: a missing browser must never turn into a skipped suite.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium)`);
  bundle = await bundleForBrowser();
  server = await createReferenceServer({ port: 0, accessToken: TOKEN });
  pageServer = http.createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.code);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script type="module">import * as sdk from "/bundle.js"; window.sdk = sdk; window.ready = true;</script>');
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(pageUrl);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10000 });
  nodeBot = createClient({ url: server.url, selfId: 777, accessToken: TOKEN, logger: silentLogger, reconnectInterval: 100 });
  nodeBot.connect();
  await firstValueFrom(nodeBot.state$.pipe(filter((s) => s.status === 'open'), take(1), timeout(5000)));
});

afterAll(async () => {
  await nodeBot?.disconnect();
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
});

describe('browser bundle', () => {
  it('contains no Node built-ins and no Node-only ws implementation', () => {
    expect(bundle.externalImports.filter(isNodeBuiltin)).toEqual([]);
    expect(bundle.externalImports).toEqual([]);
    const nodeOnly = bundle.inputs.filter((i) => /node_modules\/ws\/(lib|index)/.test(i.path) || /(^|\/)src\/(server|cli)\//.test(i.path));
    expect(nodeOnly).toEqual([]);
    expect(bundle.code).not.toMatch(/require\(["'](node:)?(fs|net|http|https|tls|events|stream|zlib|crypto)["']\)/);
  });
});

describe('in headless Chromium', () => {
  it('connects with the token as a query parameter, sends and receives typed events', async () => {
    await page.evaluate(
      ({ url, token }) => {
        const w = window as unknown as Record<string, any>;
        const { createClient, isGroup, silentLogger } = w.sdk;
        const client = createClient({ url, selfId: 4242, accessToken: token, heartbeatInterval: 200, logger: silentLogger, reconnectInterval: 100 });
        w.client = client;
        w.states = [];
        w.groupMessages = [];
        w.privateMessages = [];
        client.state$.subscribe((s: { status: string }) => w.states.push(s.status));
        client.messages$.subscribe((m: any) => (isGroup(m) ? w.groupMessages : w.privateMessages).push(m));
        client.connect();
      },
      { url: server.url, token: TOKEN },
    );
    await page.waitForFunction(() => (window as any).states.includes('open'), undefined, { timeout: 10000 });

    // The server saw the browser bot: the token came in the query, not a header; the handshake was the connect event.
    const bot = await server.waitForBot(4242, 5000);
    expect(bot.selfId).toBe(4242);
    const record = server.connections.find((c) => c.selfId === 4242);
    expect(record?.headers['authorization']).toBeUndefined();
    expect(record?.url).toContain('access_token=');
    expect(record?.url).not.toContain(TOKEN);
    expect(server.events(4242)[0]?.event).toMatchObject({ post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });

    // Browser → Node: a private message routed by target_id.
    const privateArrived = firstValueFrom(nodeBot.privateMessages$.pipe(filter((m) => m.raw_message === 'hello from the browser'), take(1), timeout(5000)));
    const sent = await page.evaluate(async () => {
      await (window as any).client.sendText('hello from the browser', 'private', { targetId: 777 });
      return true;
    });
    expect(sent).toBe(true);
    const got = await privateArrived;
    expect(got).toMatchObject({ post_type: 'message', message_type: 'private', self_id: 777, user_id: 4242 });

    // Node → browser: a group message reaches every other bot, typed and narrowed by isGroup in the page.
    await nodeBot.sendText('hello browser group', 'group', { groupId: 9000 });
    await page.waitForFunction(() => (window as any).groupMessages.length > 0, undefined, { timeout: 5000 });
    const groupMessage = await page.evaluate(() => (window as any).groupMessages[0]);
    expect(groupMessage).toMatchObject({ message_type: 'group', group_id: 9000, self_id: 4242, user_id: 777, raw_message: 'hello browser group' });
    expect(groupMessage.message).toEqual([{ type: 'text', data: { text: 'hello browser group' } }]);

    // Heartbeats flow from the page.
    await server.waitFor(() => (server.bots().find((b) => b.selfId === 4242)?.heartbeats ?? 0) >= 2, 5000);

    await page.evaluate(() => (window as any).client.disconnect());
    await page.waitForFunction(() => (window as any).states.includes('closed'), undefined, { timeout: 5000 });
  });

  it('a wrong token is refused and reported, and the page keeps running', async () => {
    const errors = await page.evaluate(async ({ url }) => {
      const w = window as unknown as Record<string, any>;
      const { createClient, silentLogger } = w.sdk;
      const client = createClient({ url, selfId: 4343, accessToken: 'wrong', logger: silentLogger, reconnectInterval: 100, maxReconnectAttempts: 2 });
      const seen: string[] = [];
      client.errors$.subscribe((e: { code: string; message: string }) => seen.push(`${e.code}: ${e.message}`));
      client.connect();
      const reason = await client.run();
      return { seen, reason: String(reason?.code ?? reason) };
    }, { url: server.url });
    expect(errors.seen.length).toBeGreaterThan(0);
    expect(server.rejections.some((r) => r.status === 403)).toBe(true);
    expect(errors.seen.join('\n')).not.toContain('wrong');
    expect(server.bots().some((b) => b.selfId === 4343)).toBe(false);
  });
});

describe('examples/browser (the page a user opens)', () => {
  let dir: string;
  let exampleServer: ChildProcessWithoutNullStreams | undefined;
  let exampleUrl: string;

  beforeAll(async () => {
    // Built by the example's own script and served by its own serve.mjs, exactly as
    // docs/guides/browser.md tells users to (into a scratch folder, so the clone stays clean).
    dir = mkdtempSync(path.join(tmpdir(), 'onebot-rx-browser-example-'));
    execFileSync(process.execPath, [path.resolve(__dirname, '../../examples/browser/build.mjs'), '--outdir', path.join(dir, 'dist')], { stdio: 'pipe' });
    copyFileSync(path.resolve(__dirname, '../../examples/browser/index.html'), path.join(dir, 'index.html'));
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../examples/browser/serve.mjs'), '--port', '0', '--root', dir]);
    exampleServer = child;
    exampleUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/index\.html)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
    });
  });

  afterAll(async () => {
    exampleServer?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects from its query string, shows the state, and its form sends a group message', async () => {
    const examplePage = await browser.newPage();
    try {
      const query = new URLSearchParams({ url: server.url, self_id: '5151', access_token: TOKEN });
      await examplePage.goto(`${exampleUrl}?${query}`);
      await examplePage.waitForFunction(() => Array.from(document.querySelectorAll('#log li')).some((li) => li.textContent === '[open]'), undefined, { timeout: 10000 });
      await server.waitForBot(5151, 5000);

      const arrived = firstValueFrom(nodeBot.groupMessages$.pipe(filter((m) => m.user_id === 5151), take(1), timeout(5000)));
      await examplePage.fill('input[name=group_id]', '4242');
      await examplePage.fill('input[name=text]', 'typed in the page <b>');
      await examplePage.click('#send button');
      expect(await arrived).toMatchObject({ group_id: 4242, raw_message: 'typed in the page <b>', self_id: 777 });
      await examplePage.waitForFunction(() => Array.from(document.querySelectorAll('#log li')).some((li) => li.textContent === 'sent to group 4242: typed in the page <b>'), undefined, { timeout: 5000 });
      // Messages are shown as text, never as markup.
      expect(await examplePage.locator('#log b').count()).toBe(0);
    } finally {
      await examplePage.close();
    }
    await server.waitForDisconnect(5151, 5000);
  });
});

