import { filter, take, type Subscription } from 'rxjs';
import type { Liveness } from '../transport/liveness';

/**
 * "Is this peer still there?", asked when a newcomer claims a `self_id` a connection holds: ping
 * now (through the shared liveness engine) and settle once the peer answered that ping, or the
 * connection ended (no pong in time, closed, closing: then the caller finds the `self_id` free).
 * Probes that arrive while one is outstanding share its ping. Without liveness (`pingInterval: 0`)
 * a probe settles at once.
 * @internal
 */
export class Prober {
  private waiting: Array<() => void> = [];
  /** The probe ping still unanswered. */
  private outstanding: number | undefined;

  constructor(private readonly liveness: Liveness | undefined) {}

  /** `open`: whether the connection can still answer; a closing one settles at once. */
  probe(open: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const liveness = this.liveness;
      if (liveness === undefined || !open) return resolve();
      const n = (this.outstanding ??= liveness.ping());
      let sub: Subscription | undefined;
      const settle = (): void => {
        if (this.outstanding === n) this.outstanding = undefined;
        sub?.unsubscribe();
        resolve();
      };
      this.waiting.push(settle);
      // pongs$ completes when liveness stops (the connection ended): that settles too.
      sub = liveness.pongs$.pipe(filter((answered) => answered >= n), take(1)).subscribe({ complete: settle });
    });
  }

  /** Settles every waiting probe (the connection no longer holds its `self_id`). */
  settleAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const settle of waiting) settle();
  }
}
