/**
 * The second baseline: a OneBot v11 client as a newcomer to RxJS would write it from the docs, in
 * one screen. An rxjs `webSocket` subject over `isomorphic-ws` (the `X-Self-ID` header goes in
 * through a `WebSocketCtor` wrapper, since the subject only passes url and protocol), reconnect with
 * `retry({ delay })`, the connect event first, heartbeats from an `interval` merged into what goes
 * out. No validation, no delivery confirmation, no bounds: a send is `outbox.next(frame)`.
 *
 * It is a yardstick, not a product: it shows what the plain RxJS shape costs on this machine, so
 * onebot-rx can be held to "no worse than doing it yourself" as well as to a bare `ws` socket.
 */
import WebSocket from 'isomorphic-ws';
import { defer, EMPTY, ignoreElements, interval, map, merge, retry, share, startWith, Subject, tap, type Observable, type Subscription } from 'rxjs';
import { webSocket } from 'rxjs/webSocket';

export interface NaiveOptions {
  url: string;
  selfId: number;
  /** 0 = no heartbeat. */
  heartbeatInterval: number;
  reconnectInterval: number;
}

export interface NaiveClient {
  /** Every frame the server sends, parsed (the subject's default JSON deserializer). */
  events$: Observable<unknown>;
  /** Queue a frame; it is serialized by the subject and written if the socket is open. */
  send(frame: object): void;
  sendText(text: string, messageType: 'group' | 'private', target: { groupId?: number; targetId?: number; userId?: number }): void;
  connect(): void;
  disconnect(): void;
}

export function createNaiveClient(options: NaiveOptions): NaiveClient {
  const { url, selfId, heartbeatInterval, reconnectInterval } = options;
  const now = (): number => Math.floor(Date.now() / 1000);
  let messageId = 0;

  // rxjs calls `new WebSocketCtor(url, protocol)`; the headers need the third argument of `ws`.
  // (A constructor function that returns an object makes `new` yield that object.)
  const headers = { 'X-Self-ID': String(selfId), 'X-Client-Role': 'Universal' };
  function BotSocket(address: string, protocols?: string | string[]): WebSocket {
    return new WebSocket(address, protocols, { headers });
  }

  const connectEvent = () => ({ time: now(), self_id: selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' });
  const heartbeat = () => ({ time: now(), self_id: selfId, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online: true, good: true }, interval: heartbeatInterval });

  const outbox = new Subject<object>();

  const events$ = defer(() => {
    const socket = webSocket<unknown>({ url, WebSocketCtor: BotSocket as unknown as typeof globalThis.WebSocket });
    const heartbeats$ = heartbeatInterval > 0 ? interval(heartbeatInterval).pipe(map(heartbeat)) : EMPTY;
    // What goes out on this connection: the connect event, then sends and heartbeats as they come.
    // The subject buffers frames until the socket is open, so the connect event is the first frame.
    const outgoing$ = merge(outbox, heartbeats$).pipe(startWith(connectEvent()));
    return merge(socket, outgoing$.pipe(tap((frame) => socket.next(frame)), ignoreElements()));
  }).pipe(retry({ delay: reconnectInterval }), share());

  let running: Subscription | undefined;
  return {
    events$,
    send: (frame) => outbox.next(frame),
    sendText(text, messageType, target) {
      outbox.next({
        time: now(),
        self_id: selfId,
        post_type: 'message',
        message_type: messageType,
        sub_type: messageType === 'group' ? 'normal' : 'friend',
        message_id: ++messageId,
        group_id: target.groupId,
        user_id: target.userId ?? target.targetId ?? selfId,
        anonymous: null,
        message: [{ type: 'text', data: { text } }],
        raw_message: text,
        font: 0,
        sender: { user_id: target.userId ?? selfId, nickname: '', card: '', role: 'member' },
      });
    },
    connect() {
      running ??= events$.subscribe({ error: () => undefined });
    },
    disconnect() {
      running?.unsubscribe();
      running = undefined;
    },
  };
}
