import { WebSocketServer } from 'ws';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import type { ClientState } from '../../src/client/state';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import type { Logger } from '../../src/logging/logger';
import type { CloseInfo } from '../../src/transport/close-reason';
import { createReferenceServer } from '../../src/server/reference-server';

/** Errors that point the right way: a server that keeps closing right after the handshake, a duplicate self id, close details after disconnect(). */

const quiet = (lines: string[] = []): Logger => ({
  debug: (m) => void lines.push(`debug ${m}`),
  info: (m) => void lines.push(`info ${m}`),
  warn: (m) => void lines.push(`warn ${m}`),
  error: (m) => void lines.push(`error ${m}`),
});

test('connections that close right after opening, three in a row: one error naming the likely causes', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (s) => s.close(1000, 'bye'));
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ws`;
  const client = createClient({ url, selfId: 5, logger: quiet(), reconnectInterval: 100, maxReconnectAttempts: 4, heartbeatInterval: 0 });
  const errors: OneBotError[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  const final = await client.run();
  wss.close();
  const unstable = errors.filter((e) => e.code === ErrorCode.UnstableConnection);
  expect(unstable).toHaveLength(1);
  expect(unstable[0]!.message).toMatch(/^3 connections in a row closed within 5000 ms of opening \(last: connection closed: 1000 normal closure: bye\)\. Likely causes: the server checks the token after the upgrade/);
  expect(final).toMatchObject({ status: 'closed', reason: 'attempts-exhausted', attempt: 4 });
});

test('debug logs name each dial and each end, and never the token', async () => {
  const server = await createReferenceServer({ port: 0, accessToken: 'sekrit' });
  const lines: string[] = [];
  const client = createClient({ url: server.url, selfId: 6, accessToken: 'sekrit', logger: quiet(lines), heartbeatInterval: 0 });
  client.connect();
  await server.waitForBot(6);
  await client.disconnect();
  await server.close();
  expect(lines.filter((l) => l.startsWith('debug dialing '))).toHaveLength(1);
  expect(lines.some((l) => l.startsWith('debug connection ended'))).toBe(true);
  expect(lines.join('\n')).not.toContain('sekrit');
});

test('onDisconnect receives the close details after the user\u2019s own disconnect()', async () => {
  const server = await createReferenceServer({ port: 0 });
  const client: OneBotClient = createClient({ url: server.url, selfId: 7, logger: quiet(), heartbeatInterval: 0 });
  const seen: [CloseInfo | undefined, ClientState['status']][] = [];
  client.onDisconnect((close, state) => void seen.push([close, state.status]));
  client.connect();
  await server.waitForBot(7);
  await client.disconnect();
  await server.close();
  expect(seen).toEqual([[{ code: 1000, reason: 'client disconnect' }, 'closed']]);
});

test('createTextMessage and sendText narrow by message type', () => {
  const client = createClient({ url: 'ws://127.0.0.1:9/ws', selfId: 8, logger: quiet() });
  const group = client.createTextMessage('hi', 'group', { groupId: 3 });
  const priv = client.createTextMessage('hi', 'private', { targetId: 4 });
  const groupId: number = group.group_id; // compiles only if narrowed to GroupMessageEvent
  const subType: 'friend' | 'group' | 'other' = priv.sub_type;
  expect([groupId, subType]).toEqual([3, 'friend']);
});
