import { abortError } from './errors.ts';

/** How one item of a batch came out: a result, a failure, or "ask again in the next batch". */
export type BatchOutcome<R> = { ok: R } | { error: unknown } | 'again';

/** The most items one batch request may carry (the API takes 1–100). */
export const MAX_BATCH = 100;

interface Waiter<T, R> {
  readonly item: T;
  readonly signal: AbortSignal;
  resolve(result: R): void;
  reject(error: unknown): void;
  onAbort(): void;
}

/**
 * Groups per-part API calls into batch requests, one request in flight at a time: what is asked
 * while a request runs goes together in the next one (at most {@link MAX_BATCH}). With nothing in
 * flight an item leaves at once (after the current turn, so items asked together travel together),
 * unless `holdWhile` says to wait for more: then it leaves when that stops holding (`release()`
 * asks again).
 */
export class RequestBatcher<T, R> {
  private readonly waiting: Waiter<T, R>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    /** Sends one batch; answers per part index (a missing index fails that item). */
    private readonly run: (items: T[]) => Promise<Map<number, BatchOutcome<R>>>,
    private readonly indexOf: (item: T) => number,
    /** Whether `waiting` items should wait for more before a request leaves (default: never). */
    private readonly holdWhile: (waiting: number) => boolean = () => false,
  ) {}

  /** What held the waiting items may have changed: send them if nothing holds them any more. */
  release(): void {
    this.schedule();
  }

  /** Resolves with the item's result; rejects with its failure, or an AbortError once `signal` aborts. */
  submit(item: T, signal: AbortSignal): Promise<R> {
    if (signal.aborted) return Promise.reject(abortError());
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter<T, R> = {
        item,
        signal,
        resolve: (result) => {
          signal.removeEventListener('abort', waiter.onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal.removeEventListener('abort', waiter.onAbort);
          reject(error);
        },
        onAbort: () => {
          const at = this.waiting.indexOf(waiter);
          if (at !== -1) this.waiting.splice(at, 1);
          reject(abortError());
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.enqueue(waiter);
    });
  }

  private enqueue(waiter: Waiter<T, R>): void {
    this.waiting.push(waiter);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    void Promise.resolve().then(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.waiting.length === 0 || this.holdWhile(this.waiting.length)) return;
    this.running = true;
    const batch = this.takeBatch();
    let outcomes: Map<number, BatchOutcome<R>> | undefined;
    let failure: unknown;
    try {
      outcomes = await this.run([...new Map(batch.map((w) => [this.indexOf(w.item), w.item])).values()]);
    } catch (error) {
      failure = error;
    }
    this.running = false;
    for (const waiter of batch) {
      if (waiter.signal.aborted) continue;
      const index = this.indexOf(waiter.item);
      const outcome = outcomes ? outcomes.get(index) : { error: failure };
      if (outcome === 'again') this.waiting.push(waiter);
      else if (outcome === undefined) waiter.reject(new Error(`the server did not answer for part ${index}`));
      else if ('ok' in outcome) waiter.resolve(outcome.ok);
      else waiter.reject(outcome.error);
    }
    void this.flush();
  }

  /** Up to {@link MAX_BATCH} distinct parts, in the order they were asked for. */
  private takeBatch(): Waiter<T, R>[] {
    const indexes = new Set<number>();
    const batch: Waiter<T, R>[] = [];
    for (let at = 0; at < this.waiting.length; ) {
      const waiter = this.waiting[at] as Waiter<T, R>;
      const index = this.indexOf(waiter.item);
      if (!indexes.has(index) && indexes.size >= MAX_BATCH) {
        at++;
        continue;
      }
      indexes.add(index);
      batch.push(waiter);
      this.waiting.splice(at, 1);
    }
    return batch;
  }
}
