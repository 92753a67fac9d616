/**
 * onebot-rx in a web page. Browsers cannot set WebSocket headers, so the client puts the token in
 * `?access_token=` by itself and the server learns the bot's id from the lifecycle `connect` event
 * (no `X-Self-ID` header). Servers that insist on headers (NoneBot2, Koishi, aiocqhttp) need a small
 * header relay in between: see docs/guides/browser.md.
 *
 *   node examples/browser/build.mjs          # bundles this file to examples/browser/dist/main.js
 *   node examples/browser/serve.mjs          # serves the page (browsers block it from file://)
 *   open http://127.0.0.1:8080/index.html?url=ws://127.0.0.1:8000/ws/&self_id=12345&access_token=...
 *
 * In your own project import from 'onebot-rx' instead of '../../src'.
 */
import { createClient, createConsoleLogger, type OneBotClient, type WebSocketCtorLike } from '../../src';

export interface BrowserBotOptions {
  readonly url: string;
  readonly selfId: number;
  readonly accessToken?: string | undefined;
  /** The page's own `WebSocket` by default; tests pass a stand-in. */
  readonly WebSocketCtor?: WebSocketCtorLike;
  /** Where the transcript goes (the page's list). */
  readonly show: (line: string) => void;
}

/** Reads `?url=&self_id=&access_token=` from the page address. */
export const optionsFromQuery = (search: string): Omit<BrowserBotOptions, 'show'> => {
  const q = new URLSearchParams(search);
  return {
    url: q.get('url') ?? 'ws://127.0.0.1:8000/ws/',
    selfId: Number(q.get('self_id') ?? 12345),
    accessToken: q.get('access_token') ?? undefined,
  };
};

/** Connects and mirrors the connection state and every message into `show`. */
export const startBot = (options: BrowserBotOptions): OneBotClient => {
  const { url, selfId, accessToken, WebSocketCtor, show } = options;
  const client = createClient({ url, selfId, accessToken, WebSocketCtor, reconnectInterval: 2000, logger: createConsoleLogger('info') });
  client.state$.subscribe((s) => show(`[${s.status}]${s.delay === undefined ? '' : ` next try in ${s.delay} ms`}`));
  client.messages$.subscribe((m) => show(`${m.message_type} ${m.user_id}: ${m.raw_message}`));
  client.errors$.subscribe((e) => show(`error ${e.code}: ${e.message}`));
  client.connect();
  return client;
};

/** Runs the page's bot for a while (the test drives this in Node with a header-less socket). */
export async function main(options: Omit<BrowserBotOptions, 'show'> & { readonly groupId?: number; readonly durationMs?: number; readonly signal?: AbortSignal }) {
  const lines: string[] = [];
  const client = startBot({ ...options, show: (l) => lines.push(l) });
  await client.sendText('hello from a browser tab', 'group', { groupId: options.groupId ?? 123456 });
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, options.durationMs ?? 1000);
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
  await client.disconnect();
  return { lines };
}

/** The page glue: a transcript list and a send form. */
const mount = (doc: Document): void => {
  const log = doc.getElementById('log');
  const show = (line: string): void => {
    const li = doc.createElement('li');
    li.textContent = line; // never innerHTML: messages come from other people
    log?.append(li);
  };
  const client = startBot({ ...optionsFromQuery(doc.location.search), show });
  const form = doc.getElementById('send') as HTMLFormElement | null;
  form?.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const text = String(data.get('text') ?? '');
    const groupId = Number(data.get('group_id'));
    client.sendText(text, 'group', { groupId }).then(
      () => show(`sent to group ${groupId}: ${text}`),
      (err: unknown) => show(`not sent: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
  doc.defaultView?.addEventListener('pagehide', () => void client.disconnect());
};

if (typeof document !== 'undefined') mount(document);
