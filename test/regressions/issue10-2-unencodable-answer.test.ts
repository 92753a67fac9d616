import { defer, of } from 'rxjs';
import { createClient } from '../../src/client/create-client';
import type { OneBotClient } from '../../src/client/types';
import { silentLogger } from '../../src/logging/logger';
import { ErrorCode, type OneBotError } from '../../src/protocol/errors';
import { sleep, startPeer, type Peer, type PeerConnection } from './lib/peer';

/**
 * Issue 10, defect 2: an API handler whose result `JSON.stringify` cannot encode (a BigInt, a
 * cycle, or 100k-deep data echoed back from a hostile server's params) crashed the whole process
 * when the handler was async, and dropped the link when it was sync. (An Observable-returning
 * handler is covered too.)
 *
 * Now each is answered with a failed answer carrying the reason, reported on `errors$`; the link
 * stays up and the process does not crash.
 */

const SELF = 91002;
const DEPTH = 100_000;

let peer: Peer;
let client: OneBotClient;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => {
  crashes.push(e);
};

beforeAll(() => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
});
afterAll(() => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});
beforeEach(async () => {
  peer = await startPeer();
});
afterEach(async () => {
  await client.disconnect();
  await peer.close();
});

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
};

/** What the handlers return, sync and async; `echo_deep` returns the server's own (deep) params. */
const RESULTS: Record<string, (params: unknown) => unknown> = {
  bigint: () => ({ count: 10n ** 30n }),
  cycle: () => cyclic(),
  echo_deep: (params) => params,
};

/** The raw text of a call whose params nest `DEPTH` arrays deep (built as text: the server side cannot stringify it either). */
const deepCall = (action: string, echo: string): string => `{"action":"${action}","params":{"d":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}},"echo":"${echo}"}`;

const answerTo = (conn: PeerConnection, echo: string): Record<string, unknown> | undefined => {
  for (const f of conn.frames) {
    if (!f.includes(`"echo":"${echo}"`)) continue;
    const parsed = JSON.parse(f) as Record<string, unknown>;
    if (parsed.echo === echo) return parsed;
  }
  return undefined;
};

describe.each(['sync', 'async', 'observable'] as const)('issue 10 (2): a handler (%s)', (style) => {
  test.each([
    ['bigint', /BigInt/i],
    ['cycle', /circular/i],
    ['echo_deep', /call stack/i],
  ] as const)('whose result (%s) JSON.stringify cannot encode: failed answer with the reason, errors$, link up, no crash', async (what, reason) => {
    client = createClient({ url: peer.url, selfId: SELF, logger: silentLogger, heartbeatInterval: 0, reconnectInterval: 100 });
    const errors: OneBotError[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    const action = `${what}_${style}`;
    const produce = RESULTS[what]!;
    const handlers = {
      sync: (params: unknown) => produce(params),
      async: async (params: unknown) => produce(params),
      observable: (params: unknown) => defer(() => of(produce(params))),
    };
    client.handle(action, handlers[style]);
    client.connect();
    const conn = await peer.waitFor(() => peer.connections[0]?.frames.length && peer.connections[0], 'the connect event');

    const echo = `${action}-1`;
    conn.ws.send(what === 'echo_deep' ? deepCall(action, echo) : JSON.stringify({ action, params: {}, echo }));
    const answer = await peer.waitFor(() => answerTo(conn, echo), `the answer to ${echo}`);
    expect(answer).toMatchObject({ status: 'failed', retcode: 1500, echo });
    expect(String(answer.message)).toMatch(/cannot be encoded/);
    expect(String(answer.message)).toMatch(reason);

    const reported = errors.find((e) => e.data.echo === echo);
    expect(reported?.code).toBe(ErrorCode.InvalidOutgoing);
    expect(reported?.message).toMatch(reason);

    // The link is still up and still answers: the same connection, a plain call answered ok.
    conn.ws.send(JSON.stringify({ action: 'get_status', params: {}, echo: 'after' }));
    expect(await peer.waitFor(() => answerTo(conn, 'after'), 'the answer after')).toMatchObject({ status: 'ok', retcode: 0 });
    await sleep(20);
    expect(peer.connections).toHaveLength(1);
    expect(conn.closed).toBe(false);
    expect(client.state.status).toBe('open');
    expect(crashes).toEqual([]);
  });
});
