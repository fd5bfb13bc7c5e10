/**
 * Coalesces concurrent requests into batches: requests made while a batch is in flight wait and
 * leave together, at most `maxBatch` at a time, and so do requests made in the same turn. A
 * request goes out at the end of its turn, so an idle caller never waits for a timer, unless
 * `holdWhile` says to wait for more: then it leaves when that stops holding (`release()` asks
 * again). The web app's RequestBatcher (frontend/src/upload-engine/request-batcher.ts) behaves
 * the same way.
 */
export class CoalescingBatcher<Item, Result> {
  private readonly queue: Array<{ item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param send answers one batch, one result per item in the same order; a rejection fails the
   *   whole batch's requests.
   * @param maxBatch the largest batch the server accepts (100 for the part routes).
   * @param maxInFlight batches allowed at once.
   * @param holdWhile whether `waiting` requests should wait for more before a batch leaves.
   */
  constructor(
    private readonly send: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight = 1,
    private readonly holdWhile: (waiting: number) => boolean = () => false,
  ) {}

  request(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** What held the waiting requests may have changed: send them if nothing holds them any more. */
  release(): void {
    this.schedule();
  }

  /** Pumps after the current turn, so requests made together (e.g. a prefetch) leave together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0 && !this.holdWhile(this.queue.length)) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.send(batch.map((b) => b.item))
        .then((results) => {
          if (results.length !== batch.length)
            throw new Error(`batch of ${batch.length} got ${results.length} results`);
          for (const [i, b] of batch.entries()) b.resolve(results[i] as Result);
        })
        .catch((err: unknown) => {
          for (const b of batch) b.reject(err);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
