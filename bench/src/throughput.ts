import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Stack, TestClient } from '@lfusys/testkit';
import { fmt, log } from './format.ts';
import { cleanUpUpload, type LfusysUploadResult, uploadWithLfusys } from './lfusys.ts';
import { type LfusysDirectResult, uploadWithLfusysDirect } from './lfusys-direct.ts';
import type { BenchOptions } from './options.ts';
import type { CpuMeter } from './proc.ts';
import type { SystemId, ThroughputResults, ThroughputRun } from './results.ts';
import { type DirectUploadResult, emptyBucket, uploadDirect } from './s3-direct.ts';
import { MiB, mibPerSecond, percentile } from './stats.ts';
import { ratiosOf, summarize } from './summary.ts';
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
  /** A′ and A′+sha runs (their `declaredSha256` tells them apart). */
  directRuns: LfusysDirectResult[];
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
    case 'A′':
      return `part ${chunkMiB} MiB, ${concurrency} parallel PUTs to S3, URLs signed and parts confirmed in batches`;
    case 'A′+sha':
      return `as A′, with the file's SHA-256 declared by PATCH after open (hashed before the clock starts)`;
    case 'B':
      return `part ${chunkMiB} MiB, ${concurrency} parallel UploadPart`;
    case 'B+sha':
      return `as B, each part read, hashed and sent with its SHA-256 (the checksums A′ signs)`;
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
  direct?: LfusysDirectResult;
  b?: DirectUploadResult;
}

/** A′ or A′+sha: our direct transfer, with or without a declared whole-file hash. */
async function uploadDirectOnce(ctx: ThroughputContext, path: string, size: number, declareSha256: boolean) {
  const r = await uploadWithLfusysDirect(ctx.stack, ctx.client, path, size, {
    concurrency: ctx.options.concurrency,
    declareSha256,
  });
  await cleanUpUpload(ctx.client, ctx.dynamo, ctx.stack, r);
  return {
    ms: r.totalMs,
    direct: r,
    detail: {
      chunksMs: Math.round(r.chunksMs),
      assemblyLoggedMs: Math.round(r.assemblyLoggedMs),
      assemblyPolledMs: Math.round(r.assemblyPolledMs),
      verifyLoggedMs: Math.round(r.verifyLoggedMs),
      listMs: Math.round(r.listMs),
      chunkP50Ms: Math.round(percentile(r.chunkLatenciesMs, 50)),
      signCalls: r.parts.signCalls,
      confirmCalls: r.parts.confirmCalls,
      resigned: r.parts.resigned,
      resent: r.parts.resent,
      retries: r.retries,
    },
  };
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
  if (system === 'A′' || system === 'A′+sha') return uploadDirectOnce(ctx, path, size, system === 'A′+sha');
  if (system === 'B' || system === 'B+sha') {
    const key = `direct/${sizeMiB}-${run}.bin`;
    const r = await uploadDirect(
      ctx.s3,
      ctx.directBucket,
      key,
      path,
      size,
      options.chunkMiB * MiB,
      options.concurrency,
      system === 'B+sha',
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
  const directRuns: LfusysDirectResult[] = [];
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
  // And one untimed upload of the largest size: the emulator's first upload of that size ran
  // 40-80 % slower than its later ones (moto growing its process to hold the file; its Complete
  // took 8-10 s instead of 4-6 s at 1 GiB), and that always fell on whichever system ran first.
  const largest = Math.max(...options.sizesMiB);
  const grower = (['B', 'B+sha'] as const).find((s) => ctx.systems.includes(s)) ?? ctx.systems[0];
  if (grower && largest > WARM_UP_MIB) {
    await uploadOnce(ctx, grower, await ctx.files.get(largest), largest, 0).catch((err: unknown) =>
      log(`warm-up ${grower} ${largest} MiB failed: ${(err as Error).message}`),
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
          const { ms, detail, a, direct, b } = await uploadOnce(ctx, system, path, sizeMiB, run);
          const cpu = await ctx.cpu.stop();
          if (a) aRuns.push(a);
          if (direct) directRuns.push(direct);
          if (b) bRuns.push({ ...b, sizeMiB });
          const rate = mibPerSecond(sizeMiB * MiB, ms);
          runs.push({ system, sizeMiB, run, ms, mibPerSec: rate, detail, cpu });
          log(`throughput run ${run} ${system.padEnd(2)} ${sizeMiB} MiB: ${fmt(rate)} MiB/s (${fmt(ms / 1000, 2)} s)`);
        } catch (err) {
          const message = `run ${run} ${system} ${sizeMiB} MiB: ${(err as Error).message}`;
          failures.push(message);
          log(`FAILED ${message}`);
          const bucket = system === 'B' || system === 'B+sha' ? ctx.directBucket : ctx.tusBucket;
          await emptyBucket(ctx.s3, bucket).catch(() => {});
        }
      }
    }
  }

  const summary = summarize(runs, options.sizesMiB, ctx.systems, (system) => settingsOf(system, ctx));
  const ratios = ratiosOf(summary, options.sizesMiB);
  const chunkLatency = options.sizesMiB.map((sizeMiB) => {
    const latencies = aRuns.filter((r) => r.bytes === sizeMiB * MiB).flatMap((r) => r.chunkLatenciesMs);
    return {
      sizeMiB,
      chunks: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  });
  return { results: { runs, summary, ratios, chunkLatency, failures }, aRuns, directRuns, bRuns };
}
