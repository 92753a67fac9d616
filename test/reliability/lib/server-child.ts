/**
 * Child-process entry of {@link startServerProcess}: runs the reference server and reports what it
 * sees to the parent over IPC, so the parent keeps counting across kills and restarts.
 * Started as `node -r esbuild-register server-child.ts` with its options as JSON in argv[2].
 */
import { createReferenceServer } from '../../../src/server/reference-server';

interface ChildOptions {
  readonly port: number;
  readonly accessToken?: string;
  readonly handshakeTimeout?: number;
  readonly maxPayload?: number;
}

export type ChildCommand = { readonly cmd: 'kick'; readonly selfId: number; readonly code?: number } | { readonly cmd: 'stop' };

export type ChildReport =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'message'; readonly selfId: number; readonly connectionId: number; readonly text: string }
  | { readonly type: 'connect'; readonly selfId: number; readonly connectionId: number }
  | { readonly type: 'rejection'; readonly status: number; readonly reason: string }
  | { readonly type: 'kicked'; readonly selfId: number; readonly ok: boolean };

const send = (r: ChildReport): void => {
  process.send?.(r);
};

const main = async (): Promise<void> => {
  const opts = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
  const server = await createReferenceServer({
    port: opts.port,
    historyLimit: 100,
    ...(opts.accessToken !== undefined ? { accessToken: opts.accessToken } : {}),
    ...(opts.handshakeTimeout !== undefined ? { handshakeTimeout: opts.handshakeTimeout } : {}),
    ...(opts.maxPayload !== undefined ? { maxPayload: opts.maxPayload } : {}),
  });
  server.on('connect', (b) => send({ type: 'connect', selfId: b.selfId, connectionId: b.connectionId }));
  server.on('rejection', (r) => send({ type: 'rejection', status: r.status, reason: r.reason }));
  server.on('event', (e) => {
    if (e.event.post_type !== 'message') return;
    const raw = e.event.raw_message;
    send({ type: 'message', selfId: e.selfId, connectionId: e.connectionId, text: typeof raw === 'string' ? raw : '' });
  });
  process.on('message', (m: ChildCommand) => {
    if (m.cmd === 'kick') {
      server.kick(m.selfId, m.code ?? 1000, 'fault: clean close').then(
        () => send({ type: 'kicked', selfId: m.selfId, ok: true }),
        () => send({ type: 'kicked', selfId: m.selfId, ok: false }),
      );
    } else if (m.cmd === 'stop') {
      void server.close().then(() => process.exit(0));
    }
  });
  // The parent going away must never leave an orphan listening.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: server.port });
};

main().catch((e: unknown) => {
  console.error('server-child failed:', e instanceof Error ? e.message : String(e));
  process.exit(2);
});
