/**
 * How to test a bot, in two layers (examples/reactive.ts's echo bot is the bot under test):
 *
 * 1. Marble tests pin timing on virtual time: an RxJS `TestScheduler`, injected as the client's
 *    `scheduler`, and a small fake socket injected as `WebSocketCtor`. No network, no waiting.
 * 2. Integration tests run the real client against the reference server on 127.0.0.1, port 0: the
 *    server pushes frames with `sendRaw` and records everything the bot sends (`waitForEvent`).
 *
 * In jest, call these with jest's matcher:
 *
 *   it('throttles echoes per group', () => echoMarbleTest((actual, expected) => expect(actual).toEqual(expected)));
 *   it('echoes over a real socket', () => echoIntegrationTest());
 *
 *   node -r esbuild-register examples/testing-your-bot.ts
 *
 * In your own project import from 'onebot-rx' and 'onebot-rx/server' instead of '../src'.
 */
import { strict as assert } from 'node:assert';
import { Subject, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createClient, createTextMessage, silentLogger } from '../src';
import { encodeFrame } from '../src/protocol-entry';
import { createReferenceServer } from '../src/server';
import { echoBot } from './reactive';

/** A socket in the browser's shape that the test drives by hand. */
export class FakeSocket {
  static last: FakeSocket | undefined;
  static readonly written = new Subject<string>();
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((e: unknown) => void) | null = null;
  onclose: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string): void {
    FakeSocket.written.next(data);
  }
  close(code = 1005, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: true });
  }
  /** Test controls: the server accepts, the server sends a frame. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: string): void {
    this.onmessage?.({ data: frame });
  }
}

const BOT = 10001000;
const GROUP = 123456;
const groupText = (text: string) => encodeFrame(createTextMessage({ selfId: BOT, messageType: 'group', groupId: GROUP, userId: 20002000, text }));

/** Marbles: the connect event first, then one echo per group per throttle window. */
export function echoMarbleTest(assertEqual: (actual: unknown, expected: unknown) => void): void {
  const scheduler = new TestScheduler(assertEqual);
  scheduler.run(({ expectObservable }) => {
    const client = createClient({ url: 'ws://127.0.0.1:8080/onebot/v11/ws', selfId: BOT, WebSocketCtor: FakeSocket, scheduler, logger: silentLogger, heartbeatInterval: 0, pingInterval: 0 });
    echoBot(client, { throttleMs: 1000 }).subscribe();
    // One letter per frame the bot writes: C = the lifecycle connect event, else the message text.
    // (Subscribed before the actions below, so it sees the frame written at time 0.)
    const written = FakeSocket.written.pipe(map((f) => (f.includes('"lifecycle"') ? 'C' : (JSON.parse(f) as { raw_message: string }).raw_message)));
    expectObservable(written, '^ 3000ms !').toBe('C 9ms a 1489ms c');
    client.connect();
    const at = (ms: number, act: () => void) => scheduler.schedule(act, ms);
    at(0, () => FakeSocket.last?.open());
    at(10, () => FakeSocket.last?.receive(groupText('!echo a')));
    at(20, () => FakeSocket.last?.receive(groupText('!echo b'))); // inside the window: dropped
    at(1500, () => FakeSocket.last?.receive(groupText('!echo c')));
    at(1600, () => FakeSocket.last?.receive(groupText('no command'))); // ignored
  });
}

/** The real client, a real socket and the reference server: what the bot sends arrives. */
export async function echoIntegrationTest(): Promise<void> {
  const server = await createReferenceServer({ port: 0 }); // a free port, never a fixed one
  const client = createClient({ url: server.url, selfId: BOT, logger: silentLogger });
  const bot = echoBot(client, { throttleMs: 1000 }).subscribe();
  try {
    client.connect();
    await server.waitForBot(BOT, 5000);
    server.sendRaw(BOT, groupText('!echo over the wire'));
    const echo = await server.waitForEvent((e) => e.selfId === BOT && e.event.post_type === 'message', 5000);
    assert.equal(echo.event.raw_message, 'over the wire');
    assert.equal(echo.event.group_id, GROUP);
  } finally {
    bot.unsubscribe();
    await client.disconnect();
    await server.close();
  }
}

/** Runs both; rejects on the first failed assertion. */
export async function main(): Promise<void> {
  echoMarbleTest((actual, expected) => assert.deepEqual(actual, expected));
  await echoIntegrationTest();
}

if (require.main === module) {
  main().then(
    () => console.log('both tests passed'),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
