import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { OneBotClient } from '../../src/client/types';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import type { Logger } from '../../src/logging/logger';
import { silentLogger } from '../../src/logging/logger';
import { figure } from './lib/figures';

/** Token handling (constant-time check, 401/403 without detail, never leaked), wss://, impersonation. */

const TOKEN = 'tok-S3CRET-4f9a1c';
const WRONG = 'tok-WR0NG-77e2b0';

const clients: OneBotClient[] = [];
const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  for (const c of closers.reverse()) await c();
});

/** Everything a value can show: messages, stacks, data, causes, nested. */
const dump = (u: unknown): string => {
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 20 || v === null || typeof v !== 'object') return typeof v === 'function' ? '[fn]' : v;
    if (seen.has(v)) return '[cycle]';
    seen.add(v);
    if (v instanceof Error) {
      return { name: v.name, message: v.message, stack: v.stack, cause: walk((v as { cause?: unknown }).cause, depth + 1), ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)])) };
    }
    return Array.isArray(v) ? v.map((x) => walk(x, depth + 1)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return JSON.stringify(walk(u, 0));
};

const spyLogger = (sink: string[]): Logger => {
  const log = (level: string) => (message: string, data?: unknown): void => {
    sink.push(`${level} ${message} ${dump(data)}`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as Logger;
};

/** A bare upgrade request: status, body and headers of the refusal. */
const rawUpgrade = (port: number, headers: Record<string, string>): Promise<{ status: number; body: string; raw: string }> =>
  new Promise((resolvePromise, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/ws/',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'), 'X-Self-ID': '70009', ...headers },
    });
    req.setTimeout(5000, () => req.destroy(new Error('upgrade request timed out')));
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgrade was accepted'));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body, raw: `${JSON.stringify(res.headers)}\n${body}` }));
    });
    req.on('error', reject);
    req.end();
  });

describe('access token', () => {
  let server: ReferenceServer;
  const serverLogs: string[] = [];
  beforeAll(async () => {
    server = await createReferenceServer({ port: 0, accessToken: TOKEN, logger: spyLogger(serverLogs) });
    closers.push(() => server.close());
  });

  test('the reference server compares tokens with crypto.timingSafeEqual (source and call)', async () => {
    const source = readFileSync(resolve(__dirname, '../../src/server/upgrade-checks.ts'), 'utf8');
    expect(source).toMatch(/timingSafeEqual\(/);
    // No early-exit string comparison of the token anywhere in the server.
    for (const f of readdirSync(resolve(__dirname, '../../src/server'))) {
      const text = readFileSync(resolve(__dirname, '../../src/server', f), 'utf8');
      expect(text).not.toMatch(/token\s*===|===\s*token|accessToken\s*===|===\s*(o|options)\.accessToken/);
    }
    // The module object itself (an `import *` namespace is a copy under the CommonJS transform).
    const nodeCrypto = require('node:crypto') as typeof crypto;
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    try {
      await rawUpgrade(server.port, { Authorization: `Bearer ${WRONG}` });
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('missing token → 401, wrong token → 403, bodies carry no detail', async () => {
    const missing = await rawUpgrade(server.port, {});
    const wrong = await rawUpgrade(server.port, { Authorization: `Bearer ${WRONG}` });
    const wrongQuery = await rawUpgrade(server.port, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toBe('Unauthorized');
    expect(wrong.status).toBe(403);
    expect(wrong.body).toBe('Forbidden');
    expect(wrongQuery.status).toBe(401);
    for (const r of [missing, wrong]) {
      expect(r.raw).not.toContain(TOKEN);
      expect(r.raw).not.toContain(WRONG);
      expect(r.raw).not.toMatch(/token|missing|wrong|self_id/i);
    }
  });

  test('the token never appears in logs (debug), errors, state$ or connection records', async () => {
    const clientLogs: string[] = [];
    const seen: string[] = [];
    const run = async (selfId: number, options: Partial<ClientOptions>, expectOpen: boolean): Promise<void> => {
      const client = createClient({ url: server.url, selfId, logger: spyLogger(clientLogs), heartbeatInterval: 0, reconnectInterval: 100, maxReconnectAttempts: 2, ...options });
      clients.push(client);
      client.errors$.subscribe((e) => seen.push(dump(e)));
      client.state$.subscribe((s) => seen.push(dump(s)));
      const final = client.run();
      if (expectOpen) {
        await server.waitForBot(selfId);
        await client.sendText('hello', 'private', { targetId: 1 });
        await server.callApi(selfId, 'get_status', {});
        await client.disconnect();
      }
      seen.push(dump(await final));
    };
    await run(70001, { accessToken: TOKEN }, true);
    await run(70002, { accessToken: TOKEN, tokenInQuery: true }, true);
    await run(70003, { accessToken: TOKEN, authScheme: 'Token' }, true);
    await run(70004, { accessToken: WRONG }, false);
    await run(70005, { accessToken: WRONG, tokenInQuery: true }, false);
    await run(70006, {}, false);
    const everything = [...clientLogs, ...serverLogs, ...seen, dump(server.connections), dump(server.rejections), dump(server.errors)].join('\n');
    expect(clientLogs.length).toBeGreaterThan(10);
    expect(server.rejections.length).toBeGreaterThanOrEqual(3);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(WRONG);
    figure('security', 'log lines / state+error values scanned for the token', `${clientLogs.length + serverLogs.length} / ${seen.length}: 0 leaks`);
  });
});

describe('wss:// with a certificate made in the test', () => {
  let dir: string;
  let server: ReferenceServer;
  let tls: TlsServer;
  let port: number;
  let cert: Buffer;
  let badCert: Buffer;

  const makeCert = (name: string, subject: string, san: string): { key: Buffer; cert: Buffer } => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '1', '-subj', subject, '-addext', `subjectAltName=${san}`], { stdio: 'ignore', timeout: 30_000 });
    return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onebot-rx-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const good = makeCert('good', '/CN=127.0.0.1', 'IP:127.0.0.1');
    const other = makeCert('other', '/CN=example.invalid', 'DNS:example.invalid');
    cert = good.cert;
    badCert = other.cert;
    server = await createReferenceServer({ port: 0 });
    closers.push(() => server.close());
    // TLS terminator in front of the reference server (which speaks plain ws).
    const sockets = new Set<import('node:net').Socket>();
    tls = createTlsServer({ key: good.key, cert: good.cert }, (s) => {
      const up = netConnect({ host: '127.0.0.1', port: server.port });
      sockets.add(s);
      sockets.add(up);
      s.pipe(up).pipe(s);
      const end = (): void => {
        s.destroy();
        up.destroy();
      };
      s.on('error', end);
      up.on('error', end);
      s.on('close', end);
      up.on('close', end);
    });
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
    port = (tls.address() as { port: number }).port;
    closers.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          tls.close(() => r());
        }),
    );
  });

  const attempt = async (selfId: number, extra: Partial<ClientOptions>): Promise<{ opened: boolean; errors: OneBotError[] }> => {
    const client = createClient({ url: `wss://127.0.0.1:${port}/ws/`, selfId, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100, maxReconnectAttempts: 1, ...extra });
    clients.push(client);
    const errors: OneBotError[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    let opened = false;
    client.state$.subscribe((s) => {
      if (s.status === 'open') opened = true;
    });
    const final = client.run();
    if (extra.tls !== undefined && (await Promise.race([server.waitForBot(selfId, 5000).then(() => true), final.then(() => false)]))) {
      await client.sendText('over tls', 'private', { targetId: 1 });
      await server.waitForEvent((e) => e.selfId === selfId && e.event.raw_message === 'over tls', 5000);
      expect((await server.callApi(selfId, 'get_status', {})).retcode).toBe(0);
      await client.disconnect();
    }
    await final;
    return { opened, errors };
  };

  test('an untrusted self-signed certificate fails clearly (no silent connect)', async () => {
    const r = await attempt(71001, {});
    expect(r.opened).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]!.code).toBe(ErrorCode.SocketError);
    expect(r.errors[0]!.message).toMatch(/self[- ]signed certificate/i);
  });

  test('trusting the test CA (tls: { ca }) connects and carries traffic', async () => {
    const r = await attempt(71002, { tls: { ca: cert } });
    expect(r.opened).toBe(true);
  });

  test('a certificate for another host fails clearly even when trusted', async () => {
    const r = await attempt(71003, { tls: { ca: [cert, badCert], servername: 'example.invalid' } });
    // The server presents the 127.0.0.1 certificate; asking for example.invalid must not pass.
    expect(r.opened).toBe(false);
    expect(r.errors[0]!.message).toMatch(/altnames|does not match|hostname/i);
  });

  test('the user can opt out of verification explicitly (tls: { rejectUnauthorized: false })', async () => {
    const r = await attempt(71004, { tls: { rejectUnauthorized: false } });
    expect(r.opened).toBe(true);
  });
});

describe('impersonation: a server cannot make the client speak for another self_id', () => {
  let server: ReferenceServer;
  const written: Record<string, unknown>[] = [];
  class RecordingSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string') written.push(JSON.parse(data) as Record<string, unknown>);
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  beforeAll(async () => {
    server = await createReferenceServer({ port: 0 });
    closers.push(() => server.close());
  });

  test('API calls naming another self_id are answered for this bot only; every frame written carries its own self_id', async () => {
    const client = createClient({ url: server.url, selfId: 72001, logger: silentLogger, heartbeatInterval: 100, WebSocketCtor: RecordingSocket as unknown as ClientOptions['WebSocketCtor'] });
    clients.push(client);
    const sent: unknown[] = [];
    client.sent$.subscribe((m) => sent.push(m));
    client.connect();
    await server.waitForBot(72001);
    const r1 = await server.callApi(72001, 'send_msg', { self_id: 99999, message_type: 'private', user_id: 5, message: 'as someone else' });
    const r2 = await server.callApi(72001, 'get_login_info', { self_id: 99999 });
    const r3 = await server.callApi(72001, '.handle_quick_operation', { context: { self_id: 99999, post_type: 'message', message_type: 'private', user_id: 5 }, operation: { reply: 'x' } });
    expect(r1.retcode).toBe(0);
    expect(r2.data).toEqual({ user_id: 72001, nickname: 'onebot-rx' });
    expect('post_type' in r3).toBe(false);
    server.sendRaw(72001, JSON.stringify({ time: 1, self_id: 99999, post_type: 'message', message_type: 'private', sub_type: 'friend', message_id: 1, user_id: 5, message: 'hi', raw_message: 'hi', font: 0, sender: {} }));
    await client.sendText('mine', 'private', { targetId: 1 });
    await server.waitFor(() => (server.bot(72001)?.heartbeats ?? 0) >= 2, 5000);
    const withSelfId = written.filter((f) => 'self_id' in f);
    expect(withSelfId.length).toBeGreaterThanOrEqual(3);
    expect(withSelfId.filter((f) => f.self_id !== 72001)).toEqual([]);
    expect(server.errors.filter((e) => e.selfId === 72001)).toEqual([]);
  });

  test('client.send refuses an event carrying another self_id', async () => {
    const client = createClient({ url: server.url, selfId: 72002, logger: silentLogger, heartbeatInterval: 0 });
    clients.push(client);
    client.connect();
    await server.waitForBot(72002);
    const foreign = { ...client.createTextMessage('forged', 'private', { targetId: 1 }), self_id: 99999 };
    await expect(client.send(foreign)).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
    await expect(client.send(JSON.stringify(foreign))).rejects.toMatchObject({ code: ErrorCode.InvalidOutgoing });
  });
});
