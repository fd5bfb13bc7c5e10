import type { LfusysUploadResult } from './lfusys.ts';
import type { LfusysDirectResult } from './lfusys-direct.ts';
import type {
  AssemblyRow,
  SystemId,
  ThroughputRatios,
  ThroughputRun,
  ThroughputSummary,
  VerificationRow,
} from './results.ts';
import type { DirectUploadResult } from './s3-direct.ts';
import { MiB, median } from './stats.ts';

/** Medians, ratios and derived rows from the throughput phase's individual runs (pure: unit-tested). */

/** Median CPU seconds per GiB uploaded for each process group (and their total), over `runs`. */
export function cpuPerGiB(runs: readonly ThroughputRun[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.cpu)))];
  const out: Record<string, number> = {};
  const perGiB = (r: ThroughputRun, seconds: number) => seconds / (r.sizeMiB / 1024);
  for (const name of names) out[name] = median(runs.map((r) => perGiB(r, r.cpu[name] ?? 0)));
  out.total = median(
    runs.map((r) =>
      perGiB(
        r,
        Object.values(r.cpu).reduce((a, b) => a + b, 0),
      ),
    ),
  );
  return out;
}

/** One summary row per (size, system) that was asked for. */
export function summarize(
  runs: readonly ThroughputRun[],
  sizesMiB: readonly number[],
  systems: readonly SystemId[],
  settingsOf: (system: SystemId) => string,
): ThroughputSummary[] {
  return sizesMiB.flatMap((sizeMiB) =>
    systems.map((system) => {
      const mine = runs.filter((r) => r.system === system && r.sizeMiB === sizeMiB);
      return {
        sizeMiB,
        system,
        settings: settingsOf(system),
        runsMiBps: mine.map((r) => r.mibPerSec),
        medianMiBps: median(mine.map((r) => r.mibPerSec)),
        medianSeconds: median(mine.map((r) => r.ms)) / 1000,
        cpuPerGiB: cpuPerGiB(mine),
        coresBusy: median(mine.map((r) => Object.values(r.cpu).reduce((a, b) => a + b, 0) / (r.ms / 1000))),
      };
    }),
  );
}

/** Ratios of medians per size; NaN where either side did not run. */
export function ratiosOf(summary: readonly ThroughputSummary[], sizesMiB: readonly number[]): ThroughputRatios[] {
  const medianOf = (sizeMiB: number, system: SystemId) =>
    summary.find((s) => s.sizeMiB === sizeMiB && s.system === system)?.medianMiBps ?? Number.NaN;
  return sizesMiB.map((sizeMiB) => {
    const b = medianOf(sizeMiB, 'B');
    return {
      sizeMiB,
      aOverB: medianOf(sizeMiB, 'A') / b,
      aPrimeOverB: medianOf(sizeMiB, 'A′') / b,
      aPrimeOverBSha: medianOf(sizeMiB, 'A′') / medianOf(sizeMiB, 'B+sha'),
      aPrimeShaOverB: medianOf(sizeMiB, 'A′+sha') / b,
      aOverC: medianOf(sizeMiB, 'A') / medianOf(sizeMiB, 'C'),
      aOverCTuned: medianOf(sizeMiB, 'A') / medianOf(sizeMiB, 'C*'),
    };
  });
}

/** Assembly: the time from the last chunk's 200 to "completed", from A's runs, next to moto's own complete call. */
export function assemblyRows(
  sizesMiB: readonly number[],
  aRuns: readonly LfusysUploadResult[],
  bRuns: ReadonlyArray<DirectUploadResult & { sizeMiB: number }>,
): AssemblyRow[] {
  return sizesMiB.map((sizeMiB) => {
    const mine = aRuns.filter((r) => r.bytes === sizeMiB * MiB);
    return {
      sizeMiB,
      loggedMedianMs: median(mine.map((r) => r.assemblyLoggedMs).filter(Number.isFinite)),
      polledMedianMs: median(mine.map((r) => r.assemblyPolledMs)),
      listMedianMs: median(mine.map((r) => r.listMs)),
      s3CompleteMedianMs: median(bRuns.filter((b) => b.sizeMiB === sizeMiB && !b.checksums).map((b) => b.completeMs)),
      samples: mine.length,
    };
  });
}

/** The whole-file SHA-256 verification cost, from the A′ (no hash) and A′+sha (declared) runs. */
export function verificationRows(
  sizesMiB: readonly number[],
  directRuns: readonly LfusysDirectResult[],
): VerificationRow[] {
  return sizesMiB.map((sizeMiB) => {
    const gib = sizeMiB / 1024;
    const ofSize = directRuns.filter((r) => r.bytes === sizeMiB * MiB);
    const withSha = ofSize.filter((r) => r.declaredSha256);
    const assembly = (runs: readonly LfusysDirectResult[]) =>
      median(runs.map((r) => r.assemblyLoggedMs).filter(Number.isFinite));
    const loggedMedianMs = median(withSha.map((r) => r.verifyLoggedMs).filter(Number.isFinite));
    const withMs = assembly(withSha);
    const withoutMs = assembly(ofSize.filter((r) => !r.declaredSha256));
    return {
      sizeMiB,
      samples: withSha.length,
      loggedMedianMs,
      loggedSecondsPerGiB: loggedMedianMs / 1000 / gib,
      assemblyWithShaMedianMs: withMs,
      assemblyWithoutShaMedianMs: withoutMs,
      addedSecondsPerGiB: (withMs - withoutMs) / 1000 / gib,
    };
  });
}
