import { classifyFailure, closeInfoOf, describeClose } from '../../src/transport/close-reason';
import { ErrorCode, OneBotError } from '../../src/protocol/errors';

describe('classifyFailure', () => {
  it.each([
    [{ message: 'Unexpected server response: 401' }, ErrorCode.Unauthorized, 'server refused the connection with HTTP 401 (token missing or malformed)', { status: 401 }],
    [
      { error: new Error('Unexpected server response: 403') },
      ErrorCode.Forbidden,
      'server refused the connection with HTTP 403 (bad token, self id or role, this self id already connected, or a URL path that is not its OneBot endpoint: NoneBot2 answers 403 there too)',
      { status: 403 },
    ],
    [
      { message: 'Unexpected server response: 404' },
      ErrorCode.SocketError,
      'server refused the upgrade with HTTP 404: no OneBot endpoint at this URL path (NoneBot2: /onebot/v11/ws, Koishi: /onebot, aiocqhttp: /ws/)',
      { status: 404 },
    ],
    [
      { message: 'Unexpected server response: 409' },
      ErrorCode.DuplicateSelfId,
      'server refused the connection with HTTP 409: another connection holds this self id; it is retried until that one goes away or attempts run out',
      { status: 409 },
    ],
    [{ message: 'Unexpected server response: 502' }, ErrorCode.SocketError, 'server refused the upgrade with HTTP 502', { status: 502 }],
    [{ code: 1008, reason: 'invalid x-self-id', wasClean: true }, ErrorCode.Forbidden, 'server closed the connection: 1008 policy violation: invalid x-self-id', { code: 1008, reason: 'invalid x-self-id' }],
    [{ code: 1006, reason: '', wasClean: false }, ErrorCode.ConnectionClosed, 'connection closed: 1006 abnormal closure', { code: 1006, reason: '' }],
    [{ code: 4000, reason: 'bye', wasClean: true }, ErrorCode.ConnectionClosed, 'connection closed: 4000 close: bye', { code: 4000, reason: 'bye' }],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:1' }, ErrorCode.SocketError, 'connect ECONNREFUSED 127.0.0.1:1', {}],
  ])('%o → %s', (input, code, message, data) => {
    const e = classifyFailure(input);
    expect(e).toBeInstanceOf(OneBotError);
    expect([e.code, e.message, e.data]).toEqual([code, message, data]);
  });

  it('uses the close that followed an error event when it says 1008', () => {
    const e = classifyFailure({ message: 'socket error' }, { code: 1008, reason: 'Duplicate X-Self-ID' });
    expect([e.code, e.message]).toEqual([ErrorCode.Forbidden, 'server closed the connection: 1008 policy violation: Duplicate X-Self-ID']);
  });

  it('passes OneBotErrors through and masks tokens in messages and reasons', () => {
    const own = new OneBotError(ErrorCode.PongTimeout, 'x');
    expect(classifyFailure(own)).toBe(own);
    expect(classifyFailure({ message: 'failed ws://h/ws?access_token=s3cret' }).message).toBe('failed ws://h/ws?access_token=[redacted]');
    expect(closeInfoOf({ code: 1008, reason: 'bad Bearer s3cret' })).toEqual({ code: 1008, reason: 'bad Bearer [redacted]' });
  });

  it('describes close codes', () => {
    expect(describeClose({ code: 1000, reason: '' })).toBe('1000 normal closure');
    expect(closeInfoOf('nope')).toBeUndefined();
  });
});
