import { type Observable, type Subscription } from 'rxjs';
import { answerCalls, type IncomingCall } from '../client/api';
import type { OneBotError } from '../protocol/errors';
import type { ResolvedServerOptions } from './server-options';

/**
 * The API calls a bot sends to the server. The reference server offers no API, so the handler
 * table is empty and every call is answered 1404; it still goes through the shared API-answering
 * engine, so what waits is bounded (`botCallsLimit`, `botCallsBytes`), reading pauses past the
 * bound, and every answer is encode-safe and within `maxPayload`.
 * @internal
 */
export const answerBotCalls = (
  calls: Observable<IncomingCall>,
  o: ResolvedServerOptions,
  io: { send(answer: string): unknown; report(e: OneBotError): void; pause(): void; resume(): void },
): Subscription =>
  answerCalls(calls, {
    handlers: () => ({}),
    scheduler: o.scheduler,
    apiTimeout: o.apiTimeout,
    concurrentHandlers: 1,
    pendingCallsLimit: o.botCallsLimit,
    pendingCallsBytes: o.botCallsBytes,
    rateLimitInterval: 0,
    rateLimitedLimit: o.botCallsLimit,
    rateLimitedBytes: o.botCallsBytes,
    maxPayload: o.maxPayload,
    report: io.report,
    pause: io.pause,
    resume: io.resume,
  }).subscribe((answer) => io.send(answer));
