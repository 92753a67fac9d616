/**
 * Late binding to onebot-rx itself. The client, protocol core and root entry are written in
 * parallel with this suite, so the bench loads them by their contract names (docs/architecture.md)
 * at run time and reports a row as pending while a piece is missing, instead of failing to compile.
 * The structural types below describe only what the bench calls; they are not a copy of the client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Observable } from 'rxjs';

export const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

/** What the bench needs from `createClient(...)`'s result. */
export interface BenchClient {
  connect(): unknown;
  disconnect(): unknown;
  send(frame: unknown): PromiseLike<unknown>;
  sendText(text: string, messageType: 'group' | 'private', opts?: { targetId?: number; groupId?: number; userId?: number }): PromiseLike<unknown>;
  events$: Observable<unknown>;
  handle(action: string, handler: (params: unknown, request: unknown) => unknown): unknown;
  state$?: Observable<unknown>;
}

export interface BenchClientOptions {
  /** Required by the client's contract: always passed. */
  url: string;
  selfId: number;
  heartbeatInterval?: number;
  reconnectInterval?: number;
  validate?: boolean;
  [key: string]: unknown;
}

export type CreateClient = (options: BenchClientOptions) => BenchClient;

/** An io-ts codec, as far as the bench uses it. */
export interface Decoder {
  decode(u: unknown): { _tag: 'Left' | 'Right' };
}

function exists(rel: string): boolean {
  return fs.existsSync(path.join(SRC, rel));
}

function tryRequire(rel: string): Record<string, unknown> | undefined {
  if (!exists(rel)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(SRC, rel)) as Record<string, unknown>;
}

const CLIENT_MODULES = ['index.ts', 'client/index.ts', 'client/create-client.ts', 'client/client.ts'];

let loadError: string | undefined;
let loadedFrom: string | undefined;

/** `createClient` from the root entry or the client layer, or undefined while it has not landed (or does not load). */
export function loadCreateClient(): CreateClient | undefined {
  for (const rel of CLIENT_MODULES) {
    try {
      const m = tryRequire(rel);
      if (m && typeof m.createClient === 'function') {
        loadedFrom = `src/${rel}`;
        return m.createClient as CreateClient;
      }
    } catch (err) {
      // A half-written module: report the row as pending, keep measuring the baselines.
      loadError = `src/${rel} does not load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
  }
  return undefined;
}

/** Why rows that need the client are pending. */
export function pendingReason(): string {
  return `pending: ${loadError ?? 'createClient has not landed'}`;
}

/** Where `createClient` was loaded from (for the report), or undefined. */
export function clientModule(): string | undefined {
  if (loadedFrom === undefined) loadCreateClient();
  return loadedFrom;
}

/** `OneBotEvent` (the dispatching event codec the client decodes `events$` with). */
export function loadEventCodec(): Decoder | undefined {
  return firstExport<Decoder>(['protocol/codecs/events.ts', 'protocol/index.ts'], 'OneBotEvent', (c) => typeof c.decode === 'function');
}

/** A silent logger so client logging never lands in the timings (from the root entry or the logging layer). */
export function silentLogger(): unknown {
  return firstExport<object>(['index.ts', 'logging/logger.ts', 'logging/index.ts'], 'silentLogger', () => true);
}

/** Export `name` of the first module in `rels` that has one passing `ok`. */
function firstExport<T extends object>(rels: string[], name: string, ok: (value: T) => boolean): T | undefined {
  for (const rel of rels) {
    try {
      const v = tryRequire(rel)?.[name] as T | undefined;
      if (v !== undefined && v !== null && ok(v)) return v;
    } catch {
      // A half-written module: try the next place.
    }
  }
  return undefined;
}

/** The shared option set every row starts from. */
export function clientOptions(url: string, selfId: number, extra: Partial<BenchClientOptions> = {}): BenchClientOptions {
  return { url, selfId, heartbeatInterval: 0, reconnectInterval: 1000, logger: silentLogger(), ...extra };
}
