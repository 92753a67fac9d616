import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import type { ClientState, OneBotClient } from '../../src/client/types';
import { silentLogger, type Logger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { createSocketFactory, type SocketLike } from '../../src/transport/socket-factory';

/**
 * The `tls` option against a real `wss://` server: an `https` server with a self-signed certificate
 * made here by `openssl`, and a `ws` WebSocketServer on it that records the handshake headers and
 * the frames it receives.
 */

const hasOpenssl = (): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

let dir: string;
let key: Buffer;
let cert: Buffer;
let https: HttpsServer;
let wss: WebSocketServer;
let url: string;
const received: Array<{ selfId: string | undefined; frame: Record<string, unknown> }> = [];
const upgrades: Array<Record<string, string | string[] | undefined>> = [];
const clients: OneBotClient[] = [];

beforeAll(async () => {
  if (!hasOpenssl()) throw new Error('openssl is required by the TLS tests (it makes the self-signed certificate) and was not found on PATH');
  dir = mkdtempSync(join(tmpdir(), 'onebot-rx-tls-client-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'],
    { stdio: 'ignore', timeout: 30_000 },
  );
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
  https = createHttpsServer({ key, cert });
  https.on('tlsClientError', () => undefined);
  wss = new WebSocketServer({ server: https });
  wss.on('connection', (socket: ServerSocket, req) => {
    upgrades.push(req.headers);
    const selfId = req.headers['x-self-id'] as string | undefined;
    socket.on('message', (data) => received.push({ selfId, frame: JSON.parse(String(data)) as Record<string, unknown> }));
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
  url = `wss://127.0.0.1:${(https.address() as { port: number }).port}/ws/`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  for (const s of wss?.clients ?? []) s.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  await new Promise<void>((r) => (https ? https.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start = (selfId: number, options: Partial<ClientOptions>, logger: Logger = silentLogger) => {
  const client = createClient({ url, selfId, logger, heartbeatInterval: 0, reconnectInterval: 100, ...options });
  clients.push(client);
  const errors: OneBotError[] = [];
  const states: ClientState[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  client.state$.subscribe((s) => states.push(s));
  return { client, errors, states };
};

const waitFor = async (check: () => boolean, ms = 5000): Promise<void> => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('tls option (wss:// with a self-signed certificate made in the test)', () => {
  test('default: verification is on — every attempt fails with ONEBOT_SOCKET_ERROR naming the self-signed certificate, retried per maxReconnectAttempts', async () => {
    const logs: string[] = [];
    const log = (level: string) => (message: string): void => {
      logs.push(`${level} ${message}`);
    };
    const { client, errors, states } = start(73001, { maxReconnectAttempts: 2 }, { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as Logger);
    const final = await client.run();
    // One dial plus two reconnects, each failing the same clear way; never open.
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e.code).toBe(ErrorCode.SocketError);
      expect(e.message).toMatch(/self[- ]signed certificate/i);
    }
    expect(states.some((s) => s.status === 'open')).toBe(false);
    expect(states.filter((s) => s.status === 'reconnecting').map((s) => s.attempt)).toEqual([1, 2]);
    expect(final).toMatchObject({ status: 'closed', reason: 'attempts-exhausted', attempt: 2 });
    expect(final.error?.code).toBe(ErrorCode.SocketError);
    expect(final.error?.message).toMatch(/self[- ]signed certificate/i);
    expect(logs.filter((l) => /connection failed: .*self[- ]signed certificate/i.test(l))).toHaveLength(3);
    expect(upgrades.filter((h) => h['x-self-id'] === '73001')).toEqual([]);
  });

  test('tls: { ca: cert } trusts the certificate: connects, the connect event arrives, frames flow', async () => {
    const { client, errors } = start(73002, { tls: { ca: cert } });
    client.connect();
    await waitFor(() => received.some((r) => r.selfId === '73002'));
    expect(received.find((r) => r.selfId === '73002')?.frame).toMatchObject({ post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect', self_id: 73002 });
    expect(client.state.status).toBe('open');
    await client.sendText('over tls', 'private', { targetId: 1 });
    await waitFor(() => received.some((r) => r.selfId === '73002' && r.frame.raw_message === 'over tls'));
    // The handshake headers still travel alongside the TLS options.
    expect(upgrades.find((h) => h['x-self-id'] === '73002')?.['x-client-role']).toBe('Universal');
    expect(errors).toEqual([]);
  });

  test('tls: { rejectUnauthorized: false } opts out of verification: connects', async () => {
    const { client, errors } = start(73003, { tls: { rejectUnauthorized: false } });
    client.connect();
    await waitFor(() => received.some((r) => r.selfId === '73003' && r.frame.sub_type === 'connect'));
    expect(client.state.status).toBe('open');
    expect(errors).toEqual([]);
  });

  test('a trusted certificate for another name still fails (servername is checked)', async () => {
    const { client, errors } = start(73004, { tls: { ca: cert, servername: 'example.invalid' }, maxReconnectAttempts: 1 });
    const final = await client.run();
    expect(final.reason).toBe('attempts-exhausted');
    expect(errors.length).toBe(2);
    expect(errors[0]!.code).toBe(ErrorCode.SocketError);
    expect(errors[0]!.message).toMatch(/altnames|does not match|hostname/i);
  });

  test('key and certificate never reach logs, errors or state', async () => {
    const logs: string[] = [];
    const log = (message: string, data?: unknown): void => {
      logs.push(`${message} ${JSON.stringify(data)}`);
    };
    const { client, errors, states } = start(73005, { tls: { ca: cert, key, cert, servername: 'example.invalid' }, maxReconnectAttempts: 1 }, { debug: log, info: log, warn: log, error: log } as Logger);
    await client.run();
    const everything = [...logs, JSON.stringify(errors.map((e) => ({ message: e.message, data: e.data }))), JSON.stringify(states)].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    const pemBody = (pem: Buffer): string => pem.toString().split('\n')[1]!;
    expect(everything).not.toContain(pemBody(key));
    expect(everything).not.toContain(pemBody(cert));
  });
});

describe('createSocketFactory: tls', () => {
  class NodeLike implements SocketLike {
    static calls: unknown[][] = [];
    readyState = 0;
    constructor(...args: unknown[]) {
      NodeLike.calls.push(args);
    }
    send(): void {}
    close(): void {}
    ping(): void {}
  }
  class BrowserLike implements SocketLike {
    static calls: unknown[][] = [];
    readyState = 0;
    constructor(...args: unknown[]) {
      BrowserLike.calls.push(args);
    }
    send(): void {}
    close(): void {}
  }

  test('Node: the given TLS settings (only those) join the ws options; none given → no TLS keys (verification on)', () => {
    NodeLike.calls = [];
    const Ctor = createSocketFactory({ url: 'wss://h/', selfId: 1, role: 'Universal', tls: { ca: 'CA', rejectUnauthorized: true, servername: undefined }, WebSocketCtor: NodeLike }).ctor(() => undefined);
    new Ctor('wss://h/');
    const Plain = createSocketFactory({ url: 'wss://h/', selfId: 1, role: 'Universal', WebSocketCtor: NodeLike }).ctor(() => undefined);
    new Plain('wss://h/');
    const [withTls, plain] = NodeLike.calls.map((c) => c[2] as Record<string, unknown>);
    expect(withTls).toEqual({ headers: expect.any(Object), perMessageDeflate: false, ca: 'CA', rejectUnauthorized: true });
    expect(Object.keys(plain!).sort()).toEqual(['headers', 'perMessageDeflate']);
  });

  test('browser: ignored (the constructor gets url and protocols only)', () => {
    BrowserLike.calls = [];
    const Ctor = createSocketFactory({ url: 'wss://h/', selfId: 1, role: 'Universal', tls: { rejectUnauthorized: false }, WebSocketCtor: BrowserLike }).ctor(() => undefined);
    new Ctor('wss://h/');
    expect(BrowserLike.calls).toEqual([['wss://h/', undefined]]);
  });
});

describe('wording of a failed certificate check', () => {
  test('says TLS verification failed, with the reason, the code and the remedy; data.tls holds the code', async () => {
    const { client, errors } = start(73006, { maxReconnectAttempts: 0 });
    client.connect();
    await waitFor(() => errors.length > 0);
    expect(errors[0]!.message).toMatch(/^TLS certificate verification failed: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); to trust it, pass the certificate or its CA as the tls\.ca option$/);
    expect(errors[0]!.data).toEqual({ tls: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
