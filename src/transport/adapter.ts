import type { Observable } from 'rxjs';
import type { OneBotError } from '../protocol/errors';

/**
 * The seam between the client and the listening transports (forward WebSocket, HTTP API, HTTP
 * POST; docs/guides/transports.md). Each adapter turns its wire into plain streams and knows
 * nothing of handlers, decoding or the outbox; the client composes them (`src/client/transports.ts`)
 * with the same answering engine, the same handlers and the same events as reverse WebSocket.
 *
 * This file holds only types: the root (browser) entry may name them without pulling in Node's
 * `http` or `ws`. The adapters themselves are exported by `onebot-rx/server` (Node only).
 */

/** Where a listening transport is bound, once it is. @since 0.3.0 @category transport */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** `ws://host:port/` or `http://host:port/`. */
  readonly url: string;
}

/**
 * One application socket accepted by the forward WebSocket transport.
 * @since 0.3.0
 * @category transport
 */
export interface WsPeer {
  /** 1, 2, 3... per transport. */
  readonly id: number;
  /** `/api`: API calls only; `/event`: events only; `/`: both. */
  readonly role: 'universal' | 'api' | 'event';
  /** `address:port` of the application, for logs. */
  readonly remote: string;
  /** Every message the socket delivers (text as a string, binary as a Buffer); completes when it closes. */
  readonly data$: Observable<unknown>;
  /** Writes one pre-encoded frame; `false` when the socket is no longer open. */
  write(text: string): boolean;
  /** Unsent bytes held by the socket. */
  readonly buffered: number;
  /** Stop and restart reading the socket (backpressure of API calls). */
  pause(): void;
  resume(): void;
  close(code: number, reason: string): void;
}

/**
 * One HTTP API request that passed the transport's checks (method, token, content type, body): its
 * action and params as they came (values from a query string or a form are strings; the action's
 * params codec parses them). `respond` writes the HTTP answer once.
 * @since 0.3.0
 * @category transport
 */
export interface HttpCall {
  readonly action: string;
  readonly params: Record<string, unknown>;
  /** Characters of the request's query and body. */
  readonly size: number;
  respond(status: number, body: string): void;
  /** The client went away before the answer was ready. */
  readonly aborted: boolean;
}

/**
 * One event for the HTTP POST transport: its JSON text, and how to learn that every target has
 * dealt with it (answered, or failed and reported).
 * @since 0.3.0
 * @category transport
 */
export interface PostJob {
  readonly text: string;
  /** Every target answered or failed (failures are reported as outcomes); `stopped` when the transport stopped first. */
  done(stopped?: OneBotError): void;
}

/** What a POST brought back. @since 0.3.0 @category transport */
export type PostOutcome =
  /** The application answered with a quick operation for this event (`text` is the event's JSON). */
  | { readonly type: 'quick'; readonly text: string; readonly operation: Record<string, unknown> }
  /** A POST failed (refused, timed out, unreadable answer); the event may not have been handled. */
  | { readonly type: 'failed'; readonly error: OneBotError };

/** An application turned away: the status it got and why (reported by the client). @since 0.3.0 @category transport */
export interface Refusal {
  readonly type: 'refused';
  readonly status: number;
  readonly remote: string;
  readonly reason: string;
}

/** A transport the client runs while it is connected. @since 0.3.0 @category transport */
export type Transport = ForwardWsTransport | HttpApiTransport | HttpPostTransport;

/** Forward WebSocket (Node): serves `/`, `/api` and `/event`. @since 0.3.0 @category transport */
export interface ForwardWsTransport {
  readonly kind: 'forward-ws';
  /** Set while listening. */
  readonly address: ListenAddress | undefined;
  /**
   * Listens while subscribed and emits every accepted socket; emits `listening` once bound. Errors
   * when the port cannot be bound; unsubscribing closes every socket (1001) and the server.
   */
  listen(): Observable<{ readonly type: 'listening'; readonly address: ListenAddress } | { readonly type: 'peer'; readonly peer: WsPeer } | Refusal>;
}

/** HTTP API (Node): serves `/:action`. @since 0.3.0 @category transport */
export interface HttpApiTransport {
  readonly kind: 'http-api';
  readonly address: ListenAddress | undefined;
  /** Like {@link ForwardWsTransport.listen}, emitting every call that passed the checks, and every token refusal. */
  listen(): Observable<{ readonly type: 'listening'; readonly address: ListenAddress } | { readonly type: 'call'; readonly call: HttpCall } | Refusal>;
}

/** HTTP POST (Node): posts every event to one or more URLs. @since 0.3.0 @category transport */
export interface HttpPostTransport {
  readonly kind: 'http-post';
  readonly urls: readonly string[];
  /**
   * Posts the jobs while subscribed (with the client's `selfId`), and emits what came back.
   * Unsubscribing aborts the POSTs in flight.
   */
  post(jobs$: Observable<PostJob>, selfId: number): Observable<PostOutcome>;
}
