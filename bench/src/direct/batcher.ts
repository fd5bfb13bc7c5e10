/**
 * Coalesces concurrent requests into batches: the first request goes out at once; requests made
 * while a batch is in flight wait and leave together, at most `maxBatch` at a time. Under load the
 * batches grow by themselves, and an idle caller never waits for a timer.
 */
export class CoalescingBatcher<Item, Result> {
  private readonly queue: Array<{ item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  /**
   * @param send answers one batch, one result per item in the same order; a rejection fails the
   *   whole batch's requests.
   * @param maxBatch the largest batch the server accepts (100 for the part routes).
   * @param maxInFlight batches allowed at once.
   */
  constructor(
    private readonly send: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight = 1,
  ) {}

  request(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
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
