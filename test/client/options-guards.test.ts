import { asyncScheduler, filter, of, type Observable } from 'rxjs';
import { DEFAULT_CLIENT_OPTIONS, resolveOptions } from '../../src/client/options';
import { isGroup, isPrivate, ofType } from '../../src/client/guards';
import type { GroupMessageEvent, MessageEvent, NoticeEvent, OneBotEvent, PrivateMessageEvent, GroupIncreaseNotice } from '../../src/protocol/codecs/events';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T): void => undefined;

describe('options', () => {
  it('defaults are the original client’s where it had them', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      url: 'ws://127.0.0.1:8000/ws/',
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
    expect(DEFAULT_CLIENT_OPTIONS.url).toBe(o.url);
  });

  it('undefined options fall back to defaults; backoff: {} takes the backoff defaults', () => {
    expect(resolveOptions({ selfId: undefined, backoff: {} })).toMatchObject({ selfId: 12345, backoff: { factor: 2, max: 60_000, jitter: 0.2 } });
    expect(resolveOptions({ backoff: { jitter: 0 } }).backoff).toEqual({ factor: 2, max: 60_000, jitter: 0 });
  });

  it.each([
    [{ url: 'localhost:8000' }, 'onebot-rx: option url must be a ws:// or wss:// URL, got "localhost:8000"'],
    [{ url: 'nope?access_token=abc' }, 'onebot-rx: option url must be a ws:// or wss:// URL, got "nope?access_token=[redacted]"'],
    [{ reconnectInterval: -1 }, 'onebot-rx: option reconnectInterval must be a finite number >= 0, got -1'],
    [{ heartbeatInterval: Number.NaN }, 'onebot-rx: option heartbeatInterval must be a finite number >= 0, got NaN'],
    [{ selfId: 1.5 }, 'onebot-rx: option selfId must be a positive integer, got 1.5'],
    [{ maxPayload: 0 }, 'onebot-rx: option maxPayload must be > 0, got 0'],
    [{ backoff: { factor: 0.5 } }, 'onebot-rx: option backoff.factor must be >= 1, got 0.5'],
    [{ backoff: { jitter: 2 } }, 'onebot-rx: option backoff.jitter must be within [0, 1], got 2'],
  ])('rejects %o at creation', (opts, message) => {
    expect(() => resolveOptions(opts)).toThrow(new RangeError(message));
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
