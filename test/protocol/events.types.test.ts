/**
 * Type-level tests: checked by `tsc --noEmit` (npm run typecheck). Each `Expect<Equal<…>>` line and
 * each `@ts-expect-error` fails the type check if the public types drift. The runtime part only
 * makes sure the file is a valid jest suite.
 */
import type { GroupMessageEvent, HeartbeatStatus, MessageSentEvent, NoticeEvent, OneBotEvent, PokeNotice, PrivateMessageEvent } from '../../src/protocol/codecs/events';
import type { AtSegment, CustomMusicSegment, MessageInput, PlatformMusicSegment, Segment, StandardSegment, TextSegment } from '../../src/protocol/codecs/segments';
import { createConnectEvent, createMessageEvent, createNoticeEvent, createTextMessage } from '../../src/protocol/builders';
import { segment } from '../../src/protocol/segment';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// --- narrowing on post_type and the detail type -----------------------------------------------------
export const groupIdOf = (e: OneBotEvent): number | undefined => {
  if (e.post_type === 'message' && e.message_type === 'group') {
    type _ = Expect<Equal<typeof e, GroupMessageEvent>>;
    return e.group_id;
  }
  if (e.post_type === 'message') {
    type _ = Expect<Equal<typeof e, PrivateMessageEvent>>;
    // @ts-expect-error a private message has no group_id
    return e.group_id;
  }
  if (e.post_type === 'message_sent' && e.message_type === 'group') return e.group_id;
  if (e.post_type === 'notice' && e.notice_type === 'notify' && e.sub_type === 'poke') {
    type _ = Expect<Equal<typeof e, PokeNotice>>;
    const g: number | undefined = e.group_id;
    return g;
  }
  if (e.post_type === 'notice' && e.notice_type === 'group_ban') {
    const d: number = e.duration;
    const s: 'ban' | 'lift_ban' = e.sub_type;
    return d + s.length;
  }
  if (e.post_type === 'request' && e.request_type === 'group') {
    const s: 'add' | 'invite' = e.sub_type;
    return s === 'add' ? e.group_id : undefined;
  }
  if (e.post_type === 'meta_event' && e.meta_event_type === 'heartbeat') {
    const online: boolean | null = e.status.online;
    const extra: unknown = e.status.stat;
    return online && extra !== undefined ? e.interval : undefined;
  }
  return undefined;
};

type _postTypes = Expect<Equal<OneBotEvent['post_type'], 'meta_event' | 'message' | 'message_sent' | 'notice' | 'request'>>;
type _sentTypes = Expect<Equal<MessageSentEvent['message_type'], 'private' | 'group'>>;
type _anonymous = Expect<Equal<GroupMessageEvent['anonymous'], { id: number; name: string; flag: string } | null>>;
type _privateSub = Expect<Equal<PrivateMessageEvent['sub_type'], 'friend' | 'group' | 'other'>>;
type _privateTarget = Expect<Equal<PrivateMessageEvent['target_id'], number | undefined>>;
type _message = Expect<Equal<GroupMessageEvent['message'], string | Segment[]>>;
type _notifySubs = Expect<Equal<Extract<NoticeEvent, { notice_type: 'notify' }>['sub_type'], 'poke' | 'lucky_king' | 'honor' | 'title'>>;
type _status = Expect<Equal<HeartbeatStatus['good'], boolean>>;

// --- segments ----------------------------------------------------------------------------------------
type _text = Expect<Equal<TextSegment['data']['text'], string>>;
type _music = Expect<Equal<Extract<StandardSegment, { type: 'music' }>, PlatformMusicSegment | CustomMusicSegment>>;
type _standardTypes = Expect<Equal<StandardSegment['type'], 'text' | 'face' | 'image' | 'record' | 'video' | 'at' | 'rps' | 'dice' | 'shake' | 'poke' | 'anonymous' | 'share' | 'contact' | 'location' | 'music' | 'reply' | 'forward' | 'node' | 'xml' | 'json'>>;
const at: AtSegment = segment.at(1);
const standard: StandardSegment = segment.customMusic({ url: 'u', audio: 'a', title: 't' });
// Standard segments are generic segments, so builders' output fits every message parameter.
const input: MessageInput = [segment.text('a'), at, standard];
// @ts-expect-error contact type is 'qq' | 'group'
segment.contact('user', 1);
// @ts-expect-error music platforms are 'qq' | '163' | 'xm'
segment.music('spotify', 1);

// --- builders ----------------------------------------------------------------------------------------
const g = createTextMessage({ selfId: 1, messageType: 'group', groupId: 2, text: 'x' });
type _g = Expect<Equal<typeof g, GroupMessageEvent>>;
const p = createTextMessage({ selfId: 1, messageType: 'private', text: 'x' });
type _p = Expect<Equal<typeof p, PrivateMessageEvent>>;
const m = createMessageEvent({ selfId: 1, messageType: 'group' as 'group' | 'private', groupId: 2, message: input });
const asEvent: OneBotEvent = m;
const poke = createNoticeEvent(1, { notice_type: 'notify', sub_type: 'poke', user_id: 2, target_id: 3 });
const pokeEvent: OneBotEvent = poke;
// @ts-expect-error a notice body must match one notice codec
createNoticeEvent(1, { notice_type: 'friend_add' });
const connect: OneBotEvent = createConnectEvent(1);

describe('type-level tests (checked by tsc)', () => {
  it('the checked values exist at run time', () => {
    expect([asEvent.post_type, pokeEvent.post_type, connect.post_type]).toEqual(['message', 'notice', 'meta_event']);
    expect(groupIdOf(g)).toBe(2);
    expect(groupIdOf(p)).toBeUndefined();
  });
});
