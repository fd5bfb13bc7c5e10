/**
 * Time constant of the overall speed's exponential smoothing: files starting, finishing or pausing
 * change the sum of their speeds in steps; smoothed, the overall ETA settles within seconds
 * instead of jumping (40 s → 2 min 53 s → 1 min 18 s).
 */
export const OVERALL_SMOOTHING_MS = 5000;

/** The overall speed, smoothed over time (an exponential moving average weighted by elapsed time). */
export class OverallRate {
  private speed = 0;
  private at: number | undefined;

  /** The smoothed speed at `now`, given the sum of the moving files' speeds; nothing moving resets it. */
  update(now: number, raw: number): number {
    if (raw <= 0) {
      this.speed = 0;
      this.at = undefined;
      return 0;
    }
    if (this.at === undefined) this.speed = raw;
    else this.speed += (1 - Math.exp(-(now - this.at) / OVERALL_SMOOTHING_MS)) * (raw - this.speed);
    this.at = now;
    return Math.round(this.speed);
  }
}
