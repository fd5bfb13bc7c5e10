import type { ApiResults } from './api.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { RssSample } from './proc.ts';

/** Everything one run measured; written to results.json and rendered into results.md. */

export type SystemId = 'A' | 'A′' | 'A′+sha' | 'B' | 'B+sha' | 'C' | 'C*';

export const SYSTEM_LABELS: Record<SystemId, string> = {
  A: 'A: lfusys relay (gateway + sessions + uploads workers)',
  'A′': 'A′: lfusys direct (presigned parts straight to S3)',
  'A′+sha': 'A′+sha: lfusys direct, whole-file SHA-256 declared and verified',
  B: 'B: direct S3 multipart (AWS SDK)',
  'B+sha': 'B+sha: direct S3 multipart with SHA-256 part checksums (AWS SDK)',
  C: 'C: tus (recommended defaults)',
  'C*': 'C*: tus (tuned)',
};

/** Every system, in the order tables list them. */
export const ALL_SYSTEMS: readonly SystemId[] = ['A', 'A′', 'A′+sha', 'B', 'B+sha', 'C', 'C*'];

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
  ratios: ThroughputRatios[];
  /** Per-chunk PUT latency of A at its default settings (read + hash + PUT + S3 write), per size. */
  chunkLatency: Array<{ sizeMiB: number; chunks: number; p50Ms: number; p99Ms: number }>;
  failures: string[];
}

/** Ratios of median MiB/s at one file size (NaN where a system did not run). */
export interface ThroughputRatios {
  sizeMiB: number;
  aOverB: number;
  /** Direct transfer against the bare SDK: the target (≥ 0.95, floor 0.90). */
  aPrimeOverB: number;
  /**
   * Direct transfer against the SDK sending the same SHA-256 part checksums: the like-for-like
   * comparison (on moto, a multipart upload created without a checksum algorithm gets a full-object
   * CRC computed over a second copy of the object at Complete, which real S3 does not charge B for).
   */
  aPrimeOverBSha: number;
  /** Direct with the whole-file SHA-256 verified, against the bare SDK. */
  aPrimeShaOverB: number;
  aOverC: number;
  aOverCTuned: number;
}

/**
 * The cost of verifying a declared whole-file SHA-256 at assembly, at one file size: sessions'
 * own read-back time from its log, and the difference it makes to the last confirmation → completed
 * wait (A′+sha against A′), both also per GiB.
 */
export interface VerificationRow {
  sizeMiB: number;
  samples: number;
  /** Median "whole-file sha256 verified" `ms` of the A′+sha runs. */
  loggedMedianMs: number;
  loggedSecondsPerGiB: number;
  /** Median last confirm → "upload assembled" (sessions log), with and without a declared hash. */
  assemblyWithShaMedianMs: number;
  assemblyWithoutShaMedianMs: number;
  /** (with − without) per GiB. */
  addedSecondsPerGiB: number;
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
  verification?: VerificationRow[];
  skipped: string[];
  errors: string[];
}
