import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { ClientOptions } from '../../src/client/options';
import { silentLogger } from '../../src/logging/logger';
import { FakeSocket, letter } from './fake-socket';

/**
 * Backpressure on one link, more than once: the frames held while the socket is above
 * `highWaterMark` leave when it drains, every time it congests. (The drain poll of a link used to
 * be armed only once: after the first drain, a second congestion of the same link held the outbox,
 * and with it reading, until the link died.)
 */

const newScheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const base: ClientOptions = { url: 'ws://127.0.0.1:9/ws', WebSocketCtor: FakeSocket, logger: silentLogger, pingInterval: 0, heartbeatInterval: 0, reconnectInterval: 1000, highWaterMark: 100 };
const at = (ts: TestScheduler, ms: number, fn: () => void) => ts.schedule(fn, ms);

beforeEach(() => FakeSocket.reset());

it('releases held frames after each drain of the same link, not only the first', () => {
  const ts = newScheduler();
  ts.run(({ expectObservable }) => {
    ts.maxFrames = 1000;
    const client = createClient(base);
    client.connect();
    const congestThenSend = (first: string, held: string[]) => {
      void client.sendText(first, 'private');
      FakeSocket.last.bufferedAmount = 500;
      for (const text of held) void client.sendText(text, 'private');
    };
    expectObservable(FakeSocket.sent$.pipe(map(letter))).toBe('c 9ms a 39ms (bd) 46ms e 49ms (fg) 46ms j 39ms k');
    at(ts, 0, () => FakeSocket.last.open());
    at(ts, 10, () => congestThenSend('a', ['b', 'd']));
    at(ts, 45, () => (FakeSocket.last.bufferedAmount = 0)); // drain poll at 50
    at(ts, 100, () => congestThenSend('e', ['f', 'g']));
    at(ts, 145, () => (FakeSocket.last.bufferedAmount = 0)); // drain poll at 150
    at(ts, 200, () => congestThenSend('j', ['k']));
    at(ts, 235, () => (FakeSocket.last.bufferedAmount = 0)); // drain poll at 240
  });
  expect(FakeSocket.instances).toHaveLength(1);
});
