import { describe, expect, it } from 'vitest';
import type { BenchResults, ThroughputRatios } from '../results.ts';
import { directTarget } from './targets.ts';

const withRatios = (ratios: Array<Partial<ThroughputRatios>>) =>
  ({ throughput: { ratios } }) as unknown as BenchResults;

describe('the direct-transfer target (A′/B ≥ 0.95 at 256 MiB and 1 GiB)', () => {
  it('is met only when every measured size reaches 0.95', () => {
    expect(
      directTarget(
        withRatios([
          { sizeMiB: 256, aPrimeOverB: 0.97 },
          { sizeMiB: 1024, aPrimeOverB: 0.95 },
        ]),
      ).status,
    ).toBe('met');
    const missed = directTarget(
      withRatios([
        { sizeMiB: 256, aPrimeOverB: 0.97 },
        { sizeMiB: 1024, aPrimeOverB: 0.92 },
      ]),
    );
    expect(missed.status).toBe('missed');
    expect(missed.measured).toBe('0.97 at 256 MiB, 0.92 at 1 GiB');
  });

  it('says when a ratio is below the 0.90 floor', () => {
    expect(directTarget(withRatios([{ sizeMiB: 1024, aPrimeOverB: 0.8 }])).measured).toBe(
      '0.80 at 1 GiB (below the floor)',
    );
  });

  it('is checked against B+sha with its own ratio and says which baseline it used', () => {
    const ratios = withRatios([
      { sizeMiB: 256, aPrimeOverB: 1.2, aPrimeOverBSha: 0.91 },
      { sizeMiB: 1024, aPrimeOverB: 1.3, aPrimeOverBSha: 0.96 },
    ]);
    expect(directTarget(ratios).status).toBe('met');
    const like = directTarget(ratios, 'B+sha');
    expect(like.target).toBe('A′/B+sha ≥ 0.95 at 256 MiB and 1 GiB (floor 0.90)');
    expect(like.status).toBe('missed');
    expect(like.measured).toBe('0.91 at 256 MiB, 0.96 at 1 GiB');
  });

  it('is not measured without A′ runs at those sizes', () => {
    expect(directTarget(withRatios([{ sizeMiB: 64, aPrimeOverB: 1 }])).status).toBe('not measured');
    expect(directTarget(withRatios([{ sizeMiB: 256, aPrimeOverB: Number.NaN }])).status).toBe('not measured');
  });
});
