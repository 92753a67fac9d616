import type { ConnectionRecord, FrameErrorRecord, ReceivedEvent, RejectionRecord, ServerStats } from './reference-server-types';
import type { ResolvedServerOptions } from './server-options';
import type { Counters } from './counters';
import type { BotRegistry } from './registry';
import type { PendingCalls } from './pending-calls';
import type { FrameInspector } from './frame-inspector';
import { History } from './history';

/**
 * What the server keeps for inspection: four bounded history lists (`historyLimit` entries and
 * `historyBytes` bytes each) and the figures of `server.stats()`.
 * @internal
 */

/** @internal */
export interface Histories {
  readonly connections: History<ConnectionRecord>;
  readonly rejections: History<RejectionRecord>;
  readonly errors: History<FrameErrorRecord>;
  readonly events: History<ReceivedEvent>;
}

/** @internal */
export const createHistories = (o: ResolvedServerOptions): Histories => ({
  connections: new History<ConnectionRecord>(o.historyLimit, o.historyBytes),
  rejections: new History<RejectionRecord>(o.historyLimit, o.historyBytes),
  errors: new History<FrameErrorRecord>(o.historyLimit, o.historyBytes),
  events: new History<ReceivedEvent>(o.historyLimit, o.historyBytes),
});

/** Size counted for a record that is not a frame (an error, a connection, a rejection), beyond its text. @internal */
export const RECORD_BYTES = 256;

/** Size counted for a connection or rejection record: its URL and headers. @internal */
export const recordBytes = (url: string, headers: Readonly<Record<string, unknown>>): number => {
  let n = RECORD_BYTES + url.length;
  for (const [k, v] of Object.entries(headers)) n += k.length + (Array.isArray(v) ? v.join(', ').length : String(v ?? '').length);
  return n;
};

const usage = <T>(h: History<T>) => ({ count: h.count, bytes: h.size, dropped: h.dropped });

/** @internal */
export const serverStats = (counters: Counters, registry: BotRegistry, pending: PendingCalls, inspector: FrameInspector, history: Histories): ServerStats => {
  let frames = 0;
  let bytes = 0;
  for (const s of registry.sessions) {
    frames += s.outbound.queuedFrames;
    bytes += s.outbound.queuedBytes;
  }
  return {
    framesReceived: counters.framesReceived,
    framesRefused: counters.framesRefused,
    refusedBy: { ...counters.refusedBy },
    copiesRouted: counters.copiesRouted,
    slowConsumers: counters.slowConsumers,
    pongTimeouts: counters.pongTimeouts,
    invalidSelfIds: counters.invalidSelfIds,
    connections: registry.sessions.size,
    queued: { count: frames, bytes },
    pendingCalls: pending.usage,
    framesOnWorker: inspector.inWorker,
    history: { events: usage(history.events), errors: usage(history.errors), connections: usage(history.connections), rejections: usage(history.rejections) },
  };
};
