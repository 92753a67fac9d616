/**
 * Dropping a connection without a close handshake (`disconnect()` whose close frame is never
 * answered): tearing down the session's live work cancels the running handlers, which releases
 * their budget and would resume reading the socket. Nothing the link held back while reading was
 * paused may reach the answering engine of a session that is ending. (The client also ignores what a
 * stopping session emits; this pins the outcome on both counts.)
 */
import { NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createClient } from '../../src/client/create-client';
import { silentLogger } from '../../src/logging/logger';
import { FakeSocket } from './fake-socket';

/** A socket that can stop reading (as `ws` can), and whose close is never answered. */
class PausableSilentSocket extends FakeSocket {
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  override close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
}

beforeEach(() => FakeSocket.reset());

test('a call held while reading was paused never reaches the client once the session is dropped', () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  let quickRuns = 0;
  const received: number[] = [];
  const errors: string[] = [];
  let socket: PausableSilentSocket | undefined;
  scheduler.run(() => {
    const client = createClient({
      url: 'ws://127.0.0.1:9/ws',
      WebSocketCtor: PausableSilentSocket,
      scheduler,
      logger: silentLogger,
      pingInterval: 0,
      heartbeatInterval: 0,
      world: false,
      concurrentHandlers: 1,
      pendingCallsLimit: 2,
    });
    client.handle('slow', () => NEVER);
    client.handle('quick', () => ++quickRuns);
    client.requests$.subscribe((r) => received.push(r.echo as number));
    client.errors$.subscribe((e) => errors.push(e.code));
    client.connect();
    scheduler.schedule(() => {
      socket = FakeSocket.last as PausableSilentSocket;
      socket.open();
      // Two calls that never finish fill the bound: the client stops reading.
      socket.triggerMessage('{"action":"slow","params":{},"echo":1}');
      socket.triggerMessage('{"action":"slow","params":{},"echo":2}');
      expect(socket.paused).toBe(true);
      // Frames the socket had already read: the link holds them until reading resumes.
      socket.triggerMessage('{"action":"quick","params":{},"echo":3}');
      socket.triggerMessage('{"action":7,"echo":4}');
      // The close is never answered: the client drops the connection after its close timeout.
      void client.disconnect();
    }, 1);
  });
  expect(socket?.closedWith?.code).toBe(1000);
  expect(received).toEqual([1, 2]);
  // Neither decoded (the malformed call would be reported, and answered 1400) nor run.
  expect(errors).toEqual([]);
  expect(quickRuns).toBe(0);
});
