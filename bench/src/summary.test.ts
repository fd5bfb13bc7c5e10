import { describe, expect, it } from 'vitest';
import type { LfusysDirectResult } from './lfusys-direct.ts';
import type { SystemId, ThroughputRun } from './results.ts';
import { MiB } from './stats.ts';
import { ratiosOf, summarize, verificationRows } from './summary.ts';

const run = (system: SystemId, sizeMiB: number, mibPerSec: number): ThroughputRun => ({
  system,
  sizeMiB,
  run: 1,
  ms: (sizeMiB / mibPerSec) * 1000,
  mibPerSec,
  detail: {},
  cpu: { bench: 1 },
});

describe('throughput summary', () => {
  it('gives A′/B and A′+sha/B beside A/B from the medians, NaN for a system that did not run', () => {
    const runs = [
      run('A', 256, 60),
      run('A′', 256, 114),
      run('A′', 256, 120),
      run('A′', 256, 126),
      run('A′+sha', 256, 90),
      run('B', 256, 120),
    ];
    const summary = summarize(runs, [256], ['A', 'A′', 'A′+sha', 'B', 'C'], () => '');
    const [ratios] = ratiosOf(summary, [256]);
    expect(ratios?.aOverB).toBeCloseTo(0.5);
    expect(ratios?.aPrimeOverB).toBeCloseTo(1.0);
    expect(ratios?.aPrimeShaOverB).toBeCloseTo(0.75);
    expect(ratios?.aOverC).toBeNaN();
  });
});

const direct = (sizeMiB: number, declaredSha256: boolean, assemblyLoggedMs: number, verifyLoggedMs = Number.NaN) =>
  ({ bytes: sizeMiB * MiB, declaredSha256, assemblyLoggedMs, verifyLoggedMs }) as LfusysDirectResult;

describe('whole-file SHA-256 verification rows', () => {
  it("reports sessions' logged read-back time and the added completion time, both per GiB", () => {
    const rows = verificationRows(
      [1024, 256],
      [
        direct(1024, false, 1000),
        direct(1024, false, 1200),
        direct(1024, true, 4000, 2800),
        direct(1024, true, 4400, 3200),
        direct(256, false, 300),
      ],
    );
    expect(rows[0]).toMatchObject({
      sizeMiB: 1024,
      samples: 2,
      loggedMedianMs: 3000,
      loggedSecondsPerGiB: 3,
      assemblyWithShaMedianMs: 4200,
      assemblyWithoutShaMedianMs: 1100,
    });
    expect(rows[0]?.addedSecondsPerGiB).toBeCloseTo(3.1);
    // No A′+sha run at 256 MiB: nothing to report, not a zero.
    expect(rows[1]?.samples).toBe(0);
    expect(rows[1]?.loggedSecondsPerGiB).toBeNaN();
  });
});
