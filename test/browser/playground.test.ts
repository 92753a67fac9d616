/**
 * The playground (`onebot-rx play`, docs/guides/playground.md) in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core), against real bot servers on 127.0.0.1:
 *
 * - NoneBot2 behind an access token, with its built-in echo plugin, the world probe plugin and a
 *   community plugin (nonebot-plugin-repeater);
 * - Koishi with the interop peer's echo middleware;
 * - the listening transports (`--ws-listen`, `--http-listen`, `--http-post`): NoneBot2 with its
 *   forward-WebSocket driver (ONEBOT_WS_URLS), Koishi with `protocol: 'http'` (our HTTP API, our
 *   signed HTTP POST);
 * - our reference server (the relay's headers and the page's rendering of every segment kind).
 *
 * Each framework: (1) `/echo hi` typed as a member of the default group, the reply bubble appears;
 * (2) the bot's reply quoted with a command; (3) a message recalled. Screenshots of each state go
 * to docs/images/ (committed: the guide and the README show them).
 *
 * Needs the interop peers (`bash scripts/interop-setup.sh`; `npm run test:browser` runs it first).
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createReferenceServer, type ReferenceServer } from '../../src/server';
import { bundlePlayground, ownBytes } from '../../scripts/playground-bundle';
import { runInProcess, type InProcessRun } from '../cli/helpers';
import { assertPeersInstalled, freePort, startPeer, stopAllPeers, type Peer, type PeerLine } from '../interop/harness';

const CHROMIUM = '/usr/bin/chromium';
const IMAGES = path.resolve(__dirname, '../../docs/images');
const SELF_ID = 10001000;
const GROUP = 123456;
const ALICE = 20002000;
const BOB = 20003000;
const CAROL = 20004000;
const TOKEN = 'playground-secret';
const WAIT = 15_000;

const WORLD = {
  bot: { user_id: SELF_ID, nickname: 'InteropBot' },
  users: [
    { user_id: ALICE, nickname: 'Alice' },
    { user_id: BOB, nickname: 'Bob' },
    { user_id: CAROL, nickname: 'Carol' },
  ],
  friends: [{ user_id: ALICE }],
  groups: [
    {
      group_id: GROUP,
      group_name: 'Interop',
      members: [
        { user_id: ALICE, role: 'owner', card: 'Alice ✿' },
        { user_id: BOB, card: 'Bobby' },
        { user_id: SELF_ID, role: 'admin' },
      ],
    },
  ],
};

/** A small RGB gradient PNG (an image that shows in the screenshots), made here: no binary fixture. */
const gradientPng = (w: number, h: number): Buffer => {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) rows.set([Math.round((255 * x) / w), Math.round((255 * y) / h), 200], y * (w * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
};

let browser: Browser;
const runs: InProcessRun[] = [];
const contexts: BrowserContext[] = [];
let worldFile: string;
/** The folder given to --files: the page may show what is in it. */
let filesDir: string;

beforeAll(async () => {
  // Fail loudly: a missing browser or peer must never turn into a skipped suite.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium)`);
  assertPeersInstalled(['nonebot', 'koishi']);
  mkdirSync(IMAGES, { recursive: true });
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  worldFile = path.join(mkdtempSync(path.join(tmpdir(), 'onebot-rx-play-')), 'world.json');
  writeFileSync(worldFile, JSON.stringify(WORLD));
  filesDir = mkdtempSync(path.join(tmpdir(), 'onebot-rx-play-files-'));
  writeFileSync(path.join(filesDir, 'local.png'), gradientPng(32, 32));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  for (const r of runs.splice(0)) {
    r.abort.abort();
    await r.exit;
  }
});

afterAll(async () => {
  await browser?.close();
  await stopAllPeers();
});

/** Runs `onebot-rx play --url` in this process and opens its page; resolves once the page's bot is connected. */
const openPlayground = (url: string, extra: string[] = []): Promise<{ page: Page; run: InProcessRun; pageUrl: string }> => launchPlayground(['--url', url, ...extra]);

/** Runs `onebot-rx play` with these transport flags in this process and opens its page; resolves once the page's bot is connected. */
const launchPlayground = async (args: string[]): Promise<{ page: Page; run: InProcessRun; pageUrl: string }> => {
  const run = runInProcess(['play', '--world', worldFile, ...args]);
  runs.push(run);
  const firstLine = (await run.stdout.waitFor(/\n/, WAIT)).split('\n')[0]!;
  expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=[\w-]+$/);
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(firstLine);
  await page.getByRole('status').filter({ hasText: 'connected as' }).waitFor({ timeout: WAIT });
  expect(errors).toEqual([]);
  return { page, run, pageUrl: firstLine };
};

const shot = async (page: Page, name: string): Promise<void> => {
  await page.screenshot({ path: path.join(IMAGES, name) });
};

const log = (page: Page) => page.getByRole('log');
const botBubble = (page: Page, text: string | RegExp) => log(page).locator('li.msg[data-from="bot"] .bubble').filter({ hasText: text });
const compose = (page: Page) => page.getByRole('textbox', { name: 'Message' });

/** Types into the compose box and presses Enter. */
const send = async (page: Page, text: string): Promise<void> => {
  await compose(page).fill(text);
  await compose(page).press('Enter');
};

const mentionBot = async (page: Page): Promise<void> => {
  await page.getByRole('combobox', { name: 'Mention someone' }).selectOption({ label: '@InteropBot (bot)' });
};

const waitLine = (peer: Peer, since: number, predicate: (l: PeerLine) => boolean): Promise<PeerLine> => peer.waitForLine(predicate, WAIT, { since });

describe('page bundle', () => {
  it('is self-contained and small; its size is reported', async () => {
    const b = await bundlePlayground();
    const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
    // The figure the lead asked for, in the test output (also `npm run bench`).
    process.stdout.write(`playground page bundle: ${kb(b.bytes)} minified, ${kb(b.gzipBytes)} gzip (page's own code ${kb(ownBytes(b))})\n`);
    expect(b.inputs.filter((i) => /node_modules\/ws\/|src\/(server|cli)\/|src\/playground\/server/.test(i.path))).toEqual([]);
    expect(b.code).not.toMatch(/require\(["'](node:)?(fs|net|http|https|tls|zlib|crypto)["']\)/);
  });
});

describe('against NoneBot2 (access token, echo + world probe + nonebot-plugin-repeater)', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer('nonebot', {
      selfId: SELF_ID,
      token: TOKEN,
      env: {
        PEER_PLUGINS: 'nonebot.plugins.echo,nonebot_plugins.world_probe,nonebot_plugins.interop_probe,nonebot_plugin_repeater',
        PEER_CONFIG_JSON: JSON.stringify({ repeater_group: ['all'], repeater_min_message_times: 2 }),
      },
    });
  }, 60_000);
  afterAll(async () => peer?.stop());

  it('opens on the default group with a member selected; /echo hi gets its reply bubble; the quote works; a recall shows', async () => {
    const since = peer.mark();
    const { page } = await openPlayground(peer.url, ['--token', TOKEN]);
    await waitLine(peer, since, (l) => l.ev === 'bot_connect');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Interop');
    expect(await page.getByRole('combobox', { name: 'Speak as' }).inputValue()).toBe(String(ALICE));
    await expect(compose(page).evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    // (1) /echo needs the message addressed to the bot in a group: an @ first, from the menu.
    await mentionBot(page);
    await compose(page).pressSequentially('/echo hi');
    await compose(page).press('Enter');
    await botBubble(page, /^hi$/).waitFor({ timeout: WAIT });
    await shot(page, 'playground-echo.png');

    // (2) Quote the bot's reply and send a command: NoneBot2 resolves the quote with get_msg.
    await page.getByRole('button', { name: /^Quote InteropBot: hi/ }).click();
    await expect(page.locator('.reply-bar').textContent()).resolves.toContain('Quoting InteropBot: hi');
    await send(page, '/echo quoted');
    await botBubble(page, /^quoted$/).waitFor({ timeout: WAIT });
    await expect(page.locator('li.msg[data-from="user"] .quote').last().textContent()).resolves.toContain('InteropBot');
    // The inspector shows the get_msg call and the bot's reply time.
    await page.getByLabel('Filter frames').fill('get_msg');
    await page.locator('.frames li:not([hidden])').first().waitFor({ timeout: WAIT });
    await page.getByLabel('Filter frames').fill('');
    await shot(page, 'playground-quote.png');

    // (3) Recall Alice's last message: the page shows it recalled, NoneBot gets group_recall and answers.
    const recall = page.getByRole('button', { name: /^Recall Alice ✿'s message: \/echo quoted/ });
    await recall.click();
    await log(page).locator('li.msg.recalled').first().waitFor({ timeout: WAIT });
    await log(page).getByRole('note').filter({ hasText: 'Alice ✿ recalled a message' }).waitFor({ timeout: WAIT });
    await botBubble(page, /^recalled \d+$/).waitFor({ timeout: WAIT });
    await shot(page, 'playground-recall.png');
  });

  it('community plugin: two members say the same thing and nonebot-plugin-repeater repeats it', async () => {
    const { page } = await openPlayground(peer.url, ['--token', TOKEN]);
    await page.getByRole('button', { name: 'Speak as Bobby in Interop' }).click();
    await send(page, 'ping pong');
    await page.getByRole('combobox', { name: 'Speak as' }).selectOption(String(ALICE));
    await send(page, 'ping pong');
    await botBubble(page, /^ping pong$/).waitFor({ timeout: WAIT });
  });
});

describe('against Koishi (echo middleware)', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer('koishi', { selfId: SELF_ID });
  }, 60_000);
  afterAll(async () => peer?.stop());

  it('echoes /echo hi; a quote of the reply arrives; a recall shows', async () => {
    const since = peer.mark();
    const { page } = await openPlayground(peer.url);
    await waitLine(peer, since, (l) => l.ev === 'bot_connect');
    await send(page, '/echo hi');
    await botBubble(page, 'echo: /echo hi').waitFor({ timeout: WAIT });
    await shot(page, 'playground-koishi-echo.png');

    const mark = peer.mark();
    await page.getByRole('button', { name: /^Quote InteropBot: echo: \/echo hi/ }).click();
    await send(page, '/echo again');
    await botBubble(page, 'echo: /echo again').waitFor({ timeout: WAIT });
    const seen = await waitLine(peer, mark, (l) => l.ev === 'message' && l.text === '/echo again');
    expect(seen.quote).toMatchObject({ user_id: String(SELF_ID) });
    await shot(page, 'playground-koishi-quote.png');

    await page.getByRole('button', { name: /^Recall Alice ✿'s message: \/echo again/ }).click();
    await log(page).locator('li.msg.recalled').first().waitFor({ timeout: WAIT });
    await shot(page, 'playground-koishi-recall.png');
  });
});

describe('over the listening transports (the play process listens, the bot server dials in)', () => {
  /** The address a transport listens on, from the line `play` prints. */
  const listeningOn = (run: InProcessRun, transport: 'forward WS' | 'HTTP API'): string => {
    const url = new RegExp(`${transport} listening on (\\S+)`).exec(run.stdout.text())?.[1];
    if (url === undefined) throw new Error(`${transport} not listening:\n${run.stdout.text()}${run.stderr.text()}`);
    return url;
  };

  it('NoneBot2 by forward WebSocket (ONEBOT_WS_URLS, access token): its connect-time calls answered by the page; /echo hi gets its reply bubble', async () => {
    const { page, run } = await launchPlayground(['--ws-listen', '127.0.0.1:0', '--token', TOKEN]);
    const peer = await startPeer('nonebot', {
      selfId: SELF_ID,
      token: TOKEN,
      env: { PEER_MODE: 'forward', PEER_ONEBOT_URL: listeningOn(run, 'forward WS'), PEER_PLUGINS: 'nonebot.plugins.echo,nonebot_plugins.interop_probe' },
    });
    try {
      await run.stdout.waitFor('an application connected to forward WS / from 127.0.0.1:', WAIT);
      // NoneBot's own calls on connect, over its forward socket, answered by the page's world.
      const login = await peer.waitForLine((l) => l.ev === 'api_result' && l.action === 'get_login_info', WAIT);
      expect(login.data).toEqual({ user_id: SELF_ID, nickname: 'InteropBot' });
      await mentionBot(page);
      await compose(page).pressSequentially('/echo hi');
      await compose(page).press('Enter');
      await botBubble(page, /^hi$/).waitFor({ timeout: WAIT });
      await expect(page.locator('p.connection').textContent()).resolves.toMatch(/connected as InteropBot \(10001000\): forward WS ws:\/\/127\.0\.0\.1:\d+\/ \(\/, \/api, \/event\)$/);
      await shot(page, 'playground-forward-ws.png');
    } finally {
      await peer.stop();
    }
  });

  it("Koishi by HTTP (protocol: 'http': our HTTP API, our HTTP POST signed with the secret): /echo hi gets its reply bubble", async () => {
    const port = await freePort();
    const postUrl = `http://127.0.0.1:${port}/onebot`;
    const { page, run } = await launchPlayground(['--http-listen', '127.0.0.1:0', '--http-post', postUrl, '--secret', 'playground-post-secret', '--token', TOKEN]);
    const peer = await startPeer('koishi', {
      port,
      selfId: SELF_ID,
      token: TOKEN,
      env: { PEER_PROTOCOL: 'http', PEER_ENDPOINT: listeningOn(run, 'HTTP API').replace(/\/$/, ''), PEER_SECRET: 'playground-post-secret' },
    });
    try {
      await peer.waitForLine((l) => l.ev === 'bot_connect', WAIT);
      const mark = peer.mark();
      await send(page, '/echo hi');
      // Koishi read the POSTed event (its signature checked), and answered through our HTTP API.
      await peer.waitForLine((l) => l.ev === 'message' && l.text === '/echo hi', WAIT, { since: mark });
      await botBubble(page, 'echo: /echo hi').waitFor({ timeout: WAIT });
      await shot(page, 'playground-koishi-http.png');
    } finally {
      await peer.stop();
    }
  });
});

describe('against the reference server (token through the relay; every kind of segment rendered)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await createReferenceServer({ port: 0, accessToken: TOKEN });
  });
  afterAll(async () => server?.close());

  it('the relay sends the headers and the token the page cannot; the bot replies render as a chat app shows them', async () => {
    const { page } = await openPlayground(server.url, ['--token', TOKEN, '--files', filesDir]);
    const bot = await server.waitForBot(SELF_ID);
    // The headers a browser cannot send, added by the relay; the page's key never reaches the bot server.
    const upgrade = server.connections.find((c) => c.selfId === SELF_ID)!;
    expect(upgrade.headers['x-self-id']).toBe(String(SELF_ID));
    expect(upgrade.headers['x-client-role']).toBe('Universal');
    // The server requires TOKEN (it logs the header redacted): accepted means the relay sent it.
    expect(upgrade.headers.authorization).toBeDefined();
    expect(server.rejections).toEqual([]);
    expect(upgrade.url).not.toContain('access_token');
    expect(bot.selfId).toBe(SELF_ID);
    // Alice speaks; the "bot" (driven from the test through the reference server) answers with every kind of segment.
    await send(page, 'show me everything');
    const said = await server.waitForEvent((e) => e.event.post_type === 'message', WAIT);
    const messageId = Number(said.event.message_id);
    const png = gradientPng(160, 96).toString('base64');
    const answer = await server.callApi(SELF_ID, 'send_group_msg', {
      group_id: GROUP,
      message: [
        { type: 'reply', data: { id: String(messageId) } },
        { type: 'at', data: { qq: String(ALICE) } },
        { type: 'text', data: { text: ' here you go ' } },
        { type: 'face', data: { id: '14' } },
        { type: 'image', data: { file: `base64://${png}` } },
        { type: 'record', data: { file: 'https://example.invalid/voice.amr' } },
        { type: 'video', data: { file: 'https://example.invalid/clip.mp4' } },
        { type: 'file', data: { file: 'https://example.invalid/notes.pdf', name: 'notes.pdf' } },
      ],
    });
    expect(answer.status).toBe('ok');
    const bubble = log(page).locator('li.msg[data-from="bot"]').last();
    await bubble.waitFor({ timeout: WAIT });
    await expect(bubble.locator('.quote').textContent()).resolves.toContain('show me everything');
    await expect(bubble.locator('.mention').textContent()).resolves.toBe('@Alice ✿');
    await expect(bubble.getByRole('img', { name: 'face 14: smile' }).count()).resolves.toBe(1);
    await expect(bubble.locator('img.image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(160);
    await expect(bubble.getByRole('link', { name: 'voice message' }).getAttribute('href')).resolves.toBe('https://example.invalid/voice.amr');
    await expect(bubble.getByRole('link', { name: 'video' }).count()).resolves.toBe(1);
    await expect(bubble.getByRole('link', { name: 'file: notes.pdf' }).count()).resolves.toBe(1);

    // A merged forward, expandable.
    const fwd = await server.callApi(SELF_ID, 'send_group_forward_msg', {
      group_id: GROUP,
      messages: [
        { type: 'node', data: { name: 'Narrator', uin: '1', content: 'first line' } },
        { type: 'node', data: { name: 'Narrator', uin: '1', content: 'second line' } },
      ],
    });
    expect(fwd.status).toBe('ok');
    const forward = log(page).locator('details.forward').last();
    await forward.waitFor({ timeout: WAIT });
    await forward.locator('summary').click();
    await expect(forward.textContent()).resolves.toContain('second line');
    await shot(page, 'playground-segments.png');

    // The bot recalls its own message: shown as recalled, with a system line.
    const botId = (answer.data as { message_id: number }).message_id;
    expect((await server.callApi(SELF_ID, 'delete_msg', { message_id: botId })).status).toBe('ok');
    await log(page).locator(`li.msg.recalled[data-message-id="${botId}"]`).waitFor({ timeout: WAIT });
    await log(page).getByRole('note').filter({ hasText: 'InteropBot (bot) recalled a message' }).waitFor({ timeout: WAIT });

    // A file:// image under the --files folder, a ban notice, a private message to a stranger.
    const shown = await server.callApi(SELF_ID, 'send_group_msg', { group_id: GROUP, message: [{ type: 'image', data: { file: `file://${path.join(filesDir, 'local.png')}` } }] });
    expect(shown.status).toBe('ok');
    await expect(log(page).locator('li.msg[data-from="bot"] img.image').last().evaluate(async (img: HTMLImageElement) => (await img.decode().then(() => img.naturalWidth, () => 0)))).resolves.toBe(32);
    expect((await server.callApi(SELF_ID, 'set_group_ban', { group_id: GROUP, user_id: BOB, duration: 600 })).status).toBe('ok');
    await log(page).getByRole('note').filter({ hasText: 'Bobby was muted for 600 s by InteropBot (bot)' }).waitFor({ timeout: WAIT });
    expect((await server.callApi(SELF_ID, 'send_private_msg', { user_id: 55555, message: 'who are you?' })).status).toBe('ok');
    await page.getByRole('button', { name: /private chat with 55555, not a friend, 1 new/ }).click();
    await botBubble(page, 'who are you?').waitFor({ timeout: WAIT });
    await page.getByRole('button', { name: /^Interop, group 123456/ }).click();

    // A member joins and leaves: system lines; the sidebar follows.
    await page.getByRole('combobox', { name: 'Speak as' }).selectOption(String(CAROL));
    await page.getByRole('button', { name: 'Join Interop as Carol' }).click();
    await log(page).getByRole('note').filter({ hasText: 'Carol joined the group' }).waitFor({ timeout: WAIT });
    await page.getByRole('button', { name: 'Speak as Carol in Interop' }).waitFor({ timeout: WAIT });
    await page.getByRole('button', { name: 'Leave Interop as Carol' }).click();
    await log(page).getByRole('note').filter({ hasText: 'Carol left the group' }).waitFor({ timeout: WAIT });
    await shot(page, 'playground-notices.png');
  });

  it('users act as in QQ: an image file, a poke, a private chat; keyboard only; the inspector filters and copies JSON', async () => {
    const { page } = await openPlayground(server.url, ['--token', TOKEN]);
    await server.waitForBot(SELF_ID);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);

    // An image file: uploaded to the play server, sent as QQ reports an image (file name + URL).
    const png = gradientPng(64, 48);
    await page.locator('#image-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    const imageEvent = await server.waitForEvent((e) => e.event.post_type === 'message' && JSON.stringify(e.event.message).includes('"image"'), WAIT);
    const image = (imageEvent.event.message as { type: string; data: { file: string; url: string } }[])[0]!;
    expect(image.data.file).toMatch(/^[0-9A-F]{32}\.png$/);
    const fetched = Buffer.from(await (await fetch(image.data.url)).arrayBuffer());
    expect(fetched.equals(png)).toBe(true);
    await expect(log(page).locator('li.msg[data-from="user"] img.image').last().evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBe(64);

    // A poke of the bot: the notice QQ sends.
    await page.getByRole('button', { name: 'Poke the bot' }).click();
    const poke = await server.waitForEvent((e) => e.event.notice_type === 'notify', WAIT);
    expect(poke.event).toMatchObject({ notice_type: 'notify', sub_type: 'poke', group_id: GROUP, user_id: ALICE, target_id: SELF_ID });
    await log(page).getByRole('note').filter({ hasText: 'Alice ✿ poked InteropBot (bot)' }).waitFor({ timeout: WAIT });

    // Keyboard only: a conversation from the sidebar, a message, a quote with Enter, Escape cancels it.
    await page.getByRole('button', { name: 'Alice, friend 20002000' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Alice');
    await compose(page).focus();
    await page.keyboard.type('hello bot');
    await page.keyboard.press('Enter');
    const privateEvent = await server.waitForEvent((e) => e.event.message_type === 'private', WAIT);
    expect(privateEvent.event).toMatchObject({ user_id: ALICE, sub_type: 'friend', raw_message: 'hello bot' });
    await page.getByRole('button', { name: /^Quote Alice: hello bot/ }).focus();
    await page.keyboard.press('Enter');
    await expect(compose(page).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(await page.locator('.reply-bar').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('.reply-bar').isVisible()).toBe(false);

    // The inspector: filter by text and direction, copy what is shown as JSON.
    await page.getByLabel('Filter frames').fill('notify');
    await page.getByRole('button', { name: 'Copy as JSON' }).click();
    await page.getByText(/^Copied \d+ frames? as JSON$/).waitFor({ timeout: WAIT });
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { direction: string; frame: { notice_type?: string } }[];
    expect(copied.length).toBe(1);
    expect(copied[0]).toMatchObject({ direction: 'to bot server', frame: { notice_type: 'notify' } });
    await page.getByLabel('Filter frames').fill('');
    // An API call from the bot server, answered by the page's world.
    const member = await server.callApi(SELF_ID, 'get_group_member_info', { group_id: GROUP, user_id: ALICE });
    expect(member.data).toMatchObject({ card: 'Alice ✿', role: 'owner' });
    await page.getByRole('combobox', { name: 'Direction' }).selectOption('in');
    const shownDirections = await page.locator('.frames li:not([hidden])').evaluateAll((els) => els.map((e) => e.className));
    expect(shownDirections.length).toBeGreaterThan(0);
    expect(shownDirections.every((c) => c.includes(' in'))).toBe(true);
  });

  it('the page keeps its history and its inspector within the bounds given on the command line', async () => {
    const { page } = await openPlayground(server.url, ['--token', TOKEN, '--history', '3', '--inspector-frames', '6', '--inspector-chars', '8192']);
    await server.waitForBot(SELF_ID);
    for (const text of ['one', 'two', 'three', 'four', 'five']) await send(page, text);
    await log(page).locator('li.msg').filter({ hasText: 'five' }).waitFor({ timeout: WAIT });
    await expect(log(page).locator('li').allTextContents()).resolves.toEqual([expect.stringContaining('three'), expect.stringContaining('four'), expect.stringContaining('five')]);
    await expect(page.locator('.frames li').count()).resolves.toBeLessThanOrEqual(6);
    // A frame longer than a quarter of the characters kept: summarised, its text kept cut.
    const long = 'x'.repeat(5000);
    expect((await server.callApi(SELF_ID, 'send_group_msg', { group_id: GROUP, message: long })).status).toBe('ok');
    await botBubble(page, long).waitFor({ timeout: WAIT });
    const row = page.locator('.frames li').filter({ hasText: 'call send_group_msg group 123456' }).last();
    await expect(row.locator('pre').textContent()).resolves.toMatch(/… \(\d+ characters, the first 2048 kept\)$/);
  });
});

