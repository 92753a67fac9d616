import { encodeOutgoingText } from '../../src/client/outgoing';
import { createTextMessage } from '../../src/protocol/builders';
import { ErrorCode } from '../../src/protocol/errors';

const event = createTextMessage({ selfId: 10, messageType: 'private', text: 'hi', targetId: 20 });
const codeOf = (r: ReturnType<typeof encodeOutgoingText>): string => (typeof r === 'string' ? 'ok' : r.code);

describe('encodeOutgoingText: what a client may put on the wire (§2.1)', () => {
  it.each<[string, unknown, number | undefined, string]>([
    ['own event', event, 10, 'ok'],
    ['own event as pre-encoded text', JSON.stringify(event), 10, 'ok'],
    ['another account’s event', { ...event, self_id: 11 }, 10, ErrorCode.InvalidOutgoing],
    ['another account’s event as text', JSON.stringify({ ...event, self_id: 11 }), 10, ErrorCode.InvalidOutgoing],
    ['an event without self_id', { ...event, self_id: undefined }, 10, ErrorCode.InvalidOutgoing],
    ['any self_id when the caller does not pin one', { ...event, self_id: 11 }, undefined, 'ok'],
    ['an API response (no self_id involved)', { status: 'ok', retcode: 0, data: null, echo: 1 }, 10, 'ok'],
    ['malformed pre-encoded text', '{"post_type":', 10, ErrorCode.InvalidOutgoing],
    ['text that is not an object', '[1]', 10, ErrorCode.InvalidOutgoing],
    ['a response that carries post_type', { status: 'ok', retcode: 0, post_type: 5 }, 10, ErrorCode.InvalidOutgoing],
  ])('%s', (_name, frame, selfId, expected) => {
    expect(codeOf(encodeOutgoingText(frame as never, 1 << 20, selfId))).toBe(expected);
  });

  it('names both accounts when refusing a foreign self_id', () => {
    const r = encodeOutgoingText({ ...event, self_id: 11 }, 1 << 20, 10);
    expect(typeof r !== 'string' && r.message).toBe("event self_id 11 is not this client's (10)");
  });

  it('names the missing envelope fields of an event (the CLI\'s /raw {"post_type":"message"})', () => {
    const r = encodeOutgoingText('{"post_type":"message"}', 1 << 20, 10);
    expect(typeof r !== 'string' && r.message).toBe('event is missing time, self_id: every event needs time, self_id and post_type (and its detail type, e.g. message_type)');
  });

  it('refuses frames above maxPayload with their size', () => {
    const r = encodeOutgoingText({ ...event, raw_message: 'x'.repeat(2000) }, 1000, 10);
    expect(typeof r !== 'string' && r.code).toBe(ErrorCode.FrameTooLarge);
  });
});
