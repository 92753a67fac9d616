/**
 * A realistic OneBot v11 group message event (docs/protocol.md §3.3, array message format), about 350
 * bytes of JSON: one line of text, the group sender fields servers read. Every row uses this one.
 */

export const FIXTURE_TEXT = 'stage-2 is green, ship?';

/** Self id of the bot in every row; raw clients use other ids so the server can tell them apart. */
export const BOT_ID = 10001000;

export function groupMessageEvent(messageId = 1234567, text = FIXTURE_TEXT): Record<string, unknown> {
  return {
    time: 1700000000,
    self_id: BOT_ID,
    post_type: 'message',
    message_type: 'group',
    sub_type: 'normal',
    message_id: messageId,
    group_id: 123456789,
    user_id: 20002000,
    anonymous: null,
    message: [
      { type: 'text', data: { text } },
    ],
    raw_message: text,
    font: 0,
    sender: { user_id: 20002000, nickname: 'Alice', card: '', role: 'member' },
  };
}

/** The fixture serialized once, what a raw client would keep ready to send. */
export const FIXTURE_JSON = JSON.stringify(groupMessageEvent());

/** A lifecycle connect event (docs/protocol.md §3.1), what the raw baselines send first. */
export function connectEvent(selfId: number): string {
  return JSON.stringify({ time: Math.floor(Date.now() / 1000), self_id: selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });
}

/** A heartbeat event (docs/protocol.md §3.1). */
export function heartbeatEvent(selfId: number, intervalMs: number): string {
  return JSON.stringify({ time: Math.floor(Date.now() / 1000), self_id: selfId, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: true, good: true }, interval: intervalMs });
}
