import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fmt, log } from './format.ts';
import { type BenchEndpoints, cleanUpUpload, signUp, startLfusys, uploadWithLfusys } from './lfusys.ts';
import type { BenchOptions } from './options.ts';
import { childPids, type RssSample, sampleRss } from './proc.ts';
import type { MemoryResults, MemoryRun } from './results.ts';
import { MiB } from './stats.ts';
import type { TestFiles } from './testfile.ts';
import { sleep } from './time.ts';

/**
 * Peak RSS of each uploads worker process while it serves `memoryConcurrency` concurrent chunks of
 * the default size, for each file size: a fresh stack with the configured worker count, and one
 * with a single worker (which then holds all the concurrent chunks itself).
 */
export async function runMemory(
  where: BenchEndpoints,
  dynamo: DynamoDBClient,
  files: TestFiles,
  options: BenchOptions,
  deadline: number,
): Promise<MemoryResults> {
  const runs: MemoryRun[] = [];
  const failures: string[] = [];
  for (const workers of [...new Set([options.workers, 1])]) {
    if (Date.now() > deadline) {
      failures.push(`${workers} worker(s): skipped (BENCH_TIMEOUT_MINUTES reached)`);
      continue;
    }
    const stack = await startLfusys(where, options.chunkMiB, workers, options.tracingRatio);
    try {
      const primary = stack.processes.uploads?.pid;
      if (primary === undefined) throw new Error('uploads did not start');
      // With WORKERS=1 the primary serves requests itself (no cluster).
      let pids = workers > 1 ? await childPids(primary) : [primary];
      for (let i = 0; i < 50 && pids.length < workers; i++) {
        await sleep(100);
        pids = await childPids(primary);
      }
      if (pids.length !== workers) throw new Error(`found ${pids.length} worker processes, expected ${workers}`);
      const { client } = await signUp(stack.gatewayApi);
      // Let the workers settle (JIT, first requests) before the baseline is taken.
      await sleep(1000);
      for (const sizeMiB of options.sizesMiB) {
        const path = await files.get(sizeMiB);
        const sampler = await sampleRss(pids, 50);
        let stopped: Promise<RssSample[]> | undefined;
        const t0 = Date.now();
        const upload = await uploadWithLfusys(stack, client, path, sizeMiB * MiB, {
          concurrency: options.memoryConcurrency,
          onChunksDone: () => {
            stopped = sampler.stop();
          },
        });
        const perWorker = await (stopped ?? sampler.stop());
        await cleanUpUpload(client, dynamo, stack, upload);
        const peakMiB = Math.max(...perWorker.flatMap((w) => [w.peakSampledMiB, w.hwmMiB]).filter(Number.isFinite));
        runs.push({
          workers,
          sizeMiB,
          concurrency: options.memoryConcurrency,
          chunkMiB: options.chunkMiB,
          perWorker,
          peakMiB,
          seconds: (Date.now() - t0) / 1000,
        });
        log(
          `memory ${workers} worker(s), ${sizeMiB} MiB, ${options.memoryConcurrency} concurrent chunks: peak ${fmt(peakMiB)} MiB ` +
            `(${perWorker.map((w) => `${w.pid}: ${fmt(w.startMiB)}→${fmt(Math.max(w.peakSampledMiB, w.hwmMiB))}`).join(', ')})`,
        );
      }
    } catch (err) {
      failures.push(`${workers} worker(s): ${(err as Error).message}`);
      log(`FAILED memory ${workers} worker(s): ${(err as Error).message}`);
    } finally {
      await stack.stop();
    }
  }
  return { runs, failures };
}
