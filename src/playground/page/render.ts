import type { Segment } from '../../index';
import { h, type Child } from './dom';
import { faceLabel } from './faces';

/**
 * Message segments as a chat app shows them. Everything a peer sent is put in the page as text
 * nodes or attribute values, never as HTML. Media addresses are resolved by {@link Lookup.media}:
 * `http(s)://` as is, `base64://` as a data URL, `file://` through the play server (only under
 * the folder allowed with `--files`).
 */

/** What rendering needs to know about the world. */
export interface Lookup {
  /** The name shown for a user: their group card, else their nickname. */
  name(userId: number, groupId?: number): string;
  /** A stored message (for a quote): who sent it and its segments, or undefined when gone. */
  quoted(messageId: number): { userId: number; segments: readonly Segment[]; recalled: boolean } | undefined;
  /** The nodes of a stored forward, or undefined. */
  forward(id: string): readonly Segment[] | undefined;
  /** A URL the page can load for a media `file`/`url`, or undefined when it cannot be shown. */
  media(data: Record<string, unknown>, kind: 'image' | 'record' | 'video' | 'file'): string | undefined;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Plain text of segments (for previews, accessible names and filters). */
export const plainText = (segments: readonly Segment[], lookup: Lookup, groupId?: number): string =>
  segments
    .map((s) => {
      const d = s.data as Record<string, unknown>;
      switch (s.type) {
        case 'text':
          return str(d.text);
        case 'face':
          return `[${faceLabel(Number(d.id))}]`;
        case 'at':
          return d.qq === 'all' ? '@everyone' : `@${lookup.name(Number(d.qq), groupId)}`;
        case 'reply':
          return '';
        case 'image':
          return '[image]';
        case 'record':
          return '[voice]';
        case 'video':
          return '[video]';
        case 'file':
          return `[file ${str(d.name ?? d.file)}]`;
        case 'forward':
          return '[forward]';
        default:
          return `[${s.type}]`;
      }
    })
    .join('');

const mediaLink = (href: string | undefined, label: string, cls: string): HTMLElement =>
  href === undefined ? h('span', { class: `media ${cls} unavailable`, title: 'not viewable here' }, label) : h('a', { class: `media ${cls}`, href, target: '_blank', rel: 'noopener noreferrer' }, label);

/** One segment as DOM. `depth` stops runaway nesting of forwards inside forwards. */
export const renderSegment = (s: Segment, lookup: Lookup, groupId: number | undefined, depth = 0): Child => {
  const d = s.data as Record<string, unknown>;
  switch (s.type) {
    case 'text':
      return h('span', { class: 'text' }, str(d.text));
    case 'face': {
      const id = Number(d.id);
      const label = faceLabel(id);
      return h('span', { class: 'face', role: 'img', 'aria-label': `face ${id}: ${label}`, title: `face ${id}` }, `[face ${id} · ${label}]`);
    }
    case 'at': {
      if (d.qq === 'all') return h('span', { class: 'mention' }, '@everyone');
      const qq = Number(d.qq);
      return h('span', { class: 'mention', title: `QQ ${qq}` }, `@${lookup.name(qq, groupId)}`);
    }
    case 'reply':
      return renderQuote(Number(d.id), lookup, groupId);
    case 'image': {
      const src = lookup.media(d, 'image');
      const alt = str(d.summary) || 'image';
      return src === undefined ? h('span', { class: 'media unavailable', title: str(d.file) }, `[image: ${str(d.file)}]`) : h('img', { class: 'image', src, alt, loading: 'lazy' });
    }
    case 'record':
      return mediaLink(lookup.media(d, 'record'), 'voice message', 'record');
    case 'video':
      return mediaLink(lookup.media(d, 'video'), 'video', 'video');
    case 'file':
      return mediaLink(lookup.media(d, 'file'), `file: ${str(d.name ?? d.file)}`, 'file');
    case 'forward':
      return renderForward(str(d.id), lookup, groupId, depth);
    case 'node':
      return renderNode(d, lookup, groupId, depth);
    case 'share':
      return h('a', { class: 'card', href: str(d.url), target: '_blank', rel: 'noopener noreferrer' }, `share: ${str(d.title)}`);
    case 'music':
      return h('span', { class: 'card' }, d.type === 'custom' ? `music: ${str(d.title)}` : `music (${str(d.type)} ${str(d.id)})`);
    case 'location':
      return h('span', { class: 'card' }, `location: ${str(d.title) || `${str(d.lat)}, ${str(d.lon)}`}`);
    case 'poke':
      return h('span', { class: 'card' }, 'poke');
    case 'dice':
    case 'rps':
      return h('span', { class: 'card' }, `${s.type}${d.result !== undefined ? ` ${str(d.result)}` : ''}`);
    case 'json':
    case 'xml':
      return h('details', { class: 'card' }, h('summary', {}, `${s.type} card`), h('pre', {}, str(d.data)));
    default:
      return h('span', { class: 'card unknown', title: JSON.stringify(d) }, `[${s.type}]`);
  }
};

export const renderSegments = (segments: readonly Segment[], lookup: Lookup, groupId: number | undefined, depth = 0): HTMLElement =>
  h('div', { class: 'content' }, ...segments.map((s) => renderSegment(s, lookup, groupId, depth)));

const renderQuote = (id: number, lookup: Lookup, groupId: number | undefined): HTMLElement => {
  const q = lookup.quoted(id);
  if (q === undefined) return h('blockquote', { class: 'quote', 'aria-label': `quote of message ${id}` }, h('span', { class: 'muted' }, `message ${id} (not in the store)`));
  const who = lookup.name(q.userId, groupId);
  const text = q.recalled ? 'recalled message' : plainText(q.segments, lookup, groupId);
  return h('blockquote', { class: 'quote', 'aria-label': `quote of ${who}: ${text}`, 'data-quoted-id': id }, h('strong', {}, who), ' ', h('span', {}, text.length > 80 ? `${text.slice(0, 79)}…` : text));
};

const renderForward = (id: string, lookup: Lookup, groupId: number | undefined, depth: number): HTMLElement => {
  const nodes = lookup.forward(id);
  if (nodes === undefined || depth > 3) return h('span', { class: 'card' }, `forward ${id} (not in the store)`);
  return h(
    'details',
    { class: 'forward' },
    h('summary', {}, `Forwarded messages (${nodes.length})`),
    ...nodes.map((n) => renderSegment(n, lookup, groupId, depth + 1)),
  );
};

const renderNode = (d: Record<string, unknown>, lookup: Lookup, groupId: number | undefined, depth: number): HTMLElement => {
  const content = d.content;
  const segments: Segment[] = Array.isArray(content) ? (content as Segment[]) : [{ type: 'text', data: { text: str(content) } } as Segment];
  const name = str(d.name ?? d.nickname) || (d.user_id !== undefined || d.uin !== undefined ? lookup.name(Number(d.user_id ?? d.uin), groupId) : 'someone');
  return h('div', { class: 'node' }, h('strong', {}, name), renderSegments(segments, lookup, groupId, depth + 1));
};
