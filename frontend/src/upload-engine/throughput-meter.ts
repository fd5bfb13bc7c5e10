/** Acknowledgements closer together than this are merged into one sample. */
const BUCKET_MS = 100;
/** Early on the rate is averaged over at least this long, so one quick answer is no spike. */
const MIN_SPAN_MS = 1000;

/**
 * Acknowledged throughput: bytes the server confirmed (chunks answered 200) per second. Those
 * arrive a whole chunk at a time, seconds or minutes apart, so a plain sliding window would swing
 * between zero and spikes. The rate is measured instead from an anchor — the start, or an earlier
 * acknowledgement — to now: the anchor moves forward only past samples older than `windowMs`
 * while at least `minSamples` stay after it. Between acknowledgements the rate decays smoothly;
 * on a fast link it is the average of the last `windowMs`.
 */
export class ThroughputMeter {
  private samples: { at: number; bytes: number }[] = [];
  private anchorAt: number | undefined;
  /** A request left since {@link start}. */
  private sent = false;

  constructor(
    private readonly windowMs = 20_000,
    private readonly minSamples = 4,
  ) {}

  /** Starts (or restarts) measuring at `now`, forgetting earlier samples. */
  start(now: number): void {
    this.anchorAt = now;
    this.samples = [];
    this.sent = false;
  }

  /** Stops measuring: the rate is 0 until the next {@link start}. */
  stop(): void {
    this.anchorAt = undefined;
    this.samples = [];
  }

  /**
   * A request left at `now`: the first one since {@link start} moves the start here, as time a
   * file spent waiting for its turn is not time it was sending (its first speed would read far
   * too low).
   */
  sending(now: number): void {
    if (this.anchorAt === undefined || this.sent) return;
    this.sent = true;
    this.anchorAt = now;
  }

  get running(): boolean {
    return this.anchorAt !== undefined;
  }

  /** The server acknowledged `bytes` more at `now`. */
  record(now: number, bytes: number): void {
    if (this.anchorAt === undefined || bytes <= 0) return;
    const last = this.samples[this.samples.length - 1];
    if (last && now - last.at < BUCKET_MS) last.bytes += bytes;
    else this.samples.push({ at: now, bytes });
    this.advance(now);
  }

  /** Bytes per second at `now`. */
  rate(now: number): number {
    if (this.anchorAt === undefined) return 0;
    this.advance(now);
    let bytes = 0;
    for (const sample of this.samples) bytes += sample.bytes;
    return (bytes * 1000) / Math.max(MIN_SPAN_MS, now - this.anchorAt);
  }

  private advance(now: number): void {
    const oldest = now - this.windowMs;
    while (this.samples.length > this.minSamples) {
      const first = this.samples[0];
      if (!first || first.at > oldest) break;
      this.anchorAt = first.at;
      this.samples.shift();
    }
  }
}
