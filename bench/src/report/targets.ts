import { fmt, sizeLabel } from '../format.ts';
import type { BenchResults } from '../results.ts';

/** The goals `make bench` checks, each met, missed or not measured in this run. */

export interface TargetStatus {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}

const status = (ok: boolean | undefined): TargetStatus['status'] =>
  ok === undefined ? 'not measured' : ok ? 'met' : 'missed';

type Ratios = NonNullable<BenchResults['throughput']>['ratios'][number];

/**
 * Issue 13: direct transfer at least 0.95 of an SDK upload at 256 MiB and 1 GiB; 0.90 is the floor.
 * Checked against the bare SDK (B) and against the SDK sending the same part checksums (B+sha).
 */
export function directTarget(results: BenchResults, against: 'B' | 'B+sha' = 'B'): TargetStatus {
  const ratio = (r: Ratios) => (against === 'B' ? r.aPrimeOverB : r.aPrimeOverBSha);
  const measured = (results.throughput?.ratios ?? []).filter(
    (r) => [256, 1024].includes(r.sizeMiB) && Number.isFinite(ratio(r)),
  );
  return {
    target: `A′/${against} ≥ 0.95 at 256 MiB and 1 GiB (floor 0.90)`,
    measured:
      measured
        .map((r) => `${fmt(ratio(r), 2)} at ${sizeLabel(r.sizeMiB)}${ratio(r) < 0.9 ? ' (below the floor)' : ''}`)
        .join(', ') || '–',
    status: status(measured.length === 0 ? undefined : measured.every((r) => ratio(r) >= 0.95)),
  };
}

function throughputTargets(results: BenchResults): TargetStatus[] {
  const out: TargetStatus[] = [];
  const ratios = results.throughput?.ratios ?? [];
  const largest = ratios.reduce<(typeof ratios)[number] | undefined>(
    (a, r) => (!a || r.sizeMiB > a.sizeMiB ? r : a),
    undefined,
  );
  const oneGiB = ratios.find((r) => r.sizeMiB === 1024);
  out.push({
    target: 'A/B ≥ 0.85 for a 1 GiB file',
    measured: oneGiB
      ? `${fmt(oneGiB.aOverB, 2)} at 1 GiB`
      : largest
        ? `no 1 GiB run (${fmt(largest.aOverB, 2)} at ${sizeLabel(largest.sizeMiB)})`
        : '–',
    status: status(oneGiB && Number.isFinite(oneGiB.aOverB) ? oneGiB.aOverB >= 0.85 : undefined),
  });
  const minC = ratios.length ? Math.min(...ratios.map((r) => r.aOverC)) : Number.NaN;
  const minCTuned = ratios.length ? Math.min(...ratios.map((r) => r.aOverCTuned)) : Number.NaN;
  out.push({
    target: 'A/C ≥ 2.0 (tus at its recommended settings)',
    measured: ratios.map((r) => `${fmt(r.aOverC, 2)} at ${sizeLabel(r.sizeMiB)}`).join(', ') || '–',
    status: status(Number.isFinite(minC) ? minC >= 2 : undefined),
  });
  out.push({
    target: 'A/C* ≥ 2.0 (tus tuned; stricter reading)',
    measured: ratios.map((r) => `${fmt(r.aOverCTuned, 2)} at ${sizeLabel(r.sizeMiB)}`).join(', ') || '–',
    status: status(Number.isFinite(minCTuned) ? minCTuned >= 2 : undefined),
  });
  return out;
}

function memoryTargets(results: BenchResults): TargetStatus[] {
  const out: TargetStatus[] = [];
  const memory = results.memory?.runs ?? [];
  if (memory.length > 0) {
    const peak = Math.max(...memory.map((m) => m.peakMiB));
    const byWorkers = new Map<number, typeof memory>();
    for (const m of memory) byWorkers.set(m.workers, [...(byWorkers.get(m.workers) ?? []), m]);
    const growth = [...byWorkers.values()].map((rs) => {
      const sorted = [...rs].sort((a, b) => a.sizeMiB - b.sizeMiB);
      return (sorted.at(-1)?.peakMiB ?? 0) - (sorted[0]?.peakMiB ?? 0);
    });
    const maxGrowth = Math.max(...growth);
    // "Flat": the largest file's peak within 10% (or 20 MiB) of the smallest's.
    const flat = [...byWorkers.values()].every((rs) => {
      const sorted = [...rs].sort((a, b) => a.sizeMiB - b.sizeMiB);
      const lo = sorted[0]?.peakMiB ?? 0;
      const hi = sorted.at(-1)?.peakMiB ?? 0;
      return hi - lo <= Math.max(20, lo * 0.1);
    });
    out.push({
      target: 'worker peak RSS ≤ 200 MiB at 16 concurrent chunks',
      measured: `${fmt(peak)} MiB (largest worker peak, any run)`,
      status: status(peak <= 200),
    });
    const sizes = new Set(memory.map((m) => m.sizeMiB)).size;
    out.push({
      target: 'worker peak RSS flat in file size',
      measured:
        sizes > 1 ? `largest − smallest file: ${maxGrowth >= 0 ? '+' : ''}${fmt(maxGrowth)} MiB` : 'one file size only',
      status: status(sizes > 1 ? flat : undefined),
    });
  } else {
    out.push({ target: 'worker peak RSS ≤ 200 MiB, flat in file size', measured: '–', status: 'not measured' });
  }
  return out;
}

function eventLoopTarget(results: BenchResults): TargetStatus {
  const loop = results.api?.eventLoopLogin;
  return {
    target: 'no gateway event-loop delay above 50 ms during login load',
    measured: loop
      ? `max ${fmt(loop.delayMaxMs)} ms, p99 ${fmt(loop.delayP99Ms)} ms (from /metrics, minus the 10 ms resolution); healthz probe max ${fmt(loop.probeMaxMs)} ms`
      : '–',
    status: status(loop ? loop.delayMaxMs <= 50 : undefined),
  };
}

export function targets(results: BenchResults): TargetStatus[] {
  return [
    ...throughputTargets(results),
    directTarget(results, 'B'),
    directTarget(results, 'B+sha'),
    ...memoryTargets(results),
    eventLoopTarget(results),
  ];
}
