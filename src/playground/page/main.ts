import { merge, map } from 'rxjs';
import { createClient, createConsoleLogger, segment, type OneBotMessageEvent as OneBotMessage, type NoticeEvent, type Segment } from '../../index';
import { attachWorld, createWorld } from '../../world-entry';
import { botMessageEntry, textToSegments, groupKey, MAX_ENTRIES_PER_CHAT, nameIn, noticeLine, parseKey, userKey, userMessageEntry, type ChatKey, type Entry, type MessageEntry, type Mention } from './chat';
import { clock, h } from './dom';
import { createInspector, MAX_FRAME_CHARS, MAX_FRAMES } from './inspector';
import { plainText, renderSegments, type Lookup } from './render';
import { createTap } from './tap';

/**
 * The playground page (docs/guides/playground.md). It runs the onebot-rx client itself, with the
 * simulated world attached: the page's client dials the play server's relay with the page key as
 * `?access_token=` (the core does that in a browser), the relay adds the headers the bot server
 * needs, or holds the listening transports (forward WS, HTTP) for it; to the page it is always
 * one reverse-WebSocket connection. Everything shown comes from the root entry's streams: the world's events (what the users
 * do), the messages the bot sent, the client's state, and the frames on the wire.
 */

interface PageConfig {
  readonly selfId: number;
  readonly world: unknown;
  /** The transports the play server runs for the page's bot, readable (`reverse WS ws://…`, `forward WS ws://…`...). */
  readonly links: readonly string[];
  readonly filesAllowed: boolean;
  readonly heartbeatInterval?: number;
  /** Entries kept per conversation. */
  readonly history?: number;
  readonly inspectorFrames?: number;
  readonly inspectorChars?: number;
}

const key = new URLSearchParams(location.hash.slice(1)).get('key') ?? '';
const withKey = (path: string): string => `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;

const start = async (): Promise<void> => {
  const response = await fetch(withKey('/config.json'));
  if (!response.ok) {
    document.body.replaceChildren(h('p', { role: 'alert' }, `The playground could not start: ${await response.text()}`));
    return;
  }
  const config = (await response.json()) as PageConfig;
  const world = createWorld(config.world);
  const tap = createTap();
  const relayUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bot`;
  const client = createClient({
    url: relayUrl,
    world: false, // the page attaches its own world below
    selfId: config.selfId,
    accessToken: key,
    WebSocketCtor: tap.Ctor,
    reconnectInterval: 1000,
    heartbeatInterval: config.heartbeatInterval ?? 30_000,
    logger: createConsoleLogger('warn'),
  });
  const attachment = attachWorld(client, world);
  (window as unknown as { playground: unknown }).playground = { client, world, attachment };

  // --- state ---------------------------------------------------------------------------------
  const entries = new Map<ChatKey, { list: Entry[]; els: HTMLElement[] }>();
  const messages = new Map<number, { entry: MessageEntry; el: HTMLElement }>();
  const unread = new Map<ChatKey, number>();
  const firstGroup = world.groups()[0];
  let current: ChatKey = firstGroup ? groupKey(firstGroup.group_id) : userKey(world.friendList()[0]?.user_id ?? 0);
  const speakerOf = new Map<ChatKey, number>();
  let replyTo: MessageEntry | undefined;
  let mentions: Mention[] = [];
  // Everyone the world declares, members or not (so a user outside a group can join it).
  const spec = world.toJSON();
  const known = new Set<number>([...spec.users.map((u) => u.user_id), ...spec.friends.map((f) => f.user_id), ...spec.groups.flatMap((g) => g.members.map((m) => m.user_id))]);

  const media = (d: Record<string, unknown>, kind: string): string | undefined => {
    const url = typeof d.url === 'string' ? d.url : '';
    if (/^https?:\/\//i.test(url)) return url;
    const file = typeof d.file === 'string' ? d.file : '';
    if (/^https?:\/\//i.test(file)) return file;
    if (file.startsWith('base64://')) {
      const b64 = file.slice('base64://'.length);
      const type =
        kind !== 'image'
          ? kind === 'record'
            ? 'audio/mpeg'
            : kind === 'video'
              ? 'video/mp4'
              : 'application/octet-stream'
          : b64.startsWith('/9j/')
            ? 'image/jpeg'
            : b64.startsWith('R0lG')
              ? 'image/gif'
              : b64.startsWith('UklG')
                ? 'image/webp'
                : 'image/png';
      return `data:${type};base64,${b64}`;
    }
    if (!config.filesAllowed) return undefined;
    if (file.startsWith('file://')) {
      try {
        return withKey(`/file?path=${encodeURIComponent(decodeURIComponent(new URL(file).pathname))}`);
      } catch {
        return undefined;
      }
    }
    if (file.startsWith('/')) return withKey(`/file?path=${encodeURIComponent(file)}`);
    return undefined;
  };
  const lookup: Lookup = {
    name: (u, g) => nameIn(world, u, g),
    quoted: (id) => {
      const shown = messages.get(id);
      if (shown) return { userId: shown.entry.userId, segments: shown.entry.segments, recalled: shown.entry.recalled };
      const stored = world.store.getMessage(id);
      return stored ? { userId: stored.user_id, segments: stored.message, recalled: false } : undefined;
    },
    forward: (id) => world.store.getForward(id)?.nodes,
    media,
  };

  // --- layout --------------------------------------------------------------------------------
  const connection = h('p', { class: 'connection', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const sidebar = h('nav', { class: 'sidebar', 'aria-label': 'Conversations' });
  const title = h('h1', { id: 'chat-title' });
  const log = h('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'chat-title' });
  const notice = h('p', { class: 'notice', role: 'alert' });
  const speaker = h('select', { id: 'speaker' });
  const mention = h('select', { id: 'mention' });
  const membership = h('button', { type: 'button', id: 'membership' });
  const poke = h('button', { type: 'button', id: 'poke' }, 'Poke the bot');
  const imageInput = h('input', { type: 'file', id: 'image-file', accept: 'image/png,image/jpeg,image/gif,image/webp', class: 'sr-only' });
  const imageLabel = h('label', { for: 'image-file', class: 'button', tabindex: 0, role: 'button' }, 'Send an image');
  const replyBar = h('div', { class: 'reply-bar', hidden: true });
  const compose = h('textarea', { id: 'compose', rows: 2, placeholder: 'Type a message; Enter sends, Shift+Enter starts a new line' });
  const sendButton = h('button', { type: 'submit' }, 'Send');
  const form = h(
    'form',
    { class: 'composer', 'aria-label': 'Compose' },
    replyBar,
    h(
      'div',
      { class: 'tools' },
      h('label', { for: 'speaker' }, 'Speak as'),
      speaker,
      h('label', { for: 'mention', class: 'sr-only' }, 'Mention someone'),
      mention,
      imageLabel,
      imageInput,
      membership,
      poke,
    ),
    h('div', { class: 'row' }, h('label', { for: 'compose', class: 'sr-only' }, 'Message'), compose, sendButton),
  );
  const inspector = createInspector(tap.frames$, { maxFrames: config.inspectorFrames ?? MAX_FRAMES, maxChars: config.inspectorChars ?? MAX_FRAME_CHARS });
  const maxEntries = config.history ?? MAX_ENTRIES_PER_CHAT;
  const chat = h('main', { class: 'chat', 'aria-labelledby': 'chat-title' }, h('header', {}, title, connection), log, notice, form);
  document.body.replaceChildren(h('div', { class: 'app' }, sidebar, chat, inspector.root));

  // --- rendering -----------------------------------------------------------------------------
  const say = (text: string): void => {
    notice.textContent = text;
  };

  const messageEl = (e: MessageEntry): HTMLElement => {
    const who = nameIn(world, e.userId, e.groupId);
    const preview = plainText(e.segments, lookup, e.groupId).slice(0, 60);
    const quote = h('button', { type: 'button', class: 'small', 'aria-label': `Quote ${who}: ${preview}` }, 'Quote');
    quote.addEventListener('click', () => setReply(e));
    const recall = !e.fromBot && h('button', { type: 'button', class: 'small', 'aria-label': `Recall ${who}'s message: ${preview}` }, 'Recall');
    if (recall) recall.addEventListener('click', () => void act(() => attachment.perform((w) => w.recall(e.id, e.userId))));
    return h(
      'li',
      { class: `msg${e.fromBot ? ' bot' : ''}${e.recalled ? ' recalled' : ''}`, 'data-message-id': e.id, 'data-from': e.fromBot ? 'bot' : 'user' },
      h('div', { class: 'meta' }, h('strong', {}, who), e.fromBot ? h('span', { class: 'tag' }, 'bot') : null, ' ', h('time', {}, clock(e.time)), h('span', { class: 'id' }, ` #${e.id}`)),
      e.recalled ? h('div', { class: 'bubble recalled-text' }, 'This message was recalled') : h('div', { class: 'bubble' }, renderSegments(e.segments, lookup, e.groupId)),
      e.recalled ? null : h('div', { class: 'actions' }, quote, recall),
    );
  };

  const entryEl = (e: Entry): HTMLElement =>
    e.kind === 'system' ? h('li', { class: 'system', role: 'note' }, h('time', {}, clock(e.time)), ' ', e.text) : messageEl(e);

  const add = (e: Entry): void => {
    let box = entries.get(e.chat);
    const isNew = box === undefined;
    if (!box) entries.set(e.chat, (box = { list: [], els: [] }));
    const el = entryEl(e);
    box.list.push(e);
    box.els.push(el);
    if (e.kind === 'message') messages.set(e.id, { entry: e, el });
    while (box.list.length > maxEntries) {
      const old = box.list.shift()!;
      box.els.shift()!.remove();
      if (old.kind === 'message') messages.delete(old.id);
    }
    if (e.chat === current) {
      log.append(el);
      el.scrollIntoView?.({ block: 'end' });
      if (isNew) renderSidebar();
    } else {
      unread.set(e.chat, (unread.get(e.chat) ?? 0) + 1);
      renderSidebar();
    }
  };

  const markRecalled = (id: number): void => {
    const shown = messages.get(id);
    if (!shown) return;
    shown.entry.recalled = true;
    const el = messageEl(shown.entry);
    shown.el.replaceWith(el);
    const box = entries.get(shown.entry.chat);
    if (box) box.els[box.list.indexOf(shown.entry)] = el;
    shown.el = el;
    if (replyTo?.id === id) setReply(undefined);
  };

  const usersOf = (k: ChatKey): number[] => {
    const { groupId, userId } = parseKey(k);
    if (userId !== undefined) return [userId];
    const everyone = new Set<number>(known);
    for (const g of world.groups()) for (const m of g.members.keys()) everyone.add(m);
    for (const f of world.friendList()) everyone.add(f.user_id);
    everyone.delete(world.bot.user_id);
    const inGroup = [...(world.group(groupId!)?.members.keys() ?? [])].filter((u) => u !== world.bot.user_id);
    return [...inGroup, ...[...everyone].filter((u) => !inGroup.includes(u))];
  };

  const currentSpeaker = (): number => {
    const chosen = speakerOf.get(current);
    const users = usersOf(current);
    return chosen !== undefined && users.includes(chosen) ? chosen : (users[0] ?? 0);
  };

  const renderTools = (): void => {
    const { groupId } = parseKey(current);
    const me = currentSpeaker();
    speaker.replaceChildren(
      ...usersOf(current).map((u) => {
        const member = groupId === undefined || world.member(groupId, u) !== undefined;
        return h('option', { value: u, selected: u === me }, `${nameIn(world, u, groupId)} (${u})${member ? '' : ' — not in the group'}`);
      }),
    );
    speaker.disabled = groupId === undefined;
    const isMember = groupId !== undefined && world.member(groupId, me) !== undefined;
    membership.hidden = groupId === undefined;
    membership.textContent = isMember ? 'Leave the group' : 'Join the group';
    membership.setAttribute('aria-label', `${isMember ? 'Leave' : 'Join'} ${title.textContent ?? 'the group'} as ${nameIn(world, me, groupId)}`);
    mention.hidden = groupId === undefined;
    const members = groupId === undefined ? [] : [...(world.group(groupId)?.members.keys() ?? [])];
    mention.replaceChildren(
      h('option', { value: '' }, '@ mention…'),
      h('option', { value: 'all' }, '@everyone'),
      ...members.map((u) => h('option', { value: u }, `@${nameIn(world, u, groupId)}${u === world.bot.user_id ? ' (bot)' : ''}`)),
    );
    sendButton.disabled = groupId !== undefined && !isMember;
    compose.disabled = groupId !== undefined && !isMember;
    compose.setAttribute('aria-description', compose.disabled ? `${nameIn(world, me)} is not in this group: join it first` : '');
  };

  const chatTitle = (k: ChatKey): string => {
    const { groupId, userId } = parseKey(k);
    if (groupId !== undefined) return world.group(groupId)?.group_name || `group ${groupId}`;
    return nameIn(world, userId!);
  };

  const renderSidebar = (): void => {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
    const item = (k: ChatKey, label: string, detail: string): HTMLElement => {
      const count = unread.get(k) ?? 0;
      const b = h(
        'button',
        {
          type: 'button',
          class: 'conversation',
          'aria-current': k === current ? 'true' : undefined,
          'aria-label': `${label}, ${detail}${count ? `, ${count} new` : ''}`,
          'data-focus-key': k,
        },
        label,
        count ? h('span', { class: 'badge', 'aria-hidden': 'true' }, String(count)) : null,
      );
      b.addEventListener('click', () => open(k));
      return b;
    };
    const groups = world.groups().map((g) => {
      const k = groupKey(g.group_id);
      const members = [...g.members.values()];
      return h(
        'li',
        {},
        item(k, g.group_name || `group ${g.group_id}`, `group ${g.group_id}, ${members.length} members`),
        h(
          'ul',
          { class: 'members', 'aria-label': `Members of ${g.group_name}` },
          ...members.map((m) => {
            const name = nameIn(world, m.user_id, g.group_id);
            const isBot = m.user_id === world.bot.user_id;
            const b = h(
              'button',
              { type: 'button', class: 'member', disabled: isBot, 'aria-label': isBot ? `${name} (the bot)` : `Speak as ${name} in ${g.group_name}`, 'data-focus-key': `${k}/${m.user_id}` },
              name,
              m.role !== 'member' ? h('span', { class: 'role' }, ` ${m.role}`) : null,
              isBot ? h('span', { class: 'role' }, ' bot') : null,
            );
            b.addEventListener('click', () => {
              speakerOf.set(k, m.user_id);
              open(k);
              compose.focus();
            });
            return h('li', {}, b);
          }),
        ),
      );
    });
    const friends = world.friendList().map((f) => h('li', {}, item(userKey(f.user_id), f.remark || f.nickname || String(f.user_id), `friend ${f.user_id}`)));
    // Conversations outside the lists: private chats with strangers, groups the bot left.
    const listed = new Set<ChatKey>([...world.groups().map((g) => groupKey(g.group_id)), ...world.friendList().map((f) => userKey(f.user_id))]);
    const others = [...entries.keys()]
      .filter((k) => !listed.has(k))
      .map((k) => {
        const { groupId, userId } = parseKey(k);
        return h('li', {}, item(k, chatTitle(k), groupId !== undefined ? `group ${groupId}, the bot is not in it` : `private chat with ${userId}, not a friend`));
      });
    sidebar.replaceChildren(
      h('h2', {}, 'Groups'),
      h('ul', { class: 'groups' }, ...groups),
      h('h2', {}, 'Friends'),
      h('ul', { class: 'friends' }, ...friends),
      ...(others.length > 0 ? [h('h2', {}, 'Other conversations'), h('ul', { class: 'others' }, ...others)] : []),
    );
    if (focused) sidebar.querySelector<HTMLElement>(`[data-focus-key="${focused}"]`)?.focus();
  };

  const open = (k: ChatKey): void => {
    current = k;
    unread.delete(k);
    title.textContent = chatTitle(k);
    setReply(undefined);
    mentions = [];
    log.replaceChildren(...(entries.get(k)?.els ?? []));
    log.lastElementChild?.scrollIntoView?.({ block: 'end' });
    say('');
    renderSidebar();
    renderTools();
  };

  const setReply = (e: MessageEntry | undefined): void => {
    replyTo = e;
    if (e === undefined) {
      replyBar.hidden = true;
      replyBar.replaceChildren();
      return;
    }
    if (e.chat !== current) open(e.chat);
    const who = nameIn(world, e.userId, e.groupId);
    const cancel = h('button', { type: 'button', class: 'small' }, 'Cancel quote');
    cancel.addEventListener('click', () => {
      setReply(undefined);
      compose.focus();
    });
    replyBar.replaceChildren(h('span', {}, `Quoting ${who}: ${plainText(e.segments, lookup, e.groupId).slice(0, 60)}`), ' ', cancel);
    replyBar.hidden = false;
    compose.focus();
  };

  /** Runs a user action; a refusal of the world (muted, not a member...) is shown, not thrown. */
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      say('');
      await f();
    } catch (e) {
      say(e instanceof Error ? e.message : String(e));
    }
    renderTools();
  };

  const segmentsOfText = (text: string): Segment[] => textToSegments(text, mentions);

  const sendAs = (body: Segment[]): Promise<void> => {
    const { groupId, userId } = parseKey(current);
    const chatTarget = groupId !== undefined ? { groupId } : { userId: userId! };
    const quoted = replyTo;
    const message = quoted ? [segment.reply(quoted.id), ...body] : body;
    return act(async () => {
      await attachment.say(currentSpeaker(), chatTarget, message);
      setReply(undefined);
      mentions = [];
    });
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = compose.value;
    if (text.trim() === '' || compose.disabled) return;
    compose.value = '';
    void sendAs(segmentsOfText(text));
  });
  compose.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    } else if (ev.key === 'Escape' && replyTo) setReply(undefined);
  });
  speaker.addEventListener('change', () => {
    speakerOf.set(current, Number(speaker.value));
    renderTools();
  });
  mention.addEventListener('change', () => {
    const v = mention.value;
    if (v === '') return;
    const { groupId } = parseKey(current);
    const qq = v === 'all' ? ('all' as const) : Number(v);
    const label = qq === 'all' ? '@everyone' : `@${nameIn(world, qq, groupId)}`;
    mentions.push({ label, qq });
    const at = compose.selectionStart ?? compose.value.length;
    compose.value = `${compose.value.slice(0, at)}${label} ${compose.value.slice(at)}`;
    mention.value = '';
    compose.focus();
    compose.selectionStart = compose.selectionEnd = at + label.length + 1;
  });
  membership.addEventListener('click', () => {
    const { groupId } = parseKey(current);
    if (groupId === undefined) return;
    const me = currentSpeaker();
    void act(() => attachment.perform((w) => (w.member(groupId, me) ? w.memberLeave(groupId, me) : w.join(groupId, me))));
  });
  poke.addEventListener('click', () => {
    const { groupId } = parseKey(current);
    void act(() => attachment.perform((w) => w.poke(currentSpeaker(), world.bot.user_id, groupId)));
  });
  imageLabel.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      imageInput.click();
    }
  });
  imageInput.addEventListener('change', () => {
    const file = imageInput.files?.[0];
    imageInput.value = '';
    if (!file) return;
    void act(async () => {
      // Uploaded to the play server, which serves it like a QQ image URL the bot can download.
      const res = await fetch(withKey('/upload'), { method: 'POST', headers: { 'content-type': file.type }, body: file });
      if (!res.ok) throw new Error(`the image was not accepted: ${await res.text()}`);
      const { file: name, url } = (await res.json()) as { file: string; url: string };
      // As QQ reports a received image: its file name and a URL to download it from.
      await sendAs([{ type: 'image', data: { file: name, url } } as Segment]);
    });
  });

  // --- streams -------------------------------------------------------------------------------
  merge(
    attachment.events$.pipe(map((e) => ({ kind: 'event' as const, e }))),
    attachment.botMessages$.pipe(map((b) => ({ kind: 'bot' as const, b }))),
  ).subscribe((x) => {
    const now = Date.now();
    if (x.kind === 'bot') return add(botMessageEntry(x.b.stored, now));
    if (x.e.post_type === 'message') return add(userMessageEntry(x.e as OneBotMessage, now));
    const { entry, recalls } = noticeLine(world, x.e as NoticeEvent, now);
    if (recalls !== undefined) markRecalled(recalls);
    add(entry);
    // Membership, cards and roles may have changed.
    renderSidebar();
    renderTools();
  });
  attachment.errors$.subscribe((e) => say(e.message));

  client.state$.subscribe(async (s) => {
    connection.dataset.status = s.status;
    if (s.status === 'open') connection.textContent = `connected as ${world.bot.nickname} (${config.selfId}): ${config.links.join('; ')}`;
    else if (s.status === 'closed' && s.lastClose?.code === 4000) connection.textContent = 'another playground tab took over this bot: reload to take it back';
    else if (s.status === 'reconnecting' || s.status === 'closed') {
      let detail = s.error?.message ?? '';
      try {
        const relay = (await (await fetch(withKey('/status'))).json()) as { detail: string };
        if (relay.detail) detail = relay.detail;
      } catch {
        // The play server itself is gone.
        detail = 'the playground process is not running';
      }
      connection.textContent = `${s.status === 'closed' ? 'stopped' : `reconnecting${s.delay !== undefined ? ` in ${Math.round(s.delay / 100) / 10} s` : ''}`}: ${detail}`;
    } else connection.textContent = `${s.status}…`;
  });
  client.onDisconnect((close) => {
    if (close?.code === 4000) void client.disconnect();
  });

  open(current);
  const first = firstGroup ? [...firstGroup.members.keys()].find((u) => u !== world.bot.user_id) : undefined;
  if (first !== undefined) speakerOf.set(current, first);
  renderTools();
  client.connect();
  compose.focus();
};

start().catch((e: unknown) => {
  document.body.replaceChildren(h('p', { role: 'alert' }, `The playground failed: ${e instanceof Error ? e.message : String(e)}`));
});
