import { describe, expect, it } from 'vitest';
import { ThroughputMeter } from './throughput-meter.ts';

const MiB = 1024 * 1024;

describe('ThroughputMeter', () => {
  it('is 0 before it starts, before anything is acknowledged, and after it stops', () => {
    const meter = new ThroughputMeter();
    meter.record(1000, MiB);
    expect(meter.rate(2000)).toBe(0);
    meter.start(0);
    expect(meter.rate(5000)).toBe(0);
    meter.record(5000, MiB);
    expect(meter.rate(5000)).toBeGreaterThan(0);
    meter.stop();
    expect(meter.rate(6000)).toBe(0);
  });

  it('averages over at least one second, so one quick answer is no spike', () => {
    const meter = new ThroughputMeter();
    meter.start(0);
    meter.record(100, MiB);
    expect(meter.rate(100)).toBe(MiB);
  });

  it('on a fast link is the average of the last window', () => {
    const meter = new ThroughputMeter(20_000, 4);
    meter.start(0);
    // 1 MiB acknowledged every 500 ms for a minute (2 MiB/s), then 1 MiB every second (1 MiB/s).
    let t = 0;
    for (; t < 60_000; t += 500) meter.record(t + 500, MiB);
    expect(meter.rate(t)).toBeCloseTo(2 * MiB, -4);
    for (const end = t + 40_000; t < end; t += 1000) meter.record(t + 1000, MiB);
    expect(meter.rate(t)).toBeCloseTo(MiB, -4);
  });

  it('on a slow link with rare acknowledgements decays between them instead of dropping to 0', () => {
    // 16 MiB chunks one after the other at 125 KB/s (1 Mbit/s): one acknowledgement every ~134 s.
    const meter = new ThroughputMeter();
    const rate = 125_000;
    const every = (16 * MiB * 1000) / rate;
    meter.start(0);
    const seen: number[] = [];
    for (let t = 1000; t <= 6 * every; t += 1000) {
      if (Math.floor(t / every) > Math.floor((t - 1000) / every)) meter.record(t, 16 * MiB);
      if (t >= every) seen.push(meter.rate(t));
    }
    // Never 0 once something was acknowledged, and within a factor of two of the true rate.
    expect(Math.min(...seen)).toBeGreaterThan(rate / 2);
    expect(Math.max(...seen)).toBeLessThan(rate * 2);
  });

  it('does not double the rate after a burst of parallel acknowledgements', () => {
    // Four chunks sent together finish together, every 536 s.
    const meter = new ThroughputMeter();
    meter.start(0);
    const truth = (4 * 16 * MiB) / 536;
    for (const [burst, checks] of [
      [536_000, [600_000, 900_000]],
      [1_072_000, [1_100_000, 1_400_000]],
    ] as const) {
      for (let i = 0; i < 4; i++) meter.record(burst + i * 200, 16 * MiB);
      for (const t of checks) {
        expect(meter.rate(t)).toBeLessThan(truth * 1.3);
        expect(meter.rate(t)).toBeGreaterThan(truth / 2);
      }
    }
  });
});
