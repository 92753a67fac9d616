import type { WebSocket } from 'ws';
import type { Logger } from '../logging/logger';

/**
 * What is queued for one connection: frames handed to `ws` whose write has not completed, and their
 * bytes (`ws.bufferedAmount`). Past `sendQueueLimit` frames or `sendQueueBytes` bytes the peer is a
 * slow consumer: {@link Outbound.send} stops writing and calls `overflow` once, and the session cuts
 * the connection off (asynchronously, never inside the write that overflowed). A queue can thus
 * pass its cap by at most one frame.
 * @internal
 */
export class Outbound {
  private frames = 0;
  private overflowed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: { readonly sendQueueLimit: number; readonly sendQueueBytes: number },
    private readonly overflow: (why: string) => void,
    private readonly logger: Logger,
  ) {}

  /** Frames written and not yet flushed to the operating system. */
  get queuedFrames(): number {
    return this.frames;
  }

  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Writes one frame; false when it was not written (socket not open, or queue overflowed). */
  send(data: string | Uint8Array): boolean {
    if (this.overflowed || this.ws.readyState !== this.ws.OPEN) return false;
    this.frames += 1;
    this.ws.send(data, { binary: typeof data !== 'string' }, this.written);
    return this.check();
  }

  /**
   * Writes one text message as two WebSocket fragments, `head` then the bytes of `tail` (already
   * UTF-8), written back to back so nothing comes between them. The tail is written as is, never
   * copied or re-encoded, however many recipients share it. Counts as one frame.
   */
  sendParts(head: string, tail: Uint8Array): boolean {
    if (this.overflowed || this.ws.readyState !== this.ws.OPEN) return false;
    this.frames += 1;
    this.ws.send(head, { binary: false, fin: false });
    this.ws.send(tail, { binary: false, fin: true }, this.written);
    return this.check();
  }

  private readonly written = (err?: Error): void => {
    this.frames -= 1;
    if (err) this.logger.debug('reference server: send failed', { error: err.message });
  };

  private check(): boolean {
    const { sendQueueLimit, sendQueueBytes } = this.limits;
    const bytes = this.ws.bufferedAmount;
    if (this.frames > sendQueueLimit || bytes > sendQueueBytes) {
      this.overflowed = true;
      const why = this.frames > sendQueueLimit ? `${this.frames} frames queued (sendQueueLimit ${sendQueueLimit})` : `${bytes} bytes queued (sendQueueBytes ${sendQueueBytes})`;
      this.overflow(why);
    }
    return true;
  }
}
