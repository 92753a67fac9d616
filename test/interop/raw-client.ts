/**
 * A deliberately small OneBot v11 implementation speaking raw JSON over `ws`,
 * used to prove the peers and the harness independently of onebot-rx's own
 * client. It dials the peer (reverse WS), sends the lifecycle `connect` event
 * as its very first frame, answers every API call (echo copied verbatim) and
 * records everything it sent and received.
 */
import WebSocket from 'ws';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ApiRequestFrame {
  action: string;
  params: Record<string, unknown>;
  echo?: unknown;
  /** Whether the request carried an `echo` key at all. */
  hasEcho: boolean;
  /** Arrival time (ms). */
  at: number;
}

export interface ApiResponseFrame {
  status: 'ok' | 'async' | 'failed';
  retcode: number;
  data: unknown;
  message: string;
  wording: string;
  echo?: unknown;
}

export type ApiAnswer = Omit<ApiResponseFrame, 'echo'>;
export type RawHandler = (params: Record<string, unknown>, request: ApiRequestFrame) => ApiAnswer;

export const ok = (data: unknown): ApiAnswer => ({ status: 'ok', retcode: 0, data, message: '', wording: '' });
export const failed = (retcode: number, message: string): ApiAnswer => ({
  status: 'failed',
  retcode,
  data: null,
  message,
  wording: message,
});
export const asyncOk = (): ApiAnswer => ({ status: 'async', retcode: 1, data: null, message: '', wording: '' });

export interface RawClientOptions {
  url: string;
  selfId: number;
  token?: string;
  /** Default 'Universal'. */
  role?: string;
  /** Auth scheme word. Default 'Bearer'. */
  authScheme?: string;
  /** Extra/override headers. */
  headers?: Record<string, string>;
  /** Per-action overrides of the default answers. */
  handlers?: Record<string, RawHandler>;
  /** Rewrites each answer just before it is sent (to probe what a peer tolerates). */
  transformResponse?: (response: ApiResponseFrame, request: ApiRequestFrame) => Record<string, unknown>;
  /** Send lifecycle connect as the first frame. Default true. */
  sendConnect?: boolean;
  /** Handshake + open timeout. Default 10000 ms. */
  timeoutMs?: number;
}

/** The upgrade was refused with an HTTP status (401/403/500...). */
export class HandshakeRejected extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`WebSocket upgrade rejected with HTTP ${statusCode}: ${body}`);
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function lifecycleConnect(selfId: number): Record<string, Json> {
  return { time: nowSeconds(), self_id: selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: 'connect' };
}

export function heartbeat(selfId: number, interval = 15000): Record<string, Json> {
  return {
    time: nowSeconds(),
    self_id: selfId,
    post_type: 'meta_event',
    meta_event_type: 'heartbeat',
    status: { online: true, good: true },
    interval,
  };
}

export interface MessageSpec {
  selfId: number;
  userId: number;
  messageId: number;
  /** Segments (array format) or a CQ-code string (string format). */
  message: Json;
  rawMessage: string;
  groupId?: number;
  nickname?: string;
}

/** Plain text → `[{type:'text',data:{text}}]` and its raw_message. */
export function textMessage(text: string): { message: Json; rawMessage: string } {
  const raw = text.replace(/&/g, '&amp;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;');
  return { message: [{ type: 'text', data: { text } }], rawMessage: raw };
}

export function privateMessage(spec: MessageSpec): Record<string, Json> {
  return {
    time: nowSeconds(),
    self_id: spec.selfId,
    post_type: 'message',
    message_type: 'private',
    sub_type: 'friend',
    message_id: spec.messageId,
    user_id: spec.userId,
    message: spec.message,
    raw_message: spec.rawMessage,
    font: 0,
    sender: { user_id: spec.userId, nickname: spec.nickname ?? 'tester', sex: 'unknown', age: 0 },
  };
}

export function groupMessage(spec: MessageSpec & { groupId: number }): Record<string, Json> {
  return {
    time: nowSeconds(),
    self_id: spec.selfId,
    post_type: 'message',
    message_type: 'group',
    sub_type: 'normal',
    message_id: spec.messageId,
    group_id: spec.groupId,
    user_id: spec.userId,
    anonymous: null,
    message: spec.message,
    raw_message: spec.rawMessage,
    font: 0,
    sender: {
      user_id: spec.userId,
      nickname: spec.nickname ?? 'tester',
      card: '',
      sex: 'unknown',
      age: 0,
      area: '',
      level: '1',
      role: 'member',
      title: '',
    },
  };
}

export class RawOneBotClient {
  readonly requests: ApiRequestFrame[] = [];
  readonly responses: ApiResponseFrame[] = [];
  /** Non-request frames the peer sent (should be none). */
  readonly otherFrames: unknown[] = [];
  readonly closed: Promise<CloseInfo>;
  private nextMessageId = 1;
  private requestWaiters = new Set<() => void>();
  private closeInfo: CloseInfo | undefined;

  private constructor(
    readonly socket: WebSocket,
    readonly opts: RawClientOptions,
  ) {
    this.closed = new Promise<CloseInfo>((resolveClose) => {
      socket.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.notify();
        resolveClose(this.closeInfo);
      });
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onText(data.toString());
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get closeCode(): CloseInfo | undefined {
    return this.closeInfo;
  }

  static headersFor(opts: RawClientOptions): Record<string, string> {
    const headers: Record<string, string> = {
      'X-Self-ID': String(opts.selfId),
      'X-Client-Role': opts.role ?? 'Universal',
      'User-Agent': 'OneBot/11 onebot-rx-raw-interop/0',
    };
    if (opts.token !== undefined) headers.Authorization = `${opts.authScheme ?? 'Bearer'} ${opts.token}`;
    return { ...headers, ...opts.headers };
  }

  /** Dials, waits for open (or rejects with HandshakeRejected / a timeout), sends lifecycle connect. */
  static connect(opts: RawClientOptions): Promise<RawOneBotClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<RawOneBotClient>((resolveClient, reject) => {
      const socket = new WebSocket(opts.url, { headers: RawOneBotClient.headersFor(opts), handshakeTimeout: timeoutMs });
      const client = new RawOneBotClient(socket, opts);
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        settle(() => {
          socket.terminate();
          reject(new Error(`connect to ${opts.url} timed out after ${timeoutMs} ms`));
        });
      }, timeoutMs + 500);
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
        const done = (): void =>
          settle(() => {
            socket.terminate();
            reject(new HandshakeRejected(res.statusCode ?? 0, body));
          });
        res.once('end', done);
        res.once('error', done);
        setTimeout(done, 1000).unref();
      });
      socket.once('error', (error) => settle(() => reject(error)));
      socket.once('open', () => {
        // The connect event is the first frame on the wire.
        if (opts.sendConnect !== false) client.sendEvent(lifecycleConnect(opts.selfId));
        settle(() => resolveClient(client));
      });
    });
  }

  private onText(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.otherFrames.push(text);
      return;
    }
    if (!value || typeof value !== 'object' || typeof (value as { action?: unknown }).action !== 'string') {
      this.otherFrames.push(value);
      this.notify();
      return;
    }
    const raw = value as { action: string; params?: unknown; echo?: unknown };
    const request: ApiRequestFrame = {
      action: raw.action,
      params: raw.params && typeof raw.params === 'object' ? (raw.params as Record<string, unknown>) : {},
      hasEcho: 'echo' in raw,
      at: Date.now(),
    };
    if ('echo' in raw) request.echo = raw.echo;
    this.requests.push(request);
    const answer = this.answer(request);
    const response: ApiResponseFrame = { ...answer };
    if (request.hasEcho) response.echo = request.echo; // verbatim, same JSON type
    this.responses.push(response);
    this.send(this.opts.transformResponse ? this.opts.transformResponse(response, request) : response);
    this.notify();
  }

  /** Default answers; `opts.handlers` override per action. */
  private answer(request: ApiRequestFrame): ApiAnswer {
    const custom = this.opts.handlers?.[request.action];
    if (custom) return custom(request.params, request);
    const p = request.params;
    switch (request.action) {
      case 'get_login_info':
        return ok({ user_id: this.opts.selfId, nickname: 'onebot-rx raw' });
      case 'get_group_member_info':
        return ok({
          group_id: Number(p.group_id),
          user_id: Number(p.user_id),
          nickname: 'tester',
          card: '',
          sex: 'unknown',
          age: 0,
          area: '',
          join_time: 1700000000,
          last_sent_time: 1700000000,
          level: '1',
          role: 'member',
          unfriendly: false,
          title: '',
          title_expire_time: 0,
          card_changeable: false,
        });
      case 'get_status':
        return ok({ online: true, good: true });
      case 'send_msg':
      case 'send_private_msg':
      case 'send_group_msg':
        return ok({ message_id: this.nextMessageId++ });
      default:
        if (request.action.endsWith('_async')) return asyncOk();
        return failed(1404, `unknown action ${request.action}`);
    }
  }

  send(value: unknown): void {
    if (this.isOpen) this.socket.send(JSON.stringify(value));
  }

  sendEvent(event: Record<string, Json>): void {
    this.send(event);
  }

  sendRaw(text: string): void {
    if (this.isOpen) this.socket.send(text);
  }

  mark(): number {
    return this.requests.length;
  }

  /** The answer we sent to `request` (throws if there was none). */
  responseTo(request: ApiRequestFrame): ApiResponseFrame {
    const response = this.responses[this.requests.indexOf(request)];
    if (!response) throw new Error(`no response recorded for ${request.action}`);
    return response;
  }

  private notify(): void {
    for (const wake of [...this.requestWaiters]) wake();
  }

  /** First request (from index `since`) matching `predicate`; rejects on timeout or close. */
  waitForRequest(predicate: (r: ApiRequestFrame) => boolean, timeoutMs: number, since = 0): Promise<ApiRequestFrame> {
    return new Promise<ApiRequestFrame>((resolveRequest, reject) => {
      const check = (): boolean => {
        const found = this.requests.slice(since).find(predicate);
        if (found) {
          cleanup();
          resolveRequest(found);
          return true;
        }
        if (this.closeInfo) {
          cleanup();
          reject(new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before a matching request; got ${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a request matching ${predicate.toString()}; got ${this.describe()}`));
      }, timeoutMs);
      const wake = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.requestWaiters.delete(wake);
      };
      this.requestWaiters.add(wake);
      check();
    });
  }

  describe(): string {
    return JSON.stringify(this.requests.map((r) => ({ action: r.action, echo: r.echo })));
  }

  /** Closes (bounded); resolves with the close info. */
  async close(code = 1000, reason = 'bye', timeoutMs = 3000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CLOSED) return this.closeInfo ?? { code: 1006, reason: '' };
    this.socket.close(code, reason);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CloseInfo>((r) => {
      timer = setTimeout(() => {
        this.socket.terminate();
        r({ code: 1006, reason: 'terminated after close timeout' });
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** JSON type name as the notes use it: string | number | object | array | null | boolean | undefined. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
