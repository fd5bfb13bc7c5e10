import { describe, expect, it } from 'vitest';
import { ParallelismController } from './parallelism.ts';

const TARGET = 60_000;

describe('ParallelismController', () => {
  it('starts at the maximum', () => {
    expect(new ParallelismController({ max: 4 }).limit).toBe(4);
    expect(new ParallelismController({ max: 0 }).limit).toBe(1);
  });

  it('keeps the limit while chunks fit the target', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    for (let t = 0; t < 600_000; t += 10_000) {
      policy.acknowledged(45_000, 4, t);
      policy.inFlightFor(45_000, t);
    }
    expect(policy.limit).toBe(4);
  });

  it('scales down at once so that the next chunk fits the target, never below 1', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    // Four at once took 120 s: two at once would take about 60 s.
    policy.acknowledged(120_000, 4, 120_000);
    expect(policy.limit).toBe(2);
    // One chunk alone needs more than the target (a 16 MiB chunk at 1 Mbit/s): one at a time.
    policy.acknowledged(536_000, 2, 600_000);
    expect(policy.limit).toBe(1);
    policy.acknowledged(134_000, 1, 800_000);
    expect(policy.limit).toBe(1);
  });

  it('halves the limit when a request runs past the target, at most once per target period', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    policy.inFlightFor(59_000, 59_000);
    expect(policy.limit).toBe(4);
    policy.inFlightFor(61_000, 61_000);
    expect(policy.limit).toBe(2);
    // The same requests are still running a second later: no second cut yet.
    policy.inFlightFor(62_000, 62_000);
    expect(policy.limit).toBe(2);
    policy.inFlightFor(121_000, 121_000);
    expect(policy.limit).toBe(1);
    policy.inFlightFor(500_000, 500_000);
    expect(policy.limit).toBe(1);
  });

  it('raises the limit one at a time once chunks come back well inside the target, after a pause', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    policy.acknowledged(240_000, 4, 240_000);
    expect(policy.limit).toBe(1);
    // The link got fast, but the last cut is recent: wait one target period.
    policy.acknowledged(5_000, 1, 250_000);
    expect(policy.limit).toBe(1);
    policy.acknowledged(5_000, 1, 300_000);
    expect(policy.limit).toBe(2);
    policy.acknowledged(5_000, 2, 305_000);
    expect(policy.limit).toBe(3);
    policy.acknowledged(5_000, 3, 310_000);
    policy.acknowledged(5_000, 4, 315_000);
    expect(policy.limit).toBe(4);
  });

  it('does not raise the limit when fewer requests ran than it allows (nothing learnt about more)', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    policy.acknowledged(240_000, 4, 0);
    policy.acknowledged(5_000, 1, 100_000);
    expect(policy.limit).toBe(2);
    policy.acknowledged(5_000, 1, 200_000);
    expect(policy.limit).toBe(2);
  });

  it('does not raise the limit for a chunk whose time with one more request would not fit half the target', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    policy.acknowledged(240_000, 4, 0);
    // 20 s alone, 40 s with two: more than half the target.
    policy.acknowledged(20_000, 1, 100_000);
    expect(policy.limit).toBe(1);
  });

  it('runs one fewer when the server says too many requests', () => {
    const policy = new ParallelismController({ max: 4, targetChunkMs: TARGET });
    policy.throttled(0);
    policy.throttled(1);
    expect(policy.limit).toBe(2);
    policy.throttled(2);
    policy.throttled(3);
    expect(policy.limit).toBe(1);
  });
});
