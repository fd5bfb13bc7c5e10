import { fmt, markdownTable, sizeLabel } from '../format.ts';
import { type BenchResults, SYSTEM_LABELS, type SystemId } from '../results.ts';
import { median } from '../stats.ts';

const CPU_GROUPS = ['bench', 'gateway', 'sessions', 'uploads', 'tus', 'moto'];

/** Medians of A's, A′'s and B's phases per size, from the runs' details. */
export function phaseRows(results: BenchResults) {
  const runs = results.throughput?.runs ?? [];
  const sizes = [...new Set(runs.map((r) => r.sizeMiB))].sort((a, b) => a - b);
  const med = (size: number, system: SystemId, f: (d: Record<string, number | string>, ms: number) => number) =>
    median(runs.filter((r) => r.sizeMiB === size && r.system === system).map((r) => f(r.detail, r.ms)));
  return sizes.map((sizeMiB) => ({
    sizeMiB,
    aChunks: med(sizeMiB, 'A', (d) => Number(d.chunksMs)),
    aAfter: med(sizeMiB, 'A', (d, ms) => ms - Number(d.chunksMs)),
    directParts: med(sizeMiB, 'A′', (d) => Number(d.chunksMs)),
    directAfter: med(sizeMiB, 'A′', (d, ms) => ms - Number(d.chunksMs)),
    bParts: med(sizeMiB, 'B', (d) => Number(d.partsMs)),
    bComplete: med(sizeMiB, 'B', (d) => Number(d.completeMs)),
    bShaParts: med(sizeMiB, 'B+sha', (d) => Number(d.partsMs)),
    bShaComplete: med(sizeMiB, 'B+sha', (d) => Number(d.completeMs)),
  }));
}

/** The throughput phase's tables: MiB/s per system, CPU, ratios, transfer vs completion, chunk latency. */
export function throughputSections(results: BenchResults): string[] {
  const parts: string[] = [];
  const t = results.throughput;
  if (t) {
    parts.push(
      '### Upload throughput (first byte → complete and listed; MiB/s, higher is better)',
      markdownTable(
        ['File', 'System', 'Settings', 'Runs (MiB/s)', 'Median MiB/s', 'Median s'],
        t.summary.map((s) => [
          sizeLabel(s.sizeMiB),
          SYSTEM_LABELS[s.system],
          s.settings,
          s.runsMiBps.map((v) => fmt(v)).join(', ') || '–',
          `**${fmt(s.medianMiBps)}**`,
          fmt(s.medianSeconds, 2),
        ]),
      ),
      '### Where the CPU went (median CPU seconds per GiB uploaded, by process; 2 cores = 2 s of CPU per wall second)',
      markdownTable(
        ['File', 'System', ...CPU_GROUPS, 'total', 'cores busy'],
        t.summary.map((s) => [
          sizeLabel(s.sizeMiB),
          s.system,
          ...CPU_GROUPS.map((g) => (s.cpuPerGiB[g] ? fmt(s.cpuPerGiB[g]) : '–')),
          fmt(s.cpuPerGiB.total),
          fmt(s.coresBusy, 2),
        ]),
      ),
      '### Ratios of medians',
      markdownTable(
        ['File', 'A/B', 'A′/B', 'A′/B+sha', 'A′+sha/B', 'A/C (tus defaults)', 'A/C* (tus tuned)'],
        t.ratios.map((r) => [
          sizeLabel(r.sizeMiB),
          fmt(r.aOverB, 2),
          fmt(r.aPrimeOverB, 2),
          fmt(r.aPrimeOverBSha, 2),
          fmt(r.aPrimeShaOverB, 2),
          fmt(r.aOverC, 2),
          fmt(r.aOverCTuned, 2),
        ]),
      ),
      '### Transfer vs completion (medians): bytes moving, then the final CompleteMultipartUpload and bookkeeping',
      markdownTable(
        [
          'File',
          'A: open + chunks s',
          'A: last chunk → listed s',
          'A′: open + parts s',
          'A′: last confirm → listed s',
          'B: create + parts s',
          'B: complete s',
          'B+sha: create + parts s',
          'B+sha: complete s',
          'transfer-phase MiB/s A / A′ / B',
          'transfer-phase A/B, A′/B',
        ],
        phaseRows(results).map((r) => [
          sizeLabel(r.sizeMiB),
          fmt(r.aChunks / 1000, 2),
          fmt(r.aAfter / 1000, 2),
          fmt(r.directParts / 1000, 2),
          fmt(r.directAfter / 1000, 2),
          fmt(r.bParts / 1000, 2),
          fmt(r.bComplete / 1000, 2),
          fmt(r.bShaParts / 1000, 2),
          fmt(r.bShaComplete / 1000, 2),
          [r.aChunks, r.directParts, r.bParts].map((ms) => fmt(r.sizeMiB / (ms / 1000))).join(' / '),
          `${fmt(r.bParts / r.aChunks, 2)}, ${fmt(r.bParts / r.directParts, 2)}`,
        ]),
      ),
      '### A: per-chunk PUT latency (slice + SHA-256 + PUT + S3 UploadPart, at the default settings)',
      markdownTable(
        ['File', 'Chunks', 'p50 ms', 'p99 ms'],
        t.chunkLatency.map((c) => [sizeLabel(c.sizeMiB), String(c.chunks), fmt(c.p50Ms, 0), fmt(c.p99Ms, 0)]),
      ),
    );
    if (t.failures.length) parts.push(`Throughput failures:\n${t.failures.map((f) => `- ${f}`).join('\n')}`);
  }
  return parts;
}
