import { Retcode } from '../protocol/answer';

/**
 * API calls on the listening transports, whoever answers them: the client's own engine
 * (`src/client/transports.ts`) or the playground's page behind its relay
 * (`src/playground/listening.ts`). Pure helpers, no I/O.
 */

/**
 * The HTTP status of an HTTP API answer with this `retcode` (docs/guides/transports.md, "HTTP
 * API"): 404 for an unknown action, 400 for a bad request or bad params, else 200 (a failure the
 * action itself reports is still a 200 with `status: failed`, as go-cqhttp and NapCat answer).
 * @internal
 */
export const httpStatusOf = (retcode: number): number => (retcode === Retcode.NotFound ? 404 : retcode === Retcode.BadRequest ? 400 : 200);

/** The HTTP status of an answer as the answering engine writes it (`{"status":…,"retcode":N,…}`). @internal */
export const httpStatusOfText = (text: string): number => {
  const m = /^\{"status":"\w+","retcode":(\d+)/.exec(text);
  return httpStatusOf(m === null ? 0 : Number(m[1]));
};

/**
 * The call a quick operation (the JSON object an application answers an HTTP POST with) becomes:
 * `.handle_quick_operation` with the event as `context` (docs/protocol.md §3.7).
 * @internal
 */
export const quickOperationCall = (eventText: string, operation: Record<string, unknown>): { action: '.handle_quick_operation'; params: { context: unknown; operation: Record<string, unknown> } } => ({
  action: '.handle_quick_operation',
  params: { context: JSON.parse(eventText) as unknown, operation },
});
