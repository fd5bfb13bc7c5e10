import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stack } from '@lfusys/testkit';
import { fmt, log } from './format.ts';
import { type BenchEndpoints, cleanUpUpload, signUp, startLfusys, uploadWithLfusys } from './lfusys.ts';
import type { BenchOptions } from './options.ts';
import type { SweepCell, SweepResults } from './results.ts';
import { MiB, median, mibPerSecond } from './stats.ts';
import type { TestFiles } from './testfile.ts';

/**
 * Variant A over chunk size × concurrency. The chunk size is the sessions service's
 * CHUNK_SIZE_BYTES, so each chunk size gets its own stack (the default one reuses `mainStack`).
 */
export async function runSweep(
  where: BenchEndpoints,
  dynamo: DynamoDBClient,
  mainStack: Stack | undefined,
  files: TestFiles,
  options: BenchOptions,
  deadline: number,
): Promise<SweepResults> {
  const sizeMiB = options.sweepSizeMiB;
  const size = sizeMiB * MiB;
  const path = await files.get(sizeMiB);
  const cells: SweepCell[] = [];
  const failures: string[] = [];

  for (const chunkMiB of options.sweepChunksMiB) {
    if (Date.now() > deadline) {
      failures.push(`chunk ${chunkMiB} MiB: skipped (BENCH_TIMEOUT_MINUTES reached)`);
      continue;
    }
    const own = !(mainStack && chunkMiB === options.chunkMiB);
    let stack: Stack | undefined;
    try {
      stack = own ? await startLfusys(where, chunkMiB, options.workers, options.tracingRatio) : mainStack;
      if (!stack) throw new Error('no stack');
      const { client } = await signUp(stack.gatewayApi);
      // Untimed warm-up on each stack (JIT, connections, caches), as in the throughput phase.
      const warm = await uploadWithLfusys(stack, client, await files.get(32), 32 * MiB, {
        concurrency: options.concurrency,
      });
      await cleanUpUpload(client, dynamo, stack, warm);
      for (const concurrency of options.sweepConcurrency) {
        const rates: number[] = [];
        const chunks: number[] = [];
        const assembly: number[] = [];
        for (let run = 1; run <= options.sweepRuns; run++) {
          if (Date.now() > deadline) break;
          try {
            const r = await uploadWithLfusys(stack, client, path, size, { concurrency });
            await cleanUpUpload(client, dynamo, stack, r);
            rates.push(mibPerSecond(size, r.totalMs));
            chunks.push(r.chunksMs);
            assembly.push(Number.isFinite(r.assemblyLoggedMs) ? r.assemblyLoggedMs : r.assemblyPolledMs);
          } catch (err) {
            const message = `chunk ${chunkMiB} MiB × ${concurrency}: ${(err as Error).message}`;
            failures.push(message);
            log(`FAILED sweep ${message}`);
          }
        }
        if (rates.length === 0) continue;
        const cell: SweepCell = {
          chunkMiB,
          concurrency,
          runsMiBps: rates,
          medianMiBps: median(rates),
          chunksMs: median(chunks),
          assemblyMs: median(assembly),
        };
        cells.push(cell);
        log(`sweep ${sizeMiB} MiB, chunk ${chunkMiB} MiB × ${concurrency}: ${fmt(cell.medianMiBps)} MiB/s`);
      }
    } catch (err) {
      failures.push(`chunk ${chunkMiB} MiB: ${(err as Error).message}`);
      log(`FAILED sweep chunk ${chunkMiB} MiB: ${(err as Error).message}`);
    } finally {
      if (own) await stack?.stop();
    }
  }
  const best = cells.reduce<SweepCell | undefined>((a, c) => (!a || c.medianMiBps > a.medianMiBps ? c : a), undefined);
  const defaultCell = cells.find((c) => c.chunkMiB === options.chunkMiB && c.concurrency === options.concurrency);
  return { sizeMiB, cells, ...(best ? { best } : {}), ...(defaultCell ? { defaultCell } : {}), failures };
}
