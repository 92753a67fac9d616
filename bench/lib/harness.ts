/** Orchestrator-side helpers shared by the rows: start peers, connect, wait. */
import { spawnPeer, type Peer } from './rpc';
import { nowMs } from './stats';
import { SINK_SERVER, WORKER_MAIN, type RowContext } from './types';

export interface Server {
  peer: Peer;
  port: number;
  url: string;
}

export async function startServer(label = 'sink-server', port = 0): Promise<Server> {
  const peer = await spawnPeer(SINK_SERVER, { label });
  try {
    const r = await peer.call<{ port: number }>('listen', { port }, 10000);
    return { peer, port: r.port, url: `ws://127.0.0.1:${r.port}/onebot/v11/ws` };
  } catch (err) {
    await peer.kill();
    throw err;
  }
}

/** A client peer running `workers[variant]` of `rowFile`; the onebot-rx variant gets the profiling flags. */
export function startClient(rowFile: string, variant: string, ctx: RowContext, nodeFlags: string[] = []): Promise<Peer> {
  const flags = variant.startsWith('onebot') ? [...ctx.clientNodeFlags, ...nodeFlags] : nodeFlags;
  return spawnPeer(WORKER_MAIN, { label: `${variant} client`, args: [rowFile, variant], nodeFlags: flags });
}

/** Ask `client` to open a connection as `selfId` and wait until the server has its connect event. */
export async function connectVia(server: Server, client: Peer, selfId: number, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<void> {
  const before = await server.peer.call<{ connects: number }>('stats', { selfId });
  await client.call('open', { url: server.url, selfId, ...args }, timeoutMs);
  await server.peer.call('until', { selfId, field: 'connects', target: before.connects + 1, timeoutMs }, timeoutMs + 1000);
}

export const RAW_ID = 20001;
export const ONEBOT_ID = 10001000;
export const NAIVE_ID = 30001;

/**
 * Events per second of one measured send loop: ask `client` to run `cmd` (which sends `n` frames as
 * `selfId`) and stop the clock when the sink has received the n-th of them. Bounded by `timeoutMs`.
 */
export async function deliveredPerSecond(server: Peer, client: Peer, selfId: number, n: number, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60000): Promise<number> {
  const before = await server.call<{ frames: number }>('stats', { selfId });
  const done = server.call('until', { selfId, field: 'frames', target: before.frames + n, timeoutMs }, timeoutMs + 1000);
  const t0 = nowMs();
  try {
    await client.call(cmd, { n, ...args }, timeoutMs);
  } catch (err) {
    done.catch(() => undefined); // it will time out or lose its peer: not an unhandled rejection
    throw err;
  }
  await done;
  return (n / (nowMs() - t0)) * 1000;
}
