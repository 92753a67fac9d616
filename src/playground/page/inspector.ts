import type { Observable } from 'rxjs';
import { clock, h } from './dom';
import type { WireFrame } from './tap';

/**
 * The inspector: every frame on the wire in both directions, newest last, with its time and
 * direction; a bot API call that sends, recalls or answers a quick operation shows how long after
 * the last event the page sent it came; an API answer shows how long the page took. Filterable by
 * text and direction, heartbeats hidden on request, and the shown frames copy as JSON.
 */

/** Frames kept by default (oldest dropped first): `onebot-rx play --inspector-frames`. */
export const MAX_FRAMES = 1000;
/** Characters of frame text kept by default, all frames together: `--inspector-chars`. A frame longer than a quarter of it is kept cut, with its length noted. */
export const MAX_FRAME_CHARS = 8 * 1024 * 1024;

export interface InspectorOptions {
  readonly maxFrames?: number;
  readonly maxChars?: number;
}

interface Row {
  readonly frame: WireFrame;
  /** Characters this row holds (its kept text). */
  readonly size: number;
  readonly parsed: unknown;
  readonly heartbeat: boolean;
  readonly el: HTMLLIElement;
}

const REPLY_ACTIONS = /^(send_|delete_msg|\.handle_quick_operation|set_group_)/;

/** A one-line summary of a frame. */
export const summarize = (parsed: unknown, text: string): string => {
  if (typeof parsed !== 'object' || parsed === null) return text.slice(0, 80);
  const f = parsed as Record<string, unknown>;
  if (typeof f.action === 'string') {
    const p = (f.params ?? {}) as Record<string, unknown>;
    const where = p.group_id !== undefined ? ` group ${String(p.group_id)}` : p.user_id !== undefined ? ` user ${String(p.user_id)}` : '';
    return `call ${f.action}${where}`;
  }
  if (typeof f.post_type === 'string') {
    const kind = [f.post_type, f.message_type ?? f.notice_type ?? f.request_type ?? f.meta_event_type, f.sub_type].filter((x) => typeof x === 'string').join('.');
    return typeof f.raw_message === 'string' ? `${kind}: ${f.raw_message.slice(0, 60)}` : kind;
  }
  if (typeof f.status === 'string' || typeof f.retcode === 'number') return `answer ${String(f.status)} (retcode ${String(f.retcode)})`;
  return text.slice(0, 80);
};

export interface InspectorView {
  readonly root: HTMLElement;
  /** Frames shown now (after filters), as the copy button copies them. */
  shownJson(): string;
}

export const createInspector = (frames$: Observable<WireFrame>, options: InspectorOptions = {}): InspectorView => {
  const maxFrames = options.maxFrames ?? MAX_FRAMES;
  const maxChars = options.maxChars ?? MAX_FRAME_CHARS;
  const maxOne = Math.max(1024, Math.floor(maxChars / 4));
  const rows: Row[] = [];
  let chars = 0;
  const list = h('ol', { class: 'frames', 'aria-label': 'Frames' });
  const filter = h('input', { type: 'search', id: 'frame-filter', placeholder: 'text in the frame', autocomplete: 'off' });
  const direction = h('select', { id: 'frame-direction' }, h('option', { value: 'all' }, 'both directions'), h('option', { value: 'out' }, 'to the bot server'), h('option', { value: 'in' }, 'from the bot server'));
  const hideBeats = h('input', { type: 'checkbox', id: 'hide-heartbeats', checked: true });
  const note = h('p', { class: 'inspector-note', role: 'status' });
  let lastEvent: { time: number; n: number } | undefined;
  const requests = new Map<string, number>();

  const visible = (r: Row): boolean => {
    if (hideBeats.checked && r.heartbeat) return false;
    if (direction.value !== 'all' && r.frame.dir !== direction.value) return false;
    const q = filter.value.trim().toLowerCase();
    return q === '' || r.frame.text.toLowerCase().includes(q);
  };
  const refilter = (): void => {
    for (const r of rows) r.el.hidden = !visible(r);
  };
  filter.addEventListener('input', refilter);
  direction.addEventListener('change', refilter);
  hideBeats.addEventListener('change', refilter);

  const shownJson = (): string =>
    JSON.stringify(
      rows.filter(visible).map((r) => ({ n: r.frame.n, direction: r.frame.dir === 'out' ? 'to bot server' : 'from bot server', time: new Date(r.frame.time).toISOString(), frame: r.parsed ?? r.frame.text })),
      null,
      2,
    );

  const copy = h('button', { type: 'button', id: 'copy-frames' }, 'Copy as JSON');
  copy.addEventListener('click', () => {
    const json = shownJson();
    const count = rows.filter(visible).length;
    const done = (): void => void (note.textContent = `Copied ${count} frame${count === 1 ? '' : 's'} as JSON`);
    navigator.clipboard?.writeText(json).then(done, () => {
      // Fallback where the clipboard API is refused: select the text for Ctrl-C.
      const area = h('textarea', { 'aria-label': 'Frames as JSON', readonly: true, class: 'copy-area' });
      area.value = json;
      note.replaceChildren('Press Ctrl-C to copy: ', area);
      area.select();
    }) ?? done();
  });
  const clear = h('button', { type: 'button' }, 'Clear');
  clear.addEventListener('click', () => {
    for (const r of rows.splice(0)) r.el.remove();
    chars = 0;
    note.textContent = 'Cleared';
  });

  frames$.subscribe((whole) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(whole.text);
    } catch {
      parsed = undefined;
    }
    // A huge frame is summarised from its parse, but only its start is kept.
    const cut = whole.text.length > maxOne;
    const frame: WireFrame = cut ? { ...whole, text: `${whole.text.slice(0, maxOne)}… (${whole.text.length} characters, the first ${maxOne} kept)` } : whole;
    const pretty = cut || parsed === undefined ? frame.text : JSON.stringify(parsed, null, 2);
    const f = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const heartbeat = f.meta_event_type === 'heartbeat';
    let timing = '';
    if (frame.dir === 'out' && (f.post_type === 'message' || f.post_type === 'notice' || f.post_type === 'request')) lastEvent = { time: frame.time, n: frame.n };
    if (frame.dir === 'in' && typeof f.action === 'string') {
      if (f.echo !== undefined) requests.set(JSON.stringify(f.echo), frame.time);
      if (requests.size > maxFrames) requests.delete(requests.keys().next().value as string);
      if (lastEvent !== undefined && REPLY_ACTIONS.test(f.action)) timing = `bot: ${Math.round(frame.time - lastEvent.time)} ms after #${lastEvent.n}`;
    }
    if (frame.dir === 'out' && f.echo !== undefined && typeof f.action !== 'string') {
      const asked = requests.get(JSON.stringify(f.echo));
      if (asked !== undefined) timing = `answered in ${Math.round(frame.time - asked)} ms`;
    }
    const arrow = frame.dir === 'out' ? '→' : '←';
    const dirText = frame.dir === 'out' ? 'to bot server' : 'from bot server';
    const el = h(
      'li',
      { class: `frame ${frame.dir}`, 'data-n': frame.n },
      h(
        'details',
        {},
        h(
          'summary',
          {},
          h('span', { class: 'n' }, `#${frame.n}`),
          ' ',
          h('time', { datetime: new Date(frame.time).toISOString() }, clock(frame.time, true)),
          ' ',
          h('span', { class: 'dir', 'aria-label': dirText, title: dirText }, arrow),
          ' ',
          h('span', { class: 'what' }, summarize(parsed, frame.text)),
          timing && h('span', { class: 'timing' }, ` ${timing}`),
        ),
        h('pre', {}, pretty),
      ),
    );
    const row: Row = { frame, size: frame.text.length, parsed: cut ? undefined : parsed, heartbeat, el };
    el.hidden = !visible(row);
    rows.push(row);
    chars += row.size;
    list.append(el);
    while (rows.length > maxFrames || (chars > maxChars && rows.length > 1)) {
      const old = rows.shift()!;
      chars -= old.size;
      old.el.remove();
    }
    if (!el.hidden && list.scrollHeight - list.scrollTop - list.clientHeight < 80) list.scrollTop = list.scrollHeight;
  });

  const root = h(
    'aside',
    { class: 'inspector', 'aria-labelledby': 'inspector-title' },
    h('h2', { id: 'inspector-title' }, 'Inspector'),
    h(
      'div',
      { class: 'inspector-controls' },
      h('label', { for: 'frame-filter' }, 'Filter frames'),
      filter,
      h('label', { for: 'frame-direction', class: 'sr-only' }, 'Direction'),
      direction,
      h('label', { class: 'check' }, hideBeats, ' Hide heartbeats'),
      copy,
      clear,
    ),
    note,
    list,
  );
  return { root, shownJson };
};
