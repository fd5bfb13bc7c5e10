import { describe, expect, it } from 'vitest';
import { OVERALL_SMOOTHING_MS, OverallRate } from './overall-rate.ts';

describe('OverallRate', () => {
  it('starts at the first speed, then follows a step gradually instead of jumping', () => {
    const rate = new OverallRate();
    expect(rate.update(0, 1000)).toBe(1000);
    // A second file starts: the sum doubles, the smoothed speed moves 1 − e^(−1/5) of the way per second.
    const afterOne = rate.update(1000, 2000);
    expect(afterOne).toBe(Math.round(1000 + (1 - Math.exp(-1000 / OVERALL_SMOOTHING_MS)) * 1000));
    let now = 1000;
    let last = afterOne;
    while (now < 30_000) {
      now += 1000;
      const next = rate.update(now, 2000);
      expect(next).toBeGreaterThanOrEqual(last);
      last = next;
    }
    expect(last).toBeGreaterThan(1990);
  });

  it('does not move when asked again at the same instant', () => {
    const rate = new OverallRate();
    rate.update(0, 1000);
    expect(rate.update(0, 5000)).toBe(1000);
  });

  it('drops to 0 when nothing moves, and starts afresh afterwards', () => {
    const rate = new OverallRate();
    rate.update(0, 1000);
    expect(rate.update(1000, 0)).toBe(0);
    expect(rate.update(2000, 300)).toBe(300);
  });
});
