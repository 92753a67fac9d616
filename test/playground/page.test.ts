/**
 * The playground page's pure parts (no DOM): the composer's text to segments (table and property),
 * notices as system lines, plain text of segments, frame summaries. The page as a whole runs in
 * headless Chromium (test/browser/playground.test.ts).
 */
import fc from 'fast-check';
import { segment, type NoticeEvent, type Segment } from '../../src/index';
import { createWorld } from '../../src/world-entry';
import { groupKey, nameIn, noticeLine, textToSegments, userKey, type Mention } from '../../src/playground/page/chat';
import { summarize } from '../../src/playground/page/inspector';
import { plainText, type Lookup } from '../../src/playground/page/render';
import { faceLabel } from '../../src/playground/page/faces';

const BOT = 10001;
const G = 100;
const spec = {
  bot: { user_id: BOT, nickname: 'Bot' },
  users: [
    { user_id: 1, nickname: 'Ann' },
    { user_id: 2, nickname: 'Ben' },
    { user_id: 3, nickname: 'Cat' },
  ],
  friends: [{ user_id: 1 }],
  groups: [{ group_id: G, group_name: 'G', members: [{ user_id: 1, role: 'owner', card: 'Annie' }, { user_id: 2 }, { user_id: BOT, role: 'admin' }] }],
};
const world = () => createWorld(spec, { now: () => 1_700_000_000_000 });

describe('textToSegments', () => {
  const bob: Mention = { label: '@Bob', qq: 2 };
  const all: Mention = { label: '@everyone', qq: 'all' };
  it.each<[string, string, Mention[], Segment[]]>([
    ['plain text', 'hello', [], [segment.text('hello')]],
    ['a mention at the front', '@Bob /echo hi', [bob], [segment.at(2), segment.text(' /echo hi')]],
    ['a mention in the middle', 'hi @Bob!', [bob], [segment.text('hi '), segment.at(2), segment.text('!')]],
    ['the same mention twice', '@Bob @Bob', [bob], [segment.at(2), segment.text(' '), segment.at(2)]],
    ['two different mentions, earliest first', '@everyone and @Bob', [bob, all], [segment.at('all'), segment.text(' and '), segment.at(2)]],
    ['a mention deleted from the text', 'Bob?', [bob], [segment.text('Bob?')]],
    ['nothing', '', [bob], []],
  ])('%s', (_name, text, mentions, expected) => {
    expect(textToSegments(text, mentions)).toEqual(expected);
  });

  it('round-trips: the segments read back (at → its label) give the text, and no two text segments touch', () => {
    const mentionArb = fc.uniqueArray(fc.record({ label: fc.string({ minLength: 1, maxLength: 6 }).map((s) => `@${s}`), qq: fc.integer({ min: 1, max: 1e6 }) }), {
      selector: (m) => m.qq,
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), mentionArb, (text, mentions) => {
        const segs = textToSegments(text, mentions);
        const back = segs.map((s) => (s.type === 'text' ? String(s.data.text) : mentions.find((m) => String(m.qq) === String(s.data.qq))!.label)).join('');
        expect(back).toBe(text);
        for (let i = 1; i < segs.length; i++) expect(segs[i - 1]!.type === 'text' && segs[i]!.type === 'text').toBe(false);
      }),
    );
  });
});

describe('noticeLine', () => {
  const line = (make: (w: ReturnType<typeof world>) => { events: readonly unknown[] }) => {
    const w = world();
    const out = make(w);
    return noticeLine(w, out.events[0] as NoticeEvent, 0);
  };
  it.each<[string, (w: ReturnType<typeof world>) => { events: readonly unknown[] }, string, string, number | undefined]>([
    ['join', (w) => w.join(G, 3), groupKey(G), 'Cat joined the group', undefined],
    ['leave', (w) => w.memberLeave(G, 2), groupKey(G), 'Ben left the group', undefined],
    ['kick by the bot', (w) => w.kick(G, 2), groupKey(G), 'Ben was removed by Bot (bot)', undefined],
    ['ban', (w) => w.ban(G, 2, 60), groupKey(G), 'Ben was muted for 60 s by Bot (bot)', undefined],
    ['poke', (w) => w.poke(1, BOT, G), groupKey(G), 'Annie poked Bot (bot)', undefined],
    ['own recall', (w) => w.recall(w.say(2, { groupId: G }, 'x').stored.message_id, 2), groupKey(G), 'Ben recalled a message', 1],
    ['recall by an admin', (w) => w.recall(w.say(2, { groupId: G }, 'x').stored.message_id, 1), groupKey(G), 'Annie recalled a message of Ben', 1],
    ['friend recall', (w) => w.recall(w.say(1, { userId: 1 }, 'x').stored.message_id, 1), userKey(1), 'Ann recalled a message', 1],
  ])('%s', (_name, make, chat, text, recalls) => {
    const { entry, recalls: r } = line(make);
    expect(entry).toMatchObject({ kind: 'system', chat, text });
    expect(r).toBe(recalls);
  });

  it('names: group card first, then nickname, then the number', () => {
    const w = world();
    expect(nameIn(w, 1, G)).toBe('Annie');
    expect(nameIn(w, 1)).toBe('Ann');
    expect(nameIn(w, BOT, G)).toBe('Bot');
    expect(nameIn(w, 999)).toBe('999');
  });
});

describe('plainText and faces', () => {
  const lookup: Lookup = { name: (u) => (u === 2 ? 'Ben' : String(u)), quoted: () => undefined, forward: () => undefined, media: () => undefined };
  it('reads segments as a preview does', () => {
    const segs: Segment[] = [segment.reply(5), segment.at(2), segment.text(' hi '), segment.face(14), segment.image('a.png'), segment.at('all'), { type: 'mystery', data: {} } as Segment];
    expect(plainText(segs, lookup, G)).toBe('@Ben hi [smile][image]@everyone[mystery]');
  });
  it('labels known faces and numbers the rest', () => {
    expect(faceLabel(14)).toBe('smile');
    expect(faceLabel(99999)).toBe('face 99999');
  });
});

describe('summarize (inspector rows)', () => {
  it.each<[string, unknown, string]>([
    ['an API call with a group', { action: 'send_group_msg', params: { group_id: 5, message: 'x' }, echo: 1 }, 'call send_group_msg group 5'],
    ['an API call without params', { action: 'get_login_info', echo: 'a' }, 'call get_login_info'],
    ['a message event', { post_type: 'message', message_type: 'group', sub_type: 'normal', raw_message: 'hi' }, 'message.group.normal: hi'],
    ['a notice', { post_type: 'notice', notice_type: 'group_recall' }, 'notice.group_recall'],
    ['a heartbeat', { post_type: 'meta_event', meta_event_type: 'heartbeat' }, 'meta_event.heartbeat'],
    ['an answer', { status: 'failed', retcode: 1404, echo: 3 }, 'answer failed (retcode 1404)'],
  ])('%s', (_name, frame, expected) => {
    expect(summarize(frame, JSON.stringify(frame))).toBe(expected);
  });
  it('falls back to the text for what is not JSON', () => {
    expect(summarize(undefined, 'not json')).toBe('not json');
  });
});
