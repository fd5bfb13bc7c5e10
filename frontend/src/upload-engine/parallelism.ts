/** Options of {@link ParallelismController}. */
export interface ParallelismOptions {
  /** The most chunk requests in flight (the engine's `concurrency`). */
  max: number;
  /** A chunk should take at most this long end to end (default 60 s). */
  targetChunkMs?: number;
}

/**
 * How many chunk requests may be in flight, adapted to the link. On a slow uplink, parallel
 * chunks share its bandwidth: four chunks at once each crawl at a quarter of the rate, and the
 * uploads service cuts a body whose average rate stays too low after its grace period
 * (`BODY_MIN_RATE_*`, docs/reliability.md). So when a chunk takes longer than the target, fewer
 * run at once (down to one); when chunks come back well inside it, one more runs (AIMD, like TCP).
 */
export class ParallelismController {
  private current: number;
  private readonly max: number;
  private readonly targetMs: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(options: ParallelismOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.targetMs = options.targetChunkMs ?? 60_000;
    this.current = this.max;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /**
   * A chunk was acknowledged `durationMs` after it was sent, while `parallel` requests (itself
   * included) were in flight. Too slow: scale down so that the next chunk fits the target. Well
   * inside the target with one more request running: one more, once the last decrease has settled.
   */
  acknowledged(durationMs: number, parallel: number, now: number): void {
    const running = Math.max(1, parallel);
    if (durationMs > this.targetMs) {
      this.decreaseTo(Math.floor((running * this.targetMs) / durationMs), now);
      return;
    }
    const withOneMore = (durationMs * (running + 1)) / running;
    if (running >= this.current && withOneMore <= this.targetMs / 2 && this.settled(now)) {
      this.current = Math.min(this.max, this.current + 1);
    }
  }

  /**
   * The oldest request in flight has run `ageMs`: past the target, the link is too slow for this
   * many at once. Halves the limit, at most once per target period (the requests already running
   * keep going: aborting them would only throw their bytes away).
   */
  inFlightFor(ageMs: number, now: number): void {
    if (ageMs <= this.targetMs || !this.settled(now)) return;
    this.decreaseTo(Math.floor(this.current / 2), now);
  }

  /** The server said to slow down (429 `too_many_requests`): one fewer at once. */
  throttled(now: number): void {
    this.decreaseTo(this.current - 1, now);
  }

  private settled(now: number): boolean {
    return now - this.lastDecreaseAt >= this.targetMs;
  }

  private decreaseTo(limit: number, now: number): void {
    const next = Math.max(1, limit);
    if (next >= this.current) return;
    this.current = next;
    this.lastDecreaseAt = now;
  }
}
