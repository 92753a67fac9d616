/**
 * Every example in examples/ runs here against the reference server (127.0.0.1, port 0), and the
 * test checks what it should have done, so the examples cannot rot. The browser example is bundled
 * with its own build script and must contain no Node built-in.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ErrorCode, createClient, silentLogger, createNoticeEvent, createTextMessage, type WebSocketCtorLike } from '../../src';
import { encodeFrame } from '../../src/protocol-entry';
import { createReferenceServer, type ReceivedEvent, type ReferenceServer } from '../../src/server';
import { main as apiHandlerMain } from '../../examples/api-handler';
import { main as browserMain, optionsFromQuery } from '../../examples/browser/main';
import { main as callbacksMain } from '../../examples/callbacks';
import { main as reactiveMain, textOf } from '../../examples/reactive';
import { main as simpleClientMain } from '../../examples/simple-client';
import { echoIntegrationTest, echoMarbleTest, main as testingMain } from '../../examples/testing-your-bot';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const BOT = 12345;
const GROUP = 123456;

let server: ReferenceServer;
let lines: string[];
const print = (line: string): void => void lines.push(line);

beforeEach(async () => {
  server = await createReferenceServer({ port: 0 });
  lines = [];
});
afterEach(async () => {
  await server.close();
});

/** A message event the bot receives from a user (as the server would push it). */
const fromUser = (text: string, to: 'private' | 'group', userId = 20002000) =>
  encodeFrame(
    to === 'group'
      ? createTextMessage({ selfId: BOT, messageType: 'group', groupId: GROUP, userId, text })
      : createTextMessage({ selfId: BOT, messageType: 'private', userId, targetId: BOT, text }),
  );

/** Messages a bot sent (as the server recorded them), by their raw text. */
const sentBy = (selfId: number): string[] =>
  server
    .events(selfId)
    .filter((e) => e.event.post_type === 'message')
    .map((e) => String(e.event.raw_message));

const messageFrom = (selfId: number, text: string) => (e: ReceivedEvent) => e.selfId === selfId && e.event.raw_message === text;

describe('examples/simple-client.ts', () => {
  it('sends a private and a group text to a peer, prints what the peer sends back, stops after 2 messages', async () => {
    // The peer is connected first: the server only routes a private message to a bot online then.
    const peer = createClient({ url: server.url, selfId: 67890, logger: silentLogger });
    const peerGot: string[] = [];
    peer.messages$.subscribe((m) => peerGot.push(`${m.message_type} ${m.user_id}: ${m.raw_message}`));
    peer.connect();
    await server.waitForBot(67890);
    try {
      const running = simpleClientMain({ url: server.url, selfId: 12345, targetId: 67890, stopAfter: 2, durationMs: 5000, print });
      await server.waitForEvent(messageFrom(12345, 'Hello, Group!'));
      await peer.sendText('hi 12345', 'private', { targetId: 12345 });
      await peer.sendText('hi group', 'group', { groupId: GROUP });
      const result = await running;
      expect(result.sent.map((m) => [m.message_type, m.raw_message])).toEqual([
        ['private', 'Hello, World!'],
        ['group', 'Hello, Group!'],
      ]);
      expect(result.received.map((m) => [m.message_type, m.user_id, m.self_id, m.raw_message])).toEqual([
        ['private', 67890, 12345, 'hi 12345'],
        ['group', 67890, 12345, 'hi group'],
      ]);
      expect(sentBy(12345)).toEqual(['Hello, World!', 'Hello, Group!']);
      expect(peerGot).toEqual(['private 12345: Hello, World!', 'group 12345: Hello, Group!']);
      expect(lines).toEqual([
        `connected to ${server.url} as 12345`,
        'sent a private message to 67890 and a group message to 123456',
        'received private message from 67890: hi 12345',
        'received group message from 67890: hi group',
      ]);
      // It stopped cleanly (disconnect() closes with 1000).
      expect(await server.waitForDisconnect(12345)).toMatchObject({ closedBy: 'client', closeCode: 1000 });
    } finally {
      await peer.disconnect();
    }
  });

  it('gives up on an unreachable server: main rejects with AttemptsExhausted after 3 reconnects', async () => {
    const url = server.url;
    await server.close();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(simpleClientMain({ url, print })).rejects.toMatchObject({ code: ErrorCode.AttemptsExhausted });
      expect(warn.mock.calls.filter(([m]) => String(m).includes('connection failed'))).toHaveLength(4);
    } finally {
      warn.mockRestore();
    }
  }, 15_000);

  it('runs as a script (the require.main guard), exit code 1 and a clear message when the server is gone', async () => {
    const url = server.url;
    await server.close();
    const child = run(process.execPath, ['-r', 'esbuild-register', 'examples/simple-client.ts', url], { cwd: ROOT, timeout: 15_000 });
    await expect(child).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('client stopped: reconnect attempts exhausted') });
  }, 20_000);
});

describe('examples/reactive.ts', () => {
  it('echoes !echo once per group per throttle window, answers a private burst once, welcomes a new member', async () => {
    const controller = new AbortController();
    const done = reactiveMain({ url: server.url, selfId: BOT, throttleMs: 60_000, debounceMs: 100, signal: controller.signal, print });
    await server.waitForBot(BOT);
    server.sendRaw(BOT, fromUser('!echo one', 'group'));
    server.sendRaw(BOT, fromUser('!echo two', 'group')); // same group, same window: dropped
    server.sendRaw(BOT, fromUser('no command', 'group'));
    server.sendRaw(BOT, fromUser('hey', 'private'));
    server.sendRaw(BOT, fromUser('there', 'private')); // within debounceMs: only this one is answered
    server.sendRaw(BOT, encodeFrame(createNoticeEvent(BOT, { notice_type: 'group_increase', sub_type: 'approve', group_id: GROUP, operator_id: 1, user_id: 30003000 })));
    await server.waitForEvent(messageFrom(BOT, 'one'));
    await server.waitForEvent(messageFrom(BOT, 'you said: there'));
    await server.waitForEvent(messageFrom(BOT, 'welcome, 30003000!'));
    // A reply counts once its send() resolved, i.e. once the server confirmed it (confirmDelivery
    // 'ack'): one round trip after the server saw it. Stop only when all three are confirmed.
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
      if (['echoed (1)', 'answered (1)', 'welcomed (1)'].every((l) => lines.includes(l))) break;
    }
    controller.abort();
    expect(await done).toEqual({ echoed: 1, answered: 1, welcomed: 1 });
    expect(sentBy(BOT).sort()).toEqual(['one', 'welcome, 30003000!', 'you said: there']);
    expect(server.events(BOT).find(messageFrom(BOT, 'welcome, 30003000!'))?.event.group_id).toBe(GROUP);
  });

  it('stops on its own after durationMs', async () => {
    const started = Date.now();
    expect(await reactiveMain({ url: server.url, selfId: BOT, durationMs: 300, print })).toEqual({ echoed: 0, answered: 0, welcomed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.connections).toHaveLength(1);
  });

  it('textOf reads both message formats', () => {
    const array = createTextMessage({ selfId: 1, messageType: 'private', text: 'a&[b]' });
    const string = createTextMessage({ selfId: 1, messageType: 'private', text: 'a&[b]', messageFormat: 'string' });
    expect([textOf(array), textOf(string)]).toEqual(['a&[b]', 'a&[b]']);
  });
});

describe('examples/callbacks.ts', () => {
  it('calls onConnect/onDisconnect across a reconnect, onError for a bad frame, onMessage for a ping it answers; run() resolves', async () => {
    const controller = new AbortController();
    const done = callbacksMain({ url: server.url, selfId: BOT, reconnectInterval: 100, signal: controller.signal, print });
    const first = await server.waitForBot(BOT);
    await server.kick(BOT, 1001, 'maintenance');
    const second = await server.waitFor(() => {
      const b = server.bot(BOT);
      return b !== undefined && b.connectionId !== first.connectionId && b;
    });
    server.sendRaw(BOT, '{ not json');
    server.sendRaw(BOT, fromUser('ping', 'private'));
    await server.waitForEvent(messageFrom(BOT, 'pong'));
    controller.abort();
    const result = await done;
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(result.connects).toBe(2);
    expect(result.disconnects).toBe(2); // the kick, then our own disconnect
    expect(result.messages.map((m) => m.raw_message)).toEqual(['ping']);
    expect(result.errors).toEqual([ErrorCode.InvalidJson]);
    expect(result.final).toMatchObject({ status: 'closed', reason: 'disconnected' });
    expect(lines).toContain('disconnected: 1001 maintenance');
    expect(lines).toContain('stopped: disconnected');
    expect(server.events(BOT).find(messageFrom(BOT, 'pong'))?.event.target_id).toBe(20002000);
  });
});

describe('examples/api-handler.ts', () => {
  it('answers value, Promise, Observable and custom handlers; errors become retcodes; built-ins work', async () => {
    // The example logs to the console; its two failing handlers warn. Capture, then check them below.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const controller = new AbortController();
    const done = apiHandlerMain({ url: server.url, selfId: BOT, signal: controller.signal, print });
    await server.waitForBot(BOT);
    const call = (action: string, params?: Record<string, unknown>) => server.callApi(BOT, action, params);

    expect(await call('get_friend_list')).toMatchObject({ status: 'ok', retcode: 0, data: [{ user_id: 67890, nickname: 'friend', remark: '' }] });
    expect(await call('get_group_info', { group_id: '123456' })).toMatchObject({ status: 'ok', data: { group_id: 123456, group_name: 'onebot-rx fans' } });
    expect(await call('get_group_info', { group_id: 1 })).toMatchObject({ status: 'failed', retcode: 100, data: null, message: 'no such group: 1' });
    expect(await call('get_group_info', {})).toMatchObject({ status: 'failed', retcode: 1400 });
    expect(await call('get_stranger_info', { user_id: 42 })).toMatchObject({ status: 'ok', data: { user_id: 42, nickname: 'user 42' } });
    const dice = await call('roll_dice', { sides: 20 });
    expect(dice).toMatchObject({ status: 'ok', data: { sides: 20 } });
    expect((dice.data as { value: number }).value).toBeGreaterThanOrEqual(1);
    expect((dice.data as { value: number }).value).toBeLessThanOrEqual(20);
    expect(await call('roll_dice', { sides: 1 })).toMatchObject({ status: 'failed', retcode: 1500, message: 'sides must be an integer >= 2, got 1' });
    expect(await call('no_such_action')).toMatchObject({ status: 'failed', retcode: 1404 });
    expect(await call('get_login_info')).toMatchObject({ status: 'ok', data: { user_id: BOT } });
    const sentResponse = await call('send_group_msg', { group_id: GROUP, message: 'hi [CQ:face,id=178]' });
    expect(sentResponse).toMatchObject({ status: 'ok', retcode: 0 });
    // Echo comes back verbatim whatever its type.
    expect(await server.callApi(BOT, 'get_status', {}, { echoStyle: 'object' })).toMatchObject({ status: 'ok', echo: { seq: expect.any(Number) } });

    controller.abort();
    const { sent } = await done;
    expect(sent.map((m) => [m.messageType, m.groupId, m.rawMessage, m.messageId])).toEqual([
      ['group', GROUP, 'hi [CQ:face,id=178]', (sentResponse.data as { message_id: number }).message_id],
    ]);
    expect(lines).toContain('API call roll_dice {"sides":20}');
    // Exactly the two expected handler failures were warned about (and nothing leaked to the output).
    expect(warn.mock.calls).toEqual([
      [expect.stringContaining('no such group: 1'), expect.objectContaining({ code: ErrorCode.HandlerFailed })],
      [expect.stringContaining('sides must be an integer >= 2, got 1'), expect.objectContaining({ code: ErrorCode.HandlerFailed })],
    ]);
    warn.mockRestore();
  });
});

describe('examples/interop-bot.ts (the snippet of docs/interop.md)', () => {
  it('runs as a script: feeds a private and a group message, prints what the bot says, answers get_group_member_info, Ctrl-C leaves cleanly', async () => {
    await server.close();
    server = await createReferenceServer({ port: 0, accessToken: 'interop-token' });
    const child = spawn(process.execPath, ['-r', 'esbuild-register', 'examples/interop-bot.ts'], {
      cwd: ROOT,
      env: { ...process.env, ONEBOT_URL: server.url, ONEBOT_ACCESS_TOKEN: 'interop-token' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const BOT_ID = 10001000;
      await server.waitForBot(BOT_ID, 10_000);
      const priv = await server.waitForEvent((e) => e.selfId === BOT_ID && e.event.message_type === 'private', 10_000);
      const group = await server.waitForEvent((e) => e.selfId === BOT_ID && e.event.message_type === 'group', 10_000);
      expect(priv.event).toMatchObject({ user_id: 20002000, raw_message: 'hello' });
      expect(group.event).toMatchObject({ user_id: 20002000, group_id: 123456, raw_message: 'hello group' });
      // The server's bot answers, as a NoneBot plugin would: onebot-rx's built-in send_msg.
      expect(await server.callApi(BOT_ID, 'send_private_msg', { user_id: 20002000, message: 'hi there' })).toMatchObject({ status: 'ok' });
      expect(await server.callApi(BOT_ID, 'get_group_member_info', { group_id: 5, user_id: 6 })).toMatchObject({
        status: 'ok',
        data: { group_id: 5, user_id: 6, nickname: 'alice', role: 'member' },
      });
      for (const deadline = Date.now() + 5000; !out.includes('bot says') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      expect(out).toContain('bot says private 20002000 hi there');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await server.waitForDisconnect(BOT_ID)).toMatchObject({ closedBy: 'client', closeCode: 1000 });
      expect(err).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('examples/browser', () => {
  it('build.mjs bundles main.ts for the browser with no Node built-in and no ws', async () => {
    const out = await mkdtemp(join(tmpdir(), 'onebot-rx-browser-'));
    try {
      const { stdout } = await run(process.execPath, ['examples/browser/build.mjs', '--outdir', out], { cwd: ROOT, timeout: 30_000 });
      expect(stdout).toContain('bundled');
      const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8')) as {
        inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
        outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
      };
      const inputs = Object.keys(meta.inputs);
      expect(inputs).toContain('examples/browser/main.ts');
      expect(inputs).toContain('node_modules/isomorphic-ws/browser.js');
      expect(inputs.filter((p) => p.startsWith('node_modules/ws/') || p.startsWith('src/server'))).toEqual([]);
      const builtins = new Set(builtinModules);
      const imported = Object.values(meta.inputs).flatMap((i) => i.imports.map((x) => x.path));
      expect(imported.filter((p) => p.startsWith('node:') || builtins.has(p))).toEqual([]);
      expect(Object.values(meta.outputs).flatMap((o) => o.imports)).toEqual([]);
      const code = await readFile(join(out, 'main.js'), 'utf8');
      expect(code.length).toBeGreaterThan(10_000);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 40_000);

  it('serve.mjs (the guide\'s command) serves the page and its bundle over http, nothing outside its folder', async () => {
    const guide = await readFile(join(ROOT, 'docs/guides/browser.md'), 'utf8');
    expect(guide).toMatch(/^node examples\/browser\/serve\.mjs\s/m);
    expect(guide).toContain('http://127.0.0.1:8080/index.html?url=');
    expect(guide).not.toMatch(/open examples\/browser\/index\.html/);
    const root = await mkdtemp(join(tmpdir(), 'onebot-rx-browser-serve-'));
    const child = spawn(process.execPath, ['examples/browser/serve.mjs', '--port', '0', '--root', root], { cwd: ROOT });
    try {
      await run(process.execPath, ['examples/browser/build.mjs', '--outdir', join(root, 'dist')], { cwd: ROOT, timeout: 30_000 });
      await copyFile(join(ROOT, 'examples/browser/index.html'), join(root, 'index.html'));
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (s: string) => {
          out += s;
          const m = /at (http:\/\/127\.0\.0\.1:\d+)\/index\.html/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
      });
      const page = await fetch(`${address}/index.html?url=ws%3A%2F%2F127.0.0.1%3A8000%2Fws%2F`);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await page.text()).toContain('<script type="module" src="./dist/main.js"></script>');
      // A module script must come with a JavaScript type, or the browser refuses it.
      const script = await fetch(`${address}/dist/main.js`);
      expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
      expect((await script.text()).length).toBeGreaterThan(10_000);
      expect((await fetch(`${address}/`)).status).toBe(200);
      expect((await fetch(`${address}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
      expect((await fetch(`${address}/nothing.js`)).status).toBe(404);
      // A malformed request is refused, and the server keeps serving.
      expect((await fetch(`${address}/%E0%A4%A.js`)).status).toBe(400);
      expect((await fetch(`${address}/index.html`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await rm(root, { recursive: true, force: true });
    }
  }, 40_000);

  it('bundles with the guide\'s plain esbuild command: no export condition needed, no Node built-in', async () => {
    const guide = await readFile(join(ROOT, 'docs/guides/browser.md'), 'utf8');
    const line = /^npx esbuild (.+)$/m.exec(guide)?.[1];
    expect(line).toBeDefined();
    expect(line).not.toContain('conditions');
    const out = await mkdtemp(join(tmpdir(), 'onebot-rx-plain-bundle-'));
    try {
      const args = line!.split(/\s+/).map((a) => (a.startsWith('--outfile=') ? `--outfile=${join(out, 'main.js')}` : a));
      await run(join(ROOT, 'node_modules/.bin/esbuild'), [...args, `--metafile=${join(out, 'meta.json')}`, '--log-level=warning'], { cwd: ROOT, timeout: 30_000 });
      const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8')) as { inputs: Record<string, { imports: { path: string }[] }> };
      const inputs = Object.keys(meta.inputs);
      expect(inputs).toContain('examples/browser/main.ts');
      expect(inputs.some((p) => p.startsWith('node_modules/rxjs/'))).toBe(true);
      expect(inputs.filter((p) => p.startsWith('node_modules/ws/'))).toEqual([]);
      const builtins = new Set(builtinModules);
      const imported = Object.values(meta.inputs).flatMap((i) => i.imports.map((x) => x.path));
      expect(imported.filter((p) => p.startsWith('node:') || builtins.has(p))).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 40_000);

  it('reads url, self_id and access_token from the page query', () => {
    expect(optionsFromQuery('?url=ws%3A%2F%2Fh%3A1%2Fws&self_id=42&access_token=t')).toEqual({ url: 'ws://h:1/ws', selfId: 42, accessToken: 't' });
    expect(optionsFromQuery('')).toEqual({ url: 'ws://127.0.0.1:8000/ws/', selfId: 12345, accessToken: undefined });
  });

  it('with a header-less socket (as in a browser) the token travels as ?access_token= and the bot is known by its connect event', async () => {
    const secured = await createReferenceServer({ port: 0, accessToken: 'page-secret' });
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      // A browser WebSocket takes no options: a plain function constructor hides ws's third argument.
      const BrowserLikeWebSocket = function (url: string, protocols?: string | string[]) {
        return new WebSocket(url, protocols);
      } as unknown as WebSocketCtorLike;
      const result = await browserMain({ url: secured.url, selfId: 4242, accessToken: 'page-secret', WebSocketCtor: BrowserLikeWebSocket, durationMs: 200 });
      const [conn] = secured.connections;
      expect(conn?.url).toMatch(/\?access_token=\[redacted\]$/);
      expect(conn?.headers.authorization).toBeUndefined();
      expect(conn?.headers['x-self-id']).toBeUndefined();
      expect(conn?.selfId).toBe(4242);
      expect(secured.events(4242).map((e) => e.event.raw_message).filter(Boolean)).toEqual(['hello from a browser tab']);
      expect(result.lines.slice(0, 3)).toEqual(['[idle]', '[connecting]', '[open]']);
      expect(secured.rejections).toEqual([]);
      // The page logs to the console at info, the token masked.
      const logged = info.mock.calls.map((args) => args.map((a) => JSON.stringify(a)).join(' ')).join('\n');
      expect(logged).toContain('connected to ws://127.0.0.1:');
      expect(logged).toContain('access_token=[redacted]');
      expect(logged).not.toContain('page-secret');
    } finally {
      info.mockRestore();
      await secured.close();
    }
  });
});

describe('examples/testing-your-bot.ts', () => {
  it('its marble test passes with jest matchers, and fails when the expectation is wrong', () => {
    expect(() => echoMarbleTest((actual, expected) => expect(actual).toEqual(expected))).not.toThrow();
    // The marble test is not vacuous: a matcher that sees a difference fails it.
    const seen: unknown[] = [];
    echoMarbleTest((actual) => void seen.push(actual));
    const frames = (seen[0] as { frame: number; notification: { value: unknown } }[]).map((n) => [n.frame, n.notification.value]);
    expect(frames).toEqual([
      [0, 'C'],
      [10, 'a'],
      [1500, 'c'],
    ]);
  });

  it('its integration test passes against a fresh reference server', async () => {
    await expect(echoIntegrationTest()).resolves.toBeUndefined();
    await expect(testingMain()).resolves.toBeUndefined();
  });
});
