import { type BatchHold, CoalescingBatcher } from './batcher.ts';
import type { DirectApi } from './direct-api.ts';

/** What a confirmation said about one part: recorded, or storage does not have it as signed. */
export type PartConfirmation = 'recorded' | 'resend';

/**
 * Confirms parts in batches (≤ 100 per call), held until `hold` says a batch is worth a call: each
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
    hold?: BatchHold,
  ) {
    this.batcher = new CoalescingBatcher((indexes) => this.confirm(indexes), 100, 1, hold);
  }

  /** Confirms what is held now: every part is sent, nothing more will join the batch. */
  flush(): void {
    this.batcher.flush();
  }

  request(index: number): Promise<PartConfirmation> {
    return this.batcher.request(index);
  }

  private async confirm(indexes: number[]): Promise<PartConfirmation[]> {
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
