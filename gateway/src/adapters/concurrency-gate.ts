/** Thrown by {@link ConcurrencyGate.run} when every slot is busy and the wait queue is full. */
export class GateFullError extends Error {
  override readonly name = 'GateFullError';
}

/**
 * Runs at most `limit` tasks at once; up to `maxWaiting` more wait in arrival order, and any
 * beyond that are refused at once. Used to keep CPU-heavy work on libuv's thread pool (argon2)
 * from taking every core away from the event loop, without letting a flood build an unbounded
 * queue in which every waiter, honest or not, times out.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly limit: number,
    readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!(maxWaiting >= 0)) throw new RangeError('maxWaiting must be zero or more');
  }

  /** Tasks running now and tasks waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `task` when a slot is free; rejects with {@link GateFullError}, without running it, if none can be queued. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new GateFullError(`${this.running} running and ${this.waiting.length} waiting (the most allowed)`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same) or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
