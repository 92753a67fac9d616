import { INITIAL_STATE, reduce, type ClientState, type Happening, type ReconnectPolicy } from '../../src/client/state';
import { ErrorCode, OneBotError } from '../../src/protocol/errors';

/** The one state of a client, reduced from what happened: each row is a history and where it ends. */

const policy = (maxReconnectAttempts = 3, minUptime = 5000): ReconnectPolicy => ({ maxReconnectAttempts, minUptime, delay: (n) => n * 1000 });
const closedBy = (code: number): Happening => ({
  type: 'lost',
  error: new OneBotError(ErrorCode.ConnectionClosed, `connection closed: ${code}`, { code, reason: '' }),
  close: { code, reason: '' },
  uptime: 10,
});
const refused: Happening = { type: 'lost', error: new OneBotError(ErrorCode.SocketError, 'ECONNREFUSED'), close: undefined, uptime: undefined };
const stayedUp: Happening = { type: 'lost', error: new OneBotError(ErrorCode.ConnectionClosed, 'closed', { code: 1001, reason: '' }), close: { code: 1001, reason: '' }, uptime: 60_000 };

const run = (history: Happening[], p = policy()): ClientState => history.reduce((s, h) => reduce(s, h, p), INITIAL_STATE);
const pick = (s: ClientState) => ({ status: s.status, attempt: s.attempt, delay: s.delay, reason: s.reason });

describe('client state', () => {
  it.each<[string, Happening[], Partial<ClientState>]>([
    ['a new client is idle', [], { status: 'idle', attempt: 0 }],
    ['connect() dials', [{ type: 'connect' }], { status: 'connecting', attempt: 0 }],
    ['connect() twice is one dial', [{ type: 'connect' }, { type: 'connect' }], { status: 'connecting', attempt: 0 }],
    ['the first dial opens', [{ type: 'connect' }, { type: 'opened' }], { status: 'open', attempt: 0 }],
    ['a failed first dial waits for reconnect 1', [{ type: 'connect' }, refused], { status: 'reconnecting', attempt: 1, delay: 1000 }],
    ['attempts count up while dials fail', [{ type: 'connect' }, refused, refused, refused], { status: 'reconnecting', attempt: 3, delay: 3000 }],
    ['after maxReconnectAttempts failures in a row it gives up, attempt = max', [{ type: 'connect' }, refused, refused, refused, refused], { status: 'closed', attempt: 3, reason: 'attempts-exhausted' }],
    ['an open that closes at once keeps counting (a server that accepts and drops)', [{ type: 'connect' }, refused, { type: 'opened' }, closedBy(1008)], { status: 'reconnecting', attempt: 2 }],
    ['a connection that stayed up minUptime starts the count afresh', [{ type: 'connect' }, refused, refused, { type: 'opened' }, stayedUp], { status: 'reconnecting', attempt: 1 }],
    ['disconnect() while open is closing', [{ type: 'connect' }, { type: 'opened' }, { type: 'disconnect' }], { status: 'closing' }],
    ['the close that answers disconnect() ends it', [{ type: 'connect' }, { type: 'opened' }, { type: 'disconnect' }, closedBy(1000)], { status: 'closed', reason: 'disconnected' }],
    ['disconnect() before connect() closes at once', [{ type: 'disconnect' }], { status: 'closed', reason: 'disconnected' }],
    ['nothing leaves closed', [{ type: 'disconnect' }, { type: 'connect' }, { type: 'opened' }, refused], { status: 'closed', reason: 'disconnected' }],
  ])('%s', (_name, history, expected) => {
    expect(pick(run(history))).toMatchObject(expected);
  });

  it('maxReconnectAttempts 0 retries forever', () => {
    const history: Happening[] = [{ type: 'connect' }, ...Array<Happening>(500).fill(refused)];
    expect(pick(run(history, policy(0)))).toMatchObject({ status: 'reconnecting', attempt: 500 });
  });

  it('keeps the close details of the connection that ended, for onDisconnect', () => {
    const s = run([{ type: 'connect' }, { type: 'opened' }, { type: 'disconnect' }, closedBy(1000)]);
    expect(s.lastClose).toEqual({ code: 1000, reason: '' });
  });

  it('returns the same object when nothing changes (no emission on state$)', () => {
    const open = run([{ type: 'connect' }, { type: 'opened' }]);
    expect(reduce(open, { type: 'connect' }, policy())).toBe(open);
    expect(reduce(open, { type: 'opened' }, policy())).toBe(open);
  });
});
