import WebSocket from 'ws';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { ErrorCode } from '../../src/protocol/errors';
import { bot, closePeers } from './helpers';

/**
 * FINDINGS.md F3: when the WebSocket layer rejects a frame it closes the connection itself (1009
 * for a frame above the hard limit, 1007 for text that is not UTF-8). That close is the server's:
 * the record must say so, with the code the bot actually received.
 */

const servers: ReferenceServer[] = [];
afterEach(async () => {
  closePeers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const start = async (): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, handshakeTimeout: 150, maxPayload: 1024 });
  servers.push(s);
  return s;
};

it('records a frame above the hard limit as closed by the server with 1009 and a reason', async () => {
  const s = await start();
  const a = await bot(s, 1001);
  a.send('x'.repeat(64 * 1024 + 2048));
  expect((await a.closed).code).toBe(1009);
  const rec = await s.waitForDisconnect(1001);
  expect(rec).toMatchObject({ selfId: 1001, closedBy: 'server', closeCode: 1009, closeReason: 'frame too large: Max payload size exceeded' });
  expect(s.errors).toMatchObject([{ code: ErrorCode.FrameTooLarge, selfId: 1001 }]);
  expect(s.bots()).toEqual([]);
});

it('frees the self_id at once, before the socket has finished closing', async () => {
  const s = await start();
  const a = await bot(s, 1001);
  a.send('x'.repeat(64 * 1024 + 2048));
  await s.waitForError((e) => e.code === ErrorCode.FrameTooLarge);
  expect(s.bot(1001)).toBeUndefined();
  await s.waitForDisconnect(1001);
});

it('records a 1009 cut during the handshake the same way', async () => {
  const s = await start();
  const ws = new WebSocket(s.url, { headers: { 'X-Self-ID': '1001' } });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.once('open', () => ws.send('x'.repeat(64 * 1024 + 2048)));
  expect(await closed).toBe(1009);
  expect(await s.waitForDisconnect(() => true)).toMatchObject({ handshakeAt: undefined, closedBy: 'server', closeCode: 1009 });
});

it('records a text frame that is not UTF-8 as closed by the server with 1007', async () => {
  const s = await start();
  const a = await bot(s, 1001);
  a.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  expect((await a.closed).code).toBe(1007);
  expect(await s.waitForDisconnect(1001)).toMatchObject({ closedBy: 'server', closeCode: 1007 });
  expect((await s.waitForDisconnect(1001)).closeReason).toMatch(/^protocol error: /);
});

it('still records a close the bot started as the bot’s', async () => {
  const s = await start();
  const a = await bot(s, 1001);
  a.ws.close(4321, 'leaving');
  expect(await s.waitForDisconnect(1001)).toMatchObject({ closedBy: 'client', closeCode: 4321, closeReason: 'leaving' });
});
