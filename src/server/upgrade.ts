import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging/logger';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { BotRegistry } from './registry';
import type { Session } from './session';
import { createTokenCheck, findSelfId, findToken, normalizePath } from './upgrade-checks';

/**
 * The HTTP upgrade, checked in order: server closing → 503; wrong path → 404; token configured but
 * missing → 401, wrong → 403; `X-Self-ID` (or `?self_id=`) breaking the `self_id` rule → 400;
 * absent → identified by the connect event (400 with `requireSelfId`); held by a live connection →
 * 409, after probing the holder (a dead holder is terminated and the newcomer accepted).
 * @internal
 */

/** @internal */
export interface UpgradeContext {
  readonly path: string;
  readonly accessToken: string | undefined;
  readonly requireSelfId: boolean;
  readonly pinging: boolean;
  readonly pongTimeout: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly registry: BotRegistry;
  isClosing(): boolean;
  refuse(req: IncomingMessage, socket: Duplex, status: number, reason: string, extra?: Record<string, string>): void;
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, claimedSelfId: number | undefined): void;
}

/** @internal */
export const createUpgradeHandler = (ctx: UpgradeContext): ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) => {
  const wantedPath = normalizePath(ctx.path);
  const checkToken = ctx.accessToken !== undefined && ctx.accessToken !== '' ? createTokenCheck(ctx.accessToken) : undefined;
  const { refuse, registry, logger } = ctx;

  /**
   * A reconnect while the old connection still holds the self_id is usually a bot whose old link
   * died without a FIN. Rather than refuse it until the next periodic ping catches the corpse, ask
   * the holder now: a live one answers within a round trip (→ 409), a dead one is terminated after
   * `pongTimeout` and the newcomer goes through.
   */
  const holdUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, selfId: number, holder: Session): void => {
    logger.info(`reference server: bot ${selfId} reconnects while connected; probing the old connection`, { connectionId: holder.record.id });
    // Read the socket while it waits, or a client that gives up (FIN) would go unnoticed and be
    // accepted on a dead socket. A WebSocket client sends nothing before the 101, so any byte is a
    // violation: refuse at once rather than buffer it.
    let settled = false;
    let gone = false;
    const onData = (): void => {
      if (settled) return;
      settled = true;
      stopWatching();
      refuse(req, socket, 400, 'data sent before the upgrade was answered');
    };
    const onGone = (): void => {
      gone = true;
    };
    const stopWatching = (): void => {
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      // Still flowing, but nothing can arrive before ws (synchronously) attaches its own reader.
    };
    socket.on('data', onData);
    socket.once('end', onGone);
    socket.once('close', onGone);
    let bound: Subscription | undefined;
    // The probe settles within pongTimeout on an open socket; the bound covers a stuck closing.
    void Promise.race([holder.probe(), new Promise<void>((resolve) => (bound = ctx.scheduler.schedule(() => resolve(), ctx.pongTimeout)))]).then(() => {
      bound?.unsubscribe();
      if (settled) return;
      settled = true;
      stopWatching();
      if (gone || socket.destroyed || !socket.writable) {
        logger.debug(`reference server: bot ${selfId} gave up its upgrade while the old connection was probed`);
        socket.destroy();
        return;
      }
      if (ctx.isClosing()) return refuse(req, socket, 503, 'server is closing');
      if (registry.has(selfId)) return refuse(req, socket, 409, `duplicate self_id ${selfId}`);
      ctx.accept(req, socket, head, selfId);
    });
  };

  return (req, socket, head) => {
    socket.on('error', (e) => logger.debug('reference server: upgrade socket error', { error: e.message }));
    if (ctx.isClosing()) return refuse(req, socket, 503, 'server is closing');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://reference.invalid');
    } catch {
      return refuse(req, socket, 400, 'unparsable request target');
    }
    if (normalizePath(url.pathname) !== wantedPath) return refuse(req, socket, 404, `path ${url.pathname} is not ${ctx.path}`);
    if (checkToken !== undefined) {
      const found = findToken(req.headers, url);
      if (found.kind === 'missing') return refuse(req, socket, 401, 'access token missing', { 'WWW-Authenticate': 'Bearer' });
      if (!checkToken(found.token)) return refuse(req, socket, 403, 'access token wrong');
    }
    const id = findSelfId(req.headers, url);
    if (id.kind === 'invalid') return refuse(req, socket, 400, id.reason);
    if (id.kind === 'absent' && ctx.requireSelfId) return refuse(req, socket, 400, 'X-Self-ID missing');
    if (id.kind === 'ok') {
      const holder = registry.get(id.selfId);
      if (holder !== undefined) return ctx.pinging ? holdUpgrade(req, socket, head, id.selfId, holder) : refuse(req, socket, 409, `duplicate self_id ${id.selfId}`);
    }
    ctx.accept(req, socket, head, id.kind === 'ok' ? id.selfId : undefined);
  };
};
