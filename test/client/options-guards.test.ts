import { asyncScheduler, filter, of, type Observable } from 'rxjs';
import { CLIENT_OPTION_SECTIONS, DEFAULT_CLIENT_OPTIONS, resolveOptions } from '../../src/client/options';
import { isGroup, isPrivate, ofType } from '../../src/client/guards';
import type { GroupMessageEvent, MessageEvent, NoticeEvent, OneBotEvent, PrivateMessageEvent, GroupIncreaseNotice } from '../../src/protocol/codecs/events';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T): void => undefined;

describe('options', () => {
  const url = 'ws://127.0.0.1:8000/ws/';
  it('defaults are the original client’s where it had them', () => {
    const o = resolveOptions({ url });
    expect(o).toMatchObject({
      url,
      selfId: 12345,
      reconnectInterval: 5000,
      maxReconnectAttempts: 0,
      heartbeatInterval: 30_000,
      role: 'Universal',
      messageFormat: 'array',
      outboxLimit: 1000,
      backoff: false,
      validate: true,
    });
    expect(o.scheduler).toBe(asyncScheduler);
    expect(o.confirmDelivery).toBe(DEFAULT_CLIENT_OPTIONS.confirmDelivery);
  });

  it('undefined options fall back to defaults; backoff: {} takes the backoff defaults', () => {
    expect(resolveOptions({ url, selfId: undefined, backoff: {} })).toMatchObject({ selfId: 12345, backoff: { factor: 2, max: 60_000, jitter: 0.2 } });
    expect(resolveOptions({ url, backoff: { jitter: 0 } }).backoff).toEqual({ factor: 2, max: 60_000, jitter: 0 });
  });

  it('every option is in exactly one section of CLIENT_OPTION_SECTIONS, and every default belongs to an option', () => {
    const listed = Object.values(CLIENT_OPTION_SECTIONS).flat();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.keys(DEFAULT_CLIENT_OPTIONS).sort());
  });

  it.each<[Record<string, unknown>, string]>([
    [{ url: undefined }, 'onebot-rx: createClient needs a transport: url (reverse WebSocket: the application server to dial) or transports (forwardWs, httpApi, httpPost from onebot-rx/server), or both'],
    [{ url: undefined, transports: [] }, 'onebot-rx: createClient needs a transport: url (reverse WebSocket: the application server to dial) or transports (forwardWs, httpApi, httpPost from onebot-rx/server), or both'],
    [{ transports: [{ kind: 'carrier-pigeon' }] }, 'onebot-rx: option transports must be an array of transports (forwardWs(), httpApi(), httpPost() from onebot-rx/server), got [object Object]'],
    [{ url: 'localhost:8000' }, 'onebot-rx: option url must be a ws:// or wss:// URL, got "localhost:8000"'],
    [{ url: 'nope?access_token=abc' }, 'onebot-rx: option url must be a ws:// or wss:// URL, got "nope?access_token=[redacted]"'],
    [{ reconnectInterval: 0 }, 'onebot-rx: option reconnectInterval must be a finite number >= 100, got 0'],
    [{ reconnectInterval: -1 }, 'onebot-rx: option reconnectInterval must be a finite number >= 100, got -1'],
    [{ heartbeatInterval: Number.NaN }, 'onebot-rx: option heartbeatInterval must be a finite number >= 0, got NaN'],
    [{ selfId: 1.5 }, 'onebot-rx: option selfId must be a positive safe integer, got 1.5'],
    [{ selfId: 2 ** 53 }, 'onebot-rx: option selfId must be a positive safe integer, got 9007199254740992'],
    [{ maxPayload: 0 }, 'onebot-rx: option maxPayload must be a finite integer >= 1, got 0'],
    [{ outboxLimit: 1.5 }, 'onebot-rx: option outboxLimit must be a finite integer >= 1, got 1.5'],
    [{ confirmDelivery: 'later' }, "onebot-rx: option confirmDelivery must be 'ack' or 'write', got \"later\""],
    [{ backoff: { factor: 0.5 } }, 'onebot-rx: option backoff.factor must be >= 1, got 0.5'],
    [{ backoff: { jitter: 2 } }, 'onebot-rx: option backoff.jitter must be within [0, 1], got 2'],
    [{ selfID: 1 }, 'onebot-rx: unknown option selfID (did you mean selfId?)'],
    [{ uri: 'ws://x' }, 'onebot-rx: unknown option uri (did you mean url?)'],
  ])('rejects %o at creation, naming the option', (opts, message) => {
    expect(() => resolveOptions({ url, ...opts } as never)).toThrow(new RangeError(message));
  });
});

describe('guards', () => {
  const priv = { post_type: 'message', message_type: 'private', user_id: 1 } as unknown as PrivateMessageEvent;
  const group = { post_type: 'message', message_type: 'group', group_id: 2 } as unknown as GroupMessageEvent;
  const notice = { post_type: 'notice', notice_type: 'group_increase' } as unknown as NoticeEvent;

  it('isGroup / isPrivate narrow message streams', () => {
    const messages$: Observable<MessageEvent> = of(priv, group);
    const groups$ = messages$.pipe(filter(isGroup));
    const privates$ = messages$.pipe(filter(isPrivate));
    assertType<Equals<typeof groups$, Observable<GroupMessageEvent>>>(true);
    assertType<Equals<typeof privates$, Observable<PrivateMessageEvent>>>(true);
    const seen: unknown[] = [];
    groups$.subscribe((g) => seen.push(g.group_id));
    privates$.subscribe((p) => seen.push(p.user_id));
    expect(seen).toEqual([2, 1]);
  });

  it('ofType filters by post_type and detail type, narrowing', () => {
    const events$: Observable<OneBotEvent> = of(priv, group, notice);
    const joins$ = events$.pipe(ofType('notice', 'group_increase'));
    assertType<Equals<typeof joins$, Observable<GroupIncreaseNotice>>>(true);
    const seen: string[] = [];
    joins$.subscribe((n) => seen.push(n.notice_type));
    events$.pipe(ofType('message', 'group')).subscribe((m) => seen.push(`group ${m.group_id}`));
    events$.pipe(ofType('message')).subscribe((m) => seen.push(m.message_type));
    expect(seen).toEqual(['group_increase', 'group 2', 'private', 'group']);
  });
});
