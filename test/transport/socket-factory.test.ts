import WebSocket from 'isomorphic-ws';
import { createSocketFactory, DEFAULT_USER_AGENT, takesOptions, type SocketLike } from '../../src/transport/socket-factory';
import pkg from '../../package.json';

/** Records constructor arguments; shaped like a browser WebSocket (no ping → no options). */
class BrowserLike implements SocketLike {
  static calls: unknown[][] = [];
  readyState = 0;
  constructor(...args: unknown[]) {
    BrowserLike.calls.push(args);
  }
  send(): void {}
  close(): void {}
}
/** Shaped like Node's ws (ping on the prototype → takes options). */
class NodeLike extends BrowserLike {
  ping(): void {}
}

beforeEach(() => {
  BrowserLike.calls = [];
});

describe('createSocketFactory', () => {
  it('detects ws (Node) as taking options and a browser-shaped constructor as not', () => {
    expect(takesOptions(WebSocket)).toBe(true);
    expect(takesOptions(NodeLike)).toBe(true);
    expect(takesOptions(BrowserLike)).toBe(false);
  });

  it('Node: sends X-Self-ID, X-Client-Role, Authorization Bearer and User-Agent as headers; URL untouched', () => {
    const f = createSocketFactory({ url: 'ws://h:1/ws/', selfId: 10001, role: 'Universal', accessToken: 'tok', WebSocketCtor: NodeLike });
    const created: SocketLike[] = [];
    const Ctor = f.ctor((s) => created.push(s));
    const s = new Ctor('ws://h:1/ws/');
    expect(created).toEqual([s]);
    expect(s).toBeInstanceOf(NodeLike);
    expect(f.url).toBe('ws://h:1/ws/');
    expect(f.sendsHeaders).toBe(true);
    expect(BrowserLike.calls).toEqual([
      [
        'ws://h:1/ws/',
        undefined,
        {
          headers: { 'X-Self-ID': '10001', 'X-Client-Role': 'Universal', 'User-Agent': `OneBot/11 onebot-rx/${pkg.version}`, Authorization: 'Bearer tok' },
          perMessageDeflate: false,
        },
      ],
    ]);
  });

  it('Node: honours authScheme, userAgent, extra headers, and no Authorization without a token', () => {
    expect(createSocketFactory({ url: 'ws://h/', selfId: 1, role: 'API', accessToken: 't', authScheme: 'Token', WebSocketCtor: NodeLike }).headers.Authorization).toBe('Token t');
    const f = createSocketFactory({ url: 'ws://h/', selfId: 1, role: 'Event', userAgent: 'X/1', headers: { 'X-Extra': 'y' }, WebSocketCtor: NodeLike });
    expect(f.headers).toEqual({ 'X-Extra': 'y', 'X-Self-ID': '1', 'X-Client-Role': 'Event', 'User-Agent': 'X/1' });
    expect(DEFAULT_USER_AGENT).toBe(`OneBot/11 onebot-rx/${pkg.version}`);
  });

  it('browser: no headers, token goes into ?access_token= (keeping other query parameters)', () => {
    const f = createSocketFactory({ url: 'ws://h/ws?x=1', selfId: 1, role: 'Universal', accessToken: 'a b&c', WebSocketCtor: BrowserLike });
    expect(f.sendsHeaders).toBe(false);
    expect(f.url).toBe('ws://h/ws?x=1&access_token=a+b%26c');
    const Ctor = f.ctor(() => {});
    new Ctor(f.url, 'p');
    expect(BrowserLike.calls).toEqual([[f.url, 'p']]);
    expect(f.headers.Authorization).toBeUndefined();
  });

  it('tokenInQuery forces the query form even in Node', () => {
    const f = createSocketFactory({ url: 'ws://h/ws', selfId: 1, role: 'Universal', accessToken: 't', tokenInQuery: true, WebSocketCtor: NodeLike });
    expect([f.url, f.headers.Authorization]).toEqual(['ws://h/ws?access_token=t', undefined]);
  });
});
