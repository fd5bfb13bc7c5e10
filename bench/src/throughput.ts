import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Stack, TestClient } from '@lfusys/commons/testing';
import { fmt, log } from './format.ts';
import { cleanUpUpload, type LfusysUploadResult, uploadWithLfusys } from './lfusys.ts';
import type { BenchOptions } from './options.ts';
import type { CpuMeter } from './proc.ts';
import type { AssemblyRow, SystemId, ThroughputResults, ThroughputRun, ThroughputSummary } from './results.ts';
import { type DirectUploadResult, emptyBucket, uploadDirect } from './s3-direct.ts';
import { MiB, median, mibPerSecond, percentile } from './stats.ts';
import type { TestFiles } from './testfile.ts';
import { type TusServer, uploadTus } from './tus.ts';

export interface ThroughputContext {
  stack: Stack;
  client: TestClient;
  s3: S3Client;
  dynamo: DynamoDBClient;
  files: TestFiles;
  options: BenchOptions;
  /** Which systems to run: all four for the throughput phase, only A when just assembly is asked for. */
  systems: SystemId[];
  directBucket: string;
  tusBucket: string;
  tus: { C: TusServer; 'C*': TusServer } | undefined;
  deadline: number;
  /** CPU use per process group during each upload. */
  cpu: CpuMeter;
}

export interface ThroughputOutput {
  results: ThroughputResults;
  aRuns: LfusysUploadResult[];
  bRuns: Array<DirectUploadResult & { sizeMiB: number }>;
}

function settingsOf(system: SystemId, ctx: ThroughputContext): string {
  const { chunkMiB, concurrency } = ctx.options;
  const tusSettings = (server: TusServer | undefined) => {
    const part = server?.settings.partSize ? `${server.settings.partSize / MiB} MiB` : '8 MiB (default)';
    const chunk = server?.settings.chunkSize ? `${server.settings.chunkSize / MiB} MiB` : 'Infinity (default)';
    return `S3Store partSize ${part}, client chunkSize ${chunk}, parallelUploads 1`;
  };
  switch (system) {
    case 'A':
      return `chunk ${chunkMiB} MiB, ${concurrency} parallel PUTs, ${ctx.options.workers} worker processes`;
    case 'B':
      return `part ${chunkMiB} MiB, ${concurrency} parallel UploadPart`;
    case 'C':
      return tusSettings(ctx.tus?.C);
    case 'C*':
      return tusSettings(ctx.tus?.['C*']);
  }
}

const WARM_UP_MIB = 32;

interface OneUpload {
  ms: number;
  detail: Record<string, number | string>;
  a?: LfusysUploadResult;
  b?: DirectUploadResult;
}

/** One timed upload of `path` with `system`, then its object deleted so the emulator does not accumulate data. */
async function uploadOnce(
  ctx: ThroughputContext,
  system: SystemId,
  path: string,
  sizeMiB: number,
  run: number,
): Promise<OneUpload> {
  const { options } = ctx;
  const size = sizeMiB * MiB;
  if (system === 'A') {
    const r = await uploadWithLfusys(ctx.stack, ctx.client, path, size, { concurrency: options.concurrency });
    await cleanUpUpload(ctx.client, ctx.dynamo, ctx.stack, r);
    return {
      ms: r.totalMs,
      a: r,
      detail: {
        chunksMs: Math.round(r.chunksMs),
        assemblyLoggedMs: Math.round(r.assemblyLoggedMs),
        assemblyPolledMs: Math.round(r.assemblyPolledMs),
        listMs: Math.round(r.listMs),
        chunkP50Ms: Math.round(percentile(r.chunkLatenciesMs, 50)),
        retries: r.retries,
      },
    };
  }
  if (system === 'B') {
    const key = `direct/${sizeMiB}-${run}.bin`;
    const r = await uploadDirect(
      ctx.s3,
      ctx.directBucket,
      key,
      path,
      size,
      options.chunkMiB * MiB,
      options.concurrency,
    );
    await emptyBucket(ctx.s3, ctx.directBucket);
    return { ms: r.totalMs, b: r, detail: { partsMs: Math.round(r.partsMs), completeMs: Math.round(r.completeMs) } };
  }
  const server = ctx.tus?.[system];
  if (!server) throw new Error('tus server not running');
  const r = await uploadTus(server, path, size);
  await emptyBucket(ctx.s3, ctx.tusBucket);
  return { ms: r.totalMs, detail: { patches: r.patches } };
}

/** Uploads every size with every system, `runs` times, rotating the order each run so drift hits all alike. */
export async function runThroughput(ctx: ThroughputContext): Promise<ThroughputOutput> {
  const { options } = ctx;
  const runs: ThroughputRun[] = [];
  const aRuns: LfusysUploadResult[] = [];
  const bRuns: Array<DirectUploadResult & { sizeMiB: number }> = [];
  const failures: string[] = [];

  // One untimed upload per system first: JIT, connection pools, JWKS and session caches warm up
  // the same way for everyone, so the first timed run is not an outlier.
  const warmPath = await ctx.files.get(WARM_UP_MIB);
  for (const system of ctx.systems) {
    await uploadOnce(ctx, system, warmPath, WARM_UP_MIB, 0).catch((err: unknown) =>
      log(`warm-up ${system} failed: ${(err as Error).message}`),
    );
  }

  for (let run = 1; run <= options.runs; run++) {
    const order = ctx.systems.map((_, i) => ctx.systems[(i + run - 1) % ctx.systems.length] as SystemId);
    for (const sizeMiB of options.sizesMiB) {
      const path = await ctx.files.get(sizeMiB);
      for (const system of order) {
        if (Date.now() > ctx.deadline) {
          failures.push(`run ${run} ${system} ${sizeMiB} MiB: skipped (BENCH_TIMEOUT_MINUTES reached)`);
          continue;
        }
        try {
          await ctx.cpu.start();
          const { ms, detail, a, b } = await uploadOnce(ctx, system, path, sizeMiB, run);
          const cpu = await ctx.cpu.stop();
          if (a) aRuns.push(a);
          if (b) bRuns.push({ ...b, sizeMiB });
          const rate = mibPerSecond(sizeMiB * MiB, ms);
          runs.push({ system, sizeMiB, run, ms, mibPerSec: rate, detail, cpu });
          log(`throughput run ${run} ${system.padEnd(2)} ${sizeMiB} MiB: ${fmt(rate)} MiB/s (${fmt(ms / 1000, 2)} s)`);
        } catch (err) {
          const message = `run ${run} ${system} ${sizeMiB} MiB: ${(err as Error).message}`;
          failures.push(message);
          log(`FAILED ${message}`);
          await emptyBucket(ctx.s3, system === 'B' ? ctx.directBucket : ctx.tusBucket).catch(() => {});
        }
      }
    }
  }

  const summary: ThroughputSummary[] = [];
  for (const sizeMiB of options.sizesMiB) {
    for (const system of ctx.systems) {
      const mine = runs.filter((r) => r.system === system && r.sizeMiB === sizeMiB);
      summary.push({
        sizeMiB,
        system,
        settings: settingsOf(system, ctx),
        runsMiBps: mine.map((r) => r.mibPerSec),
        medianMiBps: median(mine.map((r) => r.mibPerSec)),
        medianSeconds: median(mine.map((r) => r.ms)) / 1000,
        cpuPerGiB: cpuPerGiB(mine),
        coresBusy: median(mine.map((r) => Object.values(r.cpu).reduce((a, b) => a + b, 0) / (r.ms / 1000))),
      });
    }
  }
  const medianOf = (sizeMiB: number, system: SystemId) =>
    summary.find((s) => s.sizeMiB === sizeMiB && s.system === system)?.medianMiBps ?? Number.NaN;
  const ratios = options.sizesMiB.map((sizeMiB) => ({
    sizeMiB,
    aOverB: medianOf(sizeMiB, 'A') / medianOf(sizeMiB, 'B'),
    aOverC: medianOf(sizeMiB, 'A') / medianOf(sizeMiB, 'C'),
    aOverCTuned: medianOf(sizeMiB, 'A') / medianOf(sizeMiB, 'C*'),
  }));
  const chunkLatency = options.sizesMiB.map((sizeMiB) => {
    const latencies = aRuns.filter((r) => r.bytes === sizeMiB * MiB).flatMap((r) => r.chunkLatenciesMs);
    return {
      sizeMiB,
      chunks: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  });
  return { results: { runs, summary, ratios, chunkLatency, failures }, aRuns, bRuns };
}

/** Median CPU seconds per GiB uploaded for each process group (and their total), over `runs`. */
function cpuPerGiB(runs: readonly ThroughputRun[]): Record<string, number> {
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
      s3CompleteMedianMs: median(bRuns.filter((b) => b.sizeMiB === sizeMiB).map((b) => b.completeMs)),
      samples: mine.length,
    };
  });
}
