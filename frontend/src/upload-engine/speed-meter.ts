/** Samples closer together than this are merged, so a busy transfer keeps a handful of samples. */
const BUCKET_MS = 100;
/** Early on the rate is averaged over at least this long, so one fast progress event is no spike. */
const MIN_SPAN_MS = 1000;

/**
 * Throughput over a sliding window of clock time: bytes that left during the last `windowMs`,
 * divided by the window (or by the time since the meter started, when shorter).
 */
export class SpeedMeter {
  private samples: { at: number; bytes: number }[] = [];
  private startedAt: number | undefined;

  constructor(private readonly windowMs = 5000) {}

  /** Starts (or restarts) measuring at `now`, forgetting earlier samples. */
  start(now: number): void {
    this.startedAt = now;
    this.samples = [];
  }

  /** Stops measuring: the speed is 0 until the next {@link start}. */
  stop(): void {
    this.startedAt = undefined;
    this.samples = [];
  }

  /** `bytes` more have left at `now`. */
  record(now: number, bytes: number): void {
    if (this.startedAt === undefined || bytes <= 0) return;
    const last = this.samples[this.samples.length - 1];
    if (last && now - last.at < BUCKET_MS) last.bytes += bytes;
    else this.samples.push({ at: now, bytes });
    this.prune(now);
  }

  /** Bytes per second at `now`. */
  speed(now: number): number {
    if (this.startedAt === undefined) return 0;
    this.prune(now);
    const span = Math.max(MIN_SPAN_MS, Math.min(this.windowMs, now - this.startedAt));
    let bytes = 0;
    for (const sample of this.samples) bytes += sample.bytes;
    return (bytes * 1000) / span;
  }

  private prune(now: number): void {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop]?.at ?? now) <= from) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }
}
