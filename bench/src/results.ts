import type { ApiResults } from './api.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { RssSample } from './proc.ts';

/** Everything one run measured; written to results.json and rendered into results.md. */

export type SystemId = 'A' | 'B' | 'C' | 'C*';

export const SYSTEM_LABELS: Record<SystemId, string> = {
  A: 'A: lfusys (gateway + sessions + uploads workers)',
  B: 'B: direct S3 multipart (AWS SDK)',
  C: 'C: tus (recommended defaults)',
  'C*': 'C*: tus (tuned)',
};

export interface ThroughputRun {
  system: SystemId;
  sizeMiB: number;
  run: number;
  ms: number;
  mibPerSec: number;
  /** System-specific breakdown (chunk phase, assembly, complete call, PATCH count...). */
  detail: Record<string, number | string>;
  /** CPU seconds each process group used during the upload (from /proc/<pid>/stat). */
  cpu: Record<string, number>;
}

export interface ThroughputSummary {
  sizeMiB: number;
  system: SystemId;
  settings: string;
  runsMiBps: number[];
  medianMiBps: number;
  medianSeconds: number;
  /** Median CPU seconds per GiB uploaded, by process group; `total` sums them, `cores` = total / wall time. */
  cpuPerGiB: Record<string, number>;
  coresBusy: number;
}

export interface ThroughputResults {
  runs: ThroughputRun[];
  summary: ThroughputSummary[];
  ratios: Array<{ sizeMiB: number; aOverB: number; aOverC: number; aOverCTuned: number }>;
  /** Per-chunk PUT latency of A at its default settings (read + hash + PUT + S3 write), per size. */
  chunkLatency: Array<{ sizeMiB: number; chunks: number; p50Ms: number; p99Ms: number }>;
  failures: string[];
}

export interface SweepCell {
  chunkMiB: number;
  concurrency: number;
  runsMiBps: number[];
  medianMiBps: number;
  chunksMs: number;
  assemblyMs: number;
}

export interface SweepResults {
  sizeMiB: number;
  cells: SweepCell[];
  best?: SweepCell;
  defaultCell?: SweepCell;
  failures: string[];
}

export interface MemoryRun {
  workers: number;
  sizeMiB: number;
  concurrency: number;
  chunkMiB: number;
  perWorker: RssSample[];
  /** Largest of the per-worker peaks (sampled VmRSS and VmHWM). */
  peakMiB: number;
  /** Wall time of the upload (chunks, assembly, listing). */
  seconds: number;
}

export interface MemoryResults {
  runs: MemoryRun[];
  failures: string[];
}

export interface AssemblyRow {
  sizeMiB: number;
  /** Last chunk's 200 until sessions logged "upload assembled". */
  loggedMedianMs: number;
  /** Last chunk's 200 until GET /uploads/:id said completed (100 ms polls). */
  polledMedianMs: number;
  /** Completed until listed in GET /files. */
  listMedianMs: number;
  /** B's CompleteMultipartUpload alone on the same emulator: the floor for assembly. */
  s3CompleteMedianMs: number;
  samples: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  options: Omit<BenchOptions, 'only'> & { only: string[] };
  machine?: MachineInfo;
  loadAverageAtEnd?: number[];
  throughput?: ThroughputResults;
  sweep?: SweepResults;
  memory?: MemoryResults;
  api?: ApiResults;
  assembly?: AssemblyRow[];
  skipped: string[];
  errors: string[];
}
