import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { kindOf, sleep, startPeer, type Peer } from './lib/peer';

/**
 * Issue 10, defect 1: a send made while the client is `reconnecting` (from a `state$` subscriber
 * right after a pong timeout, for example) was written into the dead socket: with
 * `confirmDelivery: 'ack'` it was rejected although it never reached a live link, with `'write'` it
 * resolved and was lost.
 *
 * Now such a send waits in the outbox and goes out exactly once, on the next live connection, after
 * that connection's connect event; in both modes its promise resolves.
 */

let peer: Peer;
let client: OneBotClient | undefined;

beforeEach(async () => {
  peer = await startPeer();
});
afterEach(async () => {
  await client?.disconnect();
  client = undefined;
  await peer.close();
});

type Cause = 'pong timeout' | 'server close 1008' | 'server close 1001';
type Moment = 'a state$ subscriber' | 'an errors$ subscriber' | 'an onDisconnect callback' | 'a timer while waiting to redial';

const SELF = 91001;

/** Starts the client, breaks its first connection by `cause`, and sends `text` at `moment`. */
const sendDuringReconnect = async (mode: 'ack' | 'write', cause: Cause, moment: Moment, text: string) => {
  const c = createClient({ url: peer.url, selfId: SELF, logger: silentLogger, heartbeatInterval: 0, pingInterval: 100, pongTimeout: 100, reconnectInterval: 100, confirmDelivery: mode });
  client = c;
  const errors: OneBotError[] = [];
  c.errors$.subscribe((e) => errors.push(e));
  let outcome: Promise<string> | undefined;
  let statusAtSend: string | undefined;
  const send = (): void => {
    if (outcome !== undefined) return;
    statusAtSend = c.state.status;
    outcome = c.sendText(text, 'private', { targetId: 1 }).then(
      () => 'resolved',
      (e: OneBotError) => `rejected: ${e.code}`,
    );
  };
  let lost = false;
  c.state$.subscribe((s) => {
    if (s.status !== 'reconnecting' || lost) return;
    lost = true;
    if (moment === 'a state$ subscriber') send();
    if (moment === 'a timer while waiting to redial') setTimeout(send, 40);
  });
  if (moment === 'an errors$ subscriber') {
    c.errors$.subscribe((e) => {
      if (e.code === ErrorCode.PongTimeout || e.code === ErrorCode.Forbidden) send();
    });
  }
  if (moment === 'an onDisconnect callback') c.onDisconnect(() => send());

  c.connect();
  const first = await peer.waitFor(() => peer.connections[0]?.frames.some((f) => kindOf(f) === 'connect') && peer.connections[0], 'the first connection');
  if (cause === 'pong timeout') first.answerPings = false;
  else first.ws.close(cause === 'server close 1008' ? 1008 : 1001, 'regression test');

  const second = await peer.waitFor(() => peer.connections[1], 'the reconnect', 5000);
  await peer.waitFor(() => second.frames.some((f) => kindOf(f) === text), `${text} on the new connection`, 5000);
  // Anything that would go out twice has had its chance now.
  await sleep(150);
  const result = await peer.waitFor(() => outcome, 'the send to settle', 5000);
  return { statusAtSend, result, errors, frames: peer.connections.map((conn) => conn.frames.map(kindOf)) };
};

const cases: [Cause, Moment][] = [
  ['pong timeout', 'a state$ subscriber'],
  ['pong timeout', 'an errors$ subscriber'],
  ['pong timeout', 'an onDisconnect callback'],
  ['pong timeout', 'a timer while waiting to redial'],
  ['server close 1008', 'a state$ subscriber'],
  ['server close 1008', 'an errors$ subscriber'],
  ['server close 1008', 'an onDisconnect callback'],
  ['server close 1001', 'a state$ subscriber'],
  ['server close 1001', 'an onDisconnect callback'],
  ['server close 1001', 'a timer while waiting to redial'],
];

describe.each(['ack', 'write'] as const)("issue 10 (1): confirmDelivery '%s'", (mode) => {
  test.each(cases)('after a %s, a send from %s waits and goes out exactly once, after the next connect event', async (cause, moment) => {
    const text = `during-reconnect:${mode}:${cause}:${moment}`;
    const { statusAtSend, result, errors, frames } = await sendDuringReconnect(mode, cause, moment, text);
    // The send really happened while the old link was gone (the errors$ report of a pong timeout
    // comes just before the state turns; the link is already dead then).
    expect(['open', 'reconnecting']).toContain(statusAtSend);
    // Not written into the dead link, so neither rejected ('ack') nor resolved-and-lost ('write').
    expect(result).toBe('resolved');
    expect(errors.filter((e) => e.code === ErrorCode.DeliveryUnknown)).toEqual([]);
    // Exactly once, on the new connection, after its connect event.
    const everywhere = frames.flat().filter((k) => k === text);
    expect(everywhere).toHaveLength(1);
    expect(frames[0]).not.toContain(text);
    const onSecond = frames[1]!;
    expect(onSecond[0]).toBe('connect');
    expect(onSecond.indexOf(text)).toBeGreaterThan(0);
  });
});
