import type { ReferenceServer } from '../server/reference-server';
import { describeApiAnswer, describeEvent } from './describe';
import type { Printer } from './printer';

/** Whether an error is "address already in use" (the reference server wraps the listen error). @internal */
export const isAddressInUse = (e: unknown): boolean => {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'EADDRINUSE' || (e instanceof Error && /EADDRINUSE/.test(e.message));
};

/** @internal */
export interface ServerTranscriptOptions {
  /** Print heartbeats (the demo prints only the first few, to keep its transcript deterministic). */
  readonly heartbeat?: (selfId: number) => boolean;
}

/**
 * Prints what the reference server sees: handshakes, events (with where messages were routed),
 * API answers, refused upgrades, bad frames and disconnects. Returns the unsubscribe function.
 *
 * @internal
 */
export const printServerActivity = (server: ReferenceServer, printer: Printer, options: ServerTranscriptOptions = {}): (() => void) => {
  const offs = [
    server.on('connect', (bot) => {
      const from = bot.remoteAddress === undefined ? '' : `, from ${bot.remoteAddress}`;
      printer.print({ kind: 'connect', from: String(bot.selfId), to: 'server', text: `online: sent the "connect" event, the hello every bot sends first (role ${bot.role}${from})`, data: bot });
    }),
    server.on('event', (rec) => {
      const e = rec.event;
      const from = String(rec.selfId);
      if (e.post_type === 'meta_event' && e.meta_event_type === 'lifecycle' && e.sub_type === 'connect') return; // shown as 'connect'
      if (e.post_type === 'meta_event' && e.meta_event_type === 'heartbeat') {
        if (options.heartbeat && !options.heartbeat(rec.selfId)) return;
        printer.print({ kind: 'heartbeat', from, to: 'server', text: describeEvent(e), data: e });
        return;
      }
      // Where the reference server routed a message: to the other connected bots it concerns.
      const routed =
        e.post_type === 'message' ? (rec.deliveredTo.length === 0 ? '; no connected bot to pass it on to' : `; the server passes it on to ${rec.deliveredTo.join(', ')}`) : '';
      printer.print({ kind: e.post_type === 'message' ? 'message' : 'event', from, to: 'server', text: describeEvent(e) + routed, data: e });
    }),
    server.on('api-response', (rec) => {
      printer.print({ kind: 'api-answer', from: String(rec.selfId), to: 'server', text: `${rec.action}: ${describeApiAnswer(rec.response)} (${rec.durationMs} ms)`, data: rec.response });
    }),
    server.on('rejection', (rec) => {
      printer.print({ kind: 'rejection', from: rec.remoteAddress ?? '?', to: 'server', text: `upgrade refused with HTTP ${rec.status}: ${rec.reason}`, data: rec });
    }),
    server.on('error', (rec) => {
      printer.print({ kind: 'warn', from: rec.selfId === undefined ? `#${rec.connectionId}` : String(rec.selfId), to: 'server', text: `bad frame (${rec.code}): ${rec.message}` });
    }),
    server.on('disconnect', (rec) => {
      const who = rec.selfId === undefined ? `#${rec.id}` : String(rec.selfId);
      const reason = rec.closeReason ? ` ${rec.closeReason}` : '';
      const by = rec.closedBy === undefined ? '' : `, closed by ${rec.closedBy}`;
      printer.print({ kind: 'disconnect', from: who, text: `disconnected (code ${rec.closeCode ?? '?'}${reason}${by})`, data: rec });
    }),
  ];
  return () => offs.forEach((off) => off());
};
