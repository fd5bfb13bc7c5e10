import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_SYSTEMS, type SystemId } from './results.ts';

/** The repository root (outputs are resolved against it, wherever the command runs from). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What `make bench` runs, from env vars (BENCH_*) or the same names as `--flags` on the command line. */

export const PHASES = ['throughput', 'sweep', 'memory', 'api', 'assembly'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  quick: boolean;
  /** Runs per (system, size) in the throughput phase; medians are taken over them. */
  runs: number;
  /** File sizes in MiB for throughput, memory and assembly. */
  sizesMiB: number[];
  only: Set<Phase>;
  /** Systems the throughput phase compares (assembly alone runs the lfusys ones and B). */
  systems: SystemId[];
  /** Our defaults (sessions CHUNK_SIZE_BYTES, web app concurrency) for variant A. */
  chunkMiB: number;
  concurrency: number;
  /** Uploads worker processes (the service default is one per core). */
  workers: number;
  /**
   * `one`: one emulator process serves S3, DynamoDB and SQS. `split`: S3 gets its own, as AWS
   * serves S3 apart from the others (moto is one interpreter-locked process: in `one`, every
   * DynamoDB call our bookkeeping makes is time its S3 does not get).
   */
  emulators: 'one' | 'split';
  sweepChunksMiB: number[];
  sweepConcurrency: number[];
  sweepSizeMiB: number;
  sweepRuns: number;
  /** Concurrent chunks sent to the workers while their memory is sampled. */
  memoryConcurrency: number;
  /** Seconds per autocannon scenario. */
  apiSeconds: number;
  /** tus "tuned" settings: server part size and client chunk size (0 = one PATCH for the whole file). */
  tusTunedPartMiB: number;
  tusTunedChunkMiB: number;
  /** Whole-run bound: phases not started by then are skipped (and reported as skipped). */
  timeoutMinutes: number;
  /**
   * Tracing in every lfusys service, for its cost: undefined = off (no SDK loaded, the default);
   * otherwise the share of traces sampled (`parentbased_traceidratio`), spans written to a temp dir.
   */
  tracingRatio: number | undefined;
  /** Where results.json, results.md and throughput.svg go (a temp dir for quick runs, unless BENCH_OUT). */
  outDir: string;
}

function argvValues(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`unknown argument ${arg} (use --name=value; see bench/README.md)`);
    out.set(`BENCH_${match[1].replaceAll('-', '_').toUpperCase()}`, match[2] ?? '1');
  }
  return out;
}

function intList(raw: string, name: string): number[] {
  const values = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${name} must be a comma list of positive integers, got "${raw}"`);
  }
  return values;
}

function int(raw: string | undefined, fallback: number, name: string, min = 1, max = 100_000): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(raw: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(raw))
    throw new Error(`${name}: "${raw}" is not one of ${allowed.join(', ')}`);
  return raw as T;
}

const truthy = (raw: string | undefined) => raw !== undefined && !['', '0', 'false', 'no'].includes(raw.toLowerCase());

/** `BENCH_TRACING`: off (default), `on` (5 % of traces, the deployed default) or a ratio in (0, 1]. */
function tracingRatio(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === 'off') return undefined;
  const ratio = raw === 'on' ? 0.05 : Number(raw);
  if (!(ratio > 0 && ratio <= 1)) throw new Error(`BENCH_TRACING must be off, on or a ratio in (0, 1], got "${raw}"`);
  return ratio;
}

export function parseOptions(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchOptions {
  const values = new Map<string, string | undefined>(Object.entries(env).filter(([k]) => k.startsWith('BENCH_')));
  for (const [k, v] of argvValues(argv)) values.set(k, v);
  const get = (name: string) => values.get(`BENCH_${name}`);

  const quick = truthy(get('QUICK'));
  const onlyRaw = get('ONLY');
  const only = new Set<Phase>(
    onlyRaw
      ? onlyRaw.split(',').map((s) => {
          const phase = s.trim() as Phase;
          if (!PHASES.includes(phase)) throw new Error(`BENCH_ONLY: unknown phase "${s}" (${PHASES.join(', ')})`);
          return phase;
        })
      : PHASES,
  );
  const systemsRaw = get('SYSTEMS');
  const systems = systemsRaw
    ? systemsRaw.split(',').map((s) => {
        const system = s.trim() as SystemId;
        if (!ALL_SYSTEMS.includes(system))
          throw new Error(`BENCH_SYSTEMS: unknown system "${s}" (${ALL_SYSTEMS.join(', ')})`);
        return system;
      })
    : [...ALL_SYSTEMS];
  return {
    quick,
    systems,
    runs: int(get('RUNS'), quick ? 1 : 3, 'BENCH_RUNS', 1, 50),
    sizesMiB: intList(get('SIZES') ?? (quick ? '64' : '256,1024'), 'BENCH_SIZES'),
    only,
    chunkMiB: int(get('CHUNK_MIB'), 16, 'BENCH_CHUNK_MIB', 5, 512),
    concurrency: int(get('CONCURRENCY'), 4, 'BENCH_CONCURRENCY', 1, 64),
    workers: int(get('WORKERS'), 2, 'BENCH_WORKERS', 1, 64),
    emulators: oneOf(get('EMULATORS') ?? 'one', ['one', 'split'] as const, 'BENCH_EMULATORS'),
    sweepChunksMiB: intList(get('SWEEP_CHUNKS') ?? (quick ? '8,16' : '8,16,32,64'), 'BENCH_SWEEP_CHUNKS'),
    sweepConcurrency: intList(get('SWEEP_CONCURRENCY') ?? (quick ? '2,4' : '1,2,4,6,8'), 'BENCH_SWEEP_CONCURRENCY'),
    sweepSizeMiB: int(get('SWEEP_SIZE'), quick ? 64 : 256, 'BENCH_SWEEP_SIZE', 1, 1 << 20),
    sweepRuns: int(get('SWEEP_RUNS'), 1, 'BENCH_SWEEP_RUNS', 1, 20),
    memoryConcurrency: int(get('MEMORY_CONCURRENCY'), 16, 'BENCH_MEMORY_CONCURRENCY', 1, 64),
    apiSeconds: int(get('API_SECONDS'), quick ? 3 : 10, 'BENCH_API_SECONDS', 1, 600),
    tusTunedPartMiB: int(get('TUS_PART_MIB'), 16, 'BENCH_TUS_PART_MIB', 5, 512),
    tusTunedChunkMiB: int(get('TUS_CHUNK_MIB'), 0, 'BENCH_TUS_CHUNK_MIB', 0, 4096),
    timeoutMinutes: int(get('TIMEOUT_MINUTES'), quick ? 15 : 45, 'BENCH_TIMEOUT_MINUTES', 1, 600),
    tracingRatio: tracingRatio(get('TRACING')),
    outDir: resolve(REPO_ROOT, get('OUT') ?? (quick ? join(tmpdir(), 'lfusys-bench-quick') : 'docs/benchmarks')),
  };
}
