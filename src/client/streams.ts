import { Subject, filter, map, type Observable } from 'rxjs';
import type { ApiRequest, ApiResponse } from '../protocol/codecs/frames';
import type { ExtensionEvent, GroupMessageEvent, MessageEvent, MetaEvent, NoticeEvent, OneBotEvent, PrivateMessageEvent, RequestEvent } from '../protocol/codecs/events';
import type { Frame } from '../protocol/frame';
import { isGroup, isPrivate } from './guards';

/**
 * The typed inbound streams, each an operator chain over the one stream of decoded frames. A
 * subscriber costs one predicate per frame, on the streams it subscribed to; nothing runs for
 * streams nobody listens to.
 */

/** @since 0.2.0 @category client */
export interface InboundStreams {
  /** Every decoded inbound frame. */
  readonly frames$: Observable<Frame>;
  /** Every inbound event, known (`OneBotEvent`) or not (`ExtensionEvent`). */
  readonly events$: Observable<OneBotEvent | ExtensionEvent>;
  readonly messages$: Observable<MessageEvent>;
  readonly privateMessages$: Observable<PrivateMessageEvent>;
  readonly groupMessages$: Observable<GroupMessageEvent>;
  readonly meta$: Observable<MetaEvent>;
  readonly notices$: Observable<NoticeEvent>;
  /** Friend / group `request` *events* (not API calls; those are `requests$`). */
  readonly requestEvents$: Observable<RequestEvent>;
  /** Incoming API calls (`{action, params, echo}`), before they are answered. */
  readonly requests$: Observable<ApiRequest>;
  /** Incoming API responses (rare: only if the server answers something). */
  readonly responses$: Observable<ApiResponse>;
}

type Known<P extends OneBotEvent['post_type']> = Extract<OneBotEvent, { post_type: P }>;

const known =
  <P extends OneBotEvent['post_type']>(postType: P) =>
  (e: OneBotEvent): e is Known<P> =>
    e.post_type === postType;

/** @internal */
export const inboundStreams = (frames$: Observable<Frame>): InboundStreams => {
  const events$ = frames$.pipe(
    filter((f): f is Extract<Frame, { kind: 'event' | 'extension' }> => f.kind === 'event' || f.kind === 'extension'),
    map((f) => f.event),
  );
  const knownEvents$ = frames$.pipe(
    filter((f): f is Extract<Frame, { kind: 'event' }> => f.kind === 'event'),
    map((f) => f.event),
  );
  const messages$ = knownEvents$.pipe(filter(known('message')));
  return {
    frames$,
    events$,
    messages$,
    privateMessages$: messages$.pipe(filter(isPrivate)),
    groupMessages$: messages$.pipe(filter(isGroup)),
    meta$: knownEvents$.pipe(filter(known('meta_event'))),
    notices$: knownEvents$.pipe(filter(known('notice'))),
    requestEvents$: knownEvents$.pipe(filter(known('request'))),
    requests$: frames$.pipe(
      filter((f): f is Extract<Frame, { kind: 'request' }> => f.kind === 'request'),
      map((f) => f.request),
    ),
    responses$: frames$.pipe(
      filter((f): f is Extract<Frame, { kind: 'response' }> => f.kind === 'response'),
      map((f) => f.response),
    ),
  };
};

/**
 * The typed streams part of a client: one `Subject` of decoded frames, fed by the connection, and
 * the streams users subscribe to, made on first access.
 * @internal
 */
export abstract class ClientStreams implements InboundStreams {
  /** Every decoded inbound frame, from every connection and transport. */
  protected readonly inbound = new Subject<Frame>();
  private streams: InboundStreams | undefined;

  private get typed(): InboundStreams {
    return (this.streams ??= inboundStreams(this.inbound.asObservable()));
  }
  get frames$(): InboundStreams['frames$'] {
    return this.typed.frames$;
  }
  get events$(): InboundStreams['events$'] {
    return this.typed.events$;
  }
  get messages$(): InboundStreams['messages$'] {
    return this.typed.messages$;
  }
  get privateMessages$(): InboundStreams['privateMessages$'] {
    return this.typed.privateMessages$;
  }
  get groupMessages$(): InboundStreams['groupMessages$'] {
    return this.typed.groupMessages$;
  }
  get meta$(): InboundStreams['meta$'] {
    return this.typed.meta$;
  }
  get notices$(): InboundStreams['notices$'] {
    return this.typed.notices$;
  }
  get requestEvents$(): InboundStreams['requestEvents$'] {
    return this.typed.requestEvents$;
  }
  get requests$(): InboundStreams['requests$'] {
    return this.typed.requests$;
  }
  get responses$(): InboundStreams['responses$'] {
    return this.typed.responses$;
  }
}
