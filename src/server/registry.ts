import type { Session } from './session';

/**
 * Who is connected: every accepted socket (`sessions`), and the handshaken ones by `self_id`
 * (`bots`). One connection per `self_id`; the session that registered is the only one that can
 * unregister it.
 * @internal
 */
export class BotRegistry {
  private readonly bots = new Map<number, Session>();
  readonly sessions = new Set<Session>();

  get(selfId: number): Session | undefined {
    return this.bots.get(selfId);
  }

  has(selfId: number): boolean {
    return this.bots.has(selfId);
  }

  /** Handshaken bots, in connection order. */
  all(): Session[] {
    return [...this.bots.values()];
  }

  get size(): number {
    return this.bots.size;
  }

  register(s: Session): void {
    if (s.selfId !== undefined) this.bots.set(s.selfId, s);
  }

  /** True when `s` held its `self_id` and no longer does. */
  unregister(s: Session): boolean {
    if (s.selfId === undefined || this.bots.get(s.selfId) !== s) return false;
    this.bots.delete(s.selfId);
    return true;
  }
}
