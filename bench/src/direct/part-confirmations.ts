import { CoalescingBatcher } from './batcher.ts';
import type { DirectApi } from './direct-api.ts';

/** Stored parts a confirmation waits for while other PUTs run, and for at most how long (the web app's). */
export const CONFIRM_BATCH = 8;
export const CONFIRM_HOLD_MS = 1000;

/** What a confirmation said about one part: recorded, or storage does not have it as signed. */
export type PartConfirmation = 'recorded' | 'resend';

/**
 * Confirms parts in batches (≤ 100 per call), held until `holdWhile` lets a batch go: each
 * confirmation costs sessions a session read, a ListParts and a transaction, whatever its size, so
 * confirming eight parts at once costs about what one does. A 409 `aborted` names one index and records nothing,
 * so that index is handed back for re-sending and the rest of its batch is confirmed again.
 */
export class PartConfirmations {
  private readonly batcher: CoalescingBatcher<number, PartConfirmation>;
  /** Whether a confirmation answered that the set is complete (assembly is queued). */
  complete = false;
  calls = 0;

  constructor(
    private readonly api: DirectApi,
    private readonly uploadId: string,
    /** Whether parts are being PUT: while they are, confirmations wait for a fuller batch. */
    private readonly putting: () => boolean = () => false,
    /** Whether every part has been started: then they wait for the PUTs in flight, however many. */
    private readonly lastOut: () => boolean = () => false,
  ) {
    this.batcher = new CoalescingBatcher(
      (indexes) => this.confirm(indexes),
      100,
      1,
      (waiting) => this.hold(waiting),
    );
  }

  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private holdExpired = false;

  /**
   * While other PUTs run, up to CONFIRM_BATCH parts (once every part is out, until they end: the
   * last ones go in one call after the last PUT) and CONFIRM_HOLD_MS (a PUT may hang).
   */
  private hold(waiting: number): boolean {
    if (!this.putting() || this.holdExpired || (waiting >= CONFIRM_BATCH && !this.lastOut())) return false;
    this.holdTimer ??= setTimeout(() => {
      this.holdExpired = true;
      this.release();
    }, CONFIRM_HOLD_MS);
    return true;
  }

  /** What held the confirmations may have changed (a PUT ended): send them if nothing holds them. */
  release(): void {
    this.batcher.release();
  }

  request(index: number): Promise<PartConfirmation> {
    return this.batcher.request(index);
  }

  private async confirm(indexes: number[]): Promise<PartConfirmation[]> {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.holdExpired = false;
    const refused = new Set<number>();
    let pending = indexes;
    while (pending.length > 0) {
      this.calls++;
      const outcome = await this.api.confirmParts(this.uploadId, pending);
      if (outcome.ok) {
        this.complete ||= outcome.complete;
        break;
      }
      if (!pending.includes(outcome.index))
        throw new Error(`confirm refused part ${outcome.index}, which it was not asked`);
      refused.add(outcome.index);
      pending = pending.filter((i) => i !== outcome.index);
    }
    return indexes.map((i) => (refused.has(i) ? 'resend' : 'recorded'));
  }
}
