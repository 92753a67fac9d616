/**
 * Counters behind `server.stats()`: never dropped, so they stay true after the bounded history
 * lists have forgotten the entries they count.
 * @internal
 */
export class Counters {
  framesReceived = 0;
  framesRefused = 0;
  readonly refusedBy: Record<string, number> = {};
  copiesRouted = 0;
  slowConsumers = 0;
  pongTimeouts = 0;
  invalidSelfIds = 0;

  /** A frame answered with an error frame, counted under the limit it broke or its error code. */
  refused(key: string): void {
    this.framesRefused += 1;
    this.refusedBy[key] = (this.refusedBy[key] ?? 0) + 1;
  }
}
