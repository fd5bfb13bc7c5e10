/** When a batch may leave, beyond "nothing else in flight". */
export interface BatchHold {
  /** A batch waits until it has this many items… */
  minItems: number;
  /** …or its oldest item has waited this long, or `flush()` is called. */
  maxWaitMs: number;
}

/**
 * Coalesces concurrent requests into batches: requests made while a batch is in flight wait and
 * leave together, at most `maxBatch` at a time, and so do requests made in the same turn. Without a
 * hold a request goes out at the end of its turn, so an idle caller never waits for a timer; with one, a batch also waits (bounded by
 * `hold.maxWaitMs`) until it has `hold.minItems` items, trading a little latency for fewer calls.
 */
export class CoalescingBatcher<Item, Result> {
  private readonly queue: Array<{
    item: Item;
    at: number;
    resolve: (r: Result) => void;
    reject: (e: unknown) => void;
  }> = [];
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  private flushing = false;

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
    private readonly hold?: BatchHold,
  ) {}

  request(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, at: Date.now(), resolve, reject });
      this.schedule();
    });
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

  /** Sends what is held now, and from here on every request without holding it (the caller has no more to add). */
  flush(): void {
    this.flushing = true;
    this.pump();
  }

  private ready(): boolean {
    const oldest = this.queue[0];
    if (!oldest) return false;
    if (!this.hold || this.flushing || this.queue.length >= this.hold.minItems) return true;
    const waited = Date.now() - oldest.at;
    if (waited >= this.hold.maxWaitMs) return true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.hold.maxWaitMs - waited);
    return false;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.ready()) {
      clearTimeout(this.timer);
      this.timer = undefined;
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
