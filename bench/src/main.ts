import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createDynamoClient, createS3Client } from '@lfusys/commons';
import { startEmulator } from '@lfusys/commons/local-aws';
import type { Stack } from '@lfusys/testkit';
import { runApiBench } from './api.ts';
import { Cleanup } from './cleanup.ts';
import { log } from './format.ts';
import { signUp, startLfusys } from './lfusys.ts';
import { machineInfo } from './machine.ts';
import { runMemory } from './memory.ts';
import { type BenchOptions, type Phase, parseOptions } from './options.ts';
import { CpuMeter, childPids, findPid } from './proc.ts';
import { renderTables, writeOutputs } from './report.ts';
import type { BenchResults, SystemId } from './results.ts';
import { createBucket, removeBucket } from './s3-direct.ts';
import { MiB } from './stats.ts';
import { assemblyRows, verificationRows } from './summary.ts';
import { runSweep } from './sweep.ts';
import { TestFiles } from './testfile.ts';
import { runThroughput, type ThroughputContext } from './throughput.ts';
import { startTusServer } from './tus.ts';

/**
 * `make bench`: our upload path, relayed (A) and direct to S3 (A′, A′+sha with the whole-file SHA-256
 * verified), against a bare SDK multipart upload (B) and a tus server (C),
 * on one machine, one emulator endpoint and one run; then a chunk size × concurrency sweep, worker
 * memory, API latency and assembly time. Options: bench/README.md.
 */

// The SDK in this process (variant B, bucket housekeeping) and every child process it starts.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** moto_server's pid (its command line names its port), for CPU accounting; undefined for an external endpoint. */
async function motoPidOf(endpoint: string, kind: string): Promise<number | undefined> {
  if (kind !== 'moto') return undefined;
  return findPid(['moto', `-p ${new URL(endpoint).port}`]);
}

function describe(options: BenchOptions): string {
  return [
    `phases ${[...options.only].join(',')}`,
    `systems ${options.systems.join(',')}`,
    `runs ${options.runs}`,
    `sizes ${options.sizesMiB.join(',')} MiB`,
    `A chunk ${options.chunkMiB} MiB × ${options.concurrency}, ${options.workers} workers`,
    `sweep ${options.sweepChunksMiB.join(',')} MiB × ${options.sweepConcurrency.join(',')} on ${options.sweepSizeMiB} MiB`,
    `tracing ${options.tracingRatio === undefined ? 'off' : `on, ${options.tracingRatio * 100} % sampled`}`,
    `timeout ${options.timeoutMinutes} min`,
    `out ${options.outDir}`,
  ].join('; ');
}

async function main(): Promise<number> {
  const options = parseOptions(process.env, process.argv.slice(2));
  const started = Date.now();
  const deadline = started + options.timeoutMinutes * 60_000;
  const has = (phase: Phase) => options.only.has(phase);
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    options: { ...options, only: [...options.only] },
    skipped: [],
    errors: [],
  };
  const cleanup = new Cleanup();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping services and removing temp files`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /** Runs a phase unless the whole-run bound has passed; a failure is recorded, not fatal to the others. */
  const phase = async (name: string, body: () => Promise<void>) => {
    if (Date.now() > deadline) {
      results.skipped.push(`${name} (BENCH_TIMEOUT_MINUTES=${options.timeoutMinutes} reached)`);
      log(`skipping ${name}: time is up`);
      return;
    }
    log(`── ${name}`);
    try {
      await body();
    } catch (err) {
      results.errors.push(`${name}: ${(err as Error).stack ?? String(err)}`);
      log(`${name} failed: ${(err as Error).message}`);
    }
  };

  try {
    log(describe(options));
    const emulator = await startEmulator({ endpoint: process.env.AWS_ENDPOINT_URL });
    cleanup.add('emulator', () => emulator.stop());
    log(`emulator: ${emulator.kind} at ${emulator.endpoint}`);
    const s3Emulator = options.emulators === 'split' ? await startEmulator({}) : undefined;
    if (s3Emulator) {
      cleanup.add('S3 emulator', () => s3Emulator.stop());
      log(`S3 on its own emulator: ${s3Emulator.kind} at ${s3Emulator.endpoint}`);
    }
    const s3Endpoint = s3Emulator?.endpoint ?? emulator.endpoint;
    const where = { endpoint: emulator.endpoint, s3Endpoint: s3Emulator?.endpoint };
    results.machine = await machineInfo(emulator.kind, emulator.endpoint);
    const files = await TestFiles.create();
    cleanup.add('temp files', () => files.remove());
    const s3 = createS3Client({ region: 'us-east-1', endpoint: s3Endpoint });
    cleanup.add('S3 client', async () => s3.destroy());
    const dynamo = createDynamoClient({ region: 'us-east-1', endpoint: emulator.endpoint });
    cleanup.add('DynamoDB client', async () => dynamo.destroy());

    for (const size of new Set([
      ...(has('throughput') || has('assembly') || has('memory') ? options.sizesMiB : []),
      ...(has('sweep') ? [options.sweepSizeMiB] : []),
    ])) {
      log(`writing a ${size} MiB random file`);
      await files.get(size);
    }

    let stack: Stack | undefined;
    if (has('throughput') || has('assembly') || has('api') || has('sweep')) {
      stack = await startLfusys(where, options.chunkMiB, options.workers, options.tracingRatio);
      const running = stack;
      cleanup.add('lfusys stack', () => running.stop());
      log(`lfusys: gateway ${stack.gatewayBase}, uploads ${stack.uploadsBase}, prefix ${stack.prefix}`);
    }

    if (has('throughput') || has('assembly')) {
      await phase(has('throughput') ? 'throughput' : 'assembly (A runs only)', async () => {
        if (!stack) throw new Error('no stack');
        const suffix = randomUUID().slice(0, 8);
        const directBucket = `bench-direct-${suffix}`;
        const tusBucket = `bench-tus-${suffix}`;
        const lfusysAndB: readonly SystemId[] = ['A', 'A′', 'A′+sha', 'B', 'B+sha'];
        const systems = has('throughput') ? options.systems : options.systems.filter((s) => lfusysAndB.includes(s));
        await createBucket(s3, directBucket);
        const dropDirect = cleanup.add('direct bucket', () => removeBucket(s3, directBucket));
        let tus: ThroughputContext['tus'];
        const stops: Array<() => Promise<void>> = [];
        if (systems.includes('C') || systems.includes('C*')) {
          await createBucket(s3, tusBucket);
          stops.push(cleanup.add('tus bucket', () => removeBucket(s3, tusBucket)));
          const plain = await startTusServer(s3Endpoint, tusBucket, {});
          stops.push(cleanup.add('tus server', () => plain.stop()));
          const tuned = await startTusServer(s3Endpoint, tusBucket, {
            partSize: options.tusTunedPartMiB * MiB,
            chunkSize: options.tusTunedChunkMiB > 0 ? options.tusTunedChunkMiB * MiB : undefined,
          });
          stops.push(cleanup.add('tus server (tuned)', () => tuned.stop()));
          tus = { C: plain, 'C*': tuned };
        }
        const { client } = await signUp(stack.gatewayApi);
        const motoPids = [
          await motoPidOf(emulator.endpoint, emulator.kind),
          s3Emulator && (await motoPidOf(s3Emulator.endpoint, s3Emulator.kind)),
        ].filter((pid): pid is number => pid !== undefined);
        const running = stack;
        const cpu = new CpuMeter(async () => {
          const uploads = running.processes.uploads?.pid;
          return {
            bench: [process.pid],
            moto: motoPids,
            gateway: running.processes.gateway ? [running.processes.gateway.pid] : [],
            sessions: [running.processes.sessions.pid],
            uploads: uploads ? [uploads, ...(await childPids(uploads).catch(() => []))] : [],
            tus: tus ? [tus.C.pid, tus['C*'].pid] : [],
          };
        });
        const out = await runThroughput({
          cpu,
          dynamo,
          stack,
          client,
          s3,
          files,
          options,
          systems,
          directBucket,
          tusBucket,
          tus,
          deadline,
        });
        if (has('throughput')) results.throughput = out.results;
        results.assembly = assemblyRows(options.sizesMiB, out.aRuns, out.bRuns);
        results.verification = verificationRows(options.sizesMiB, out.directRuns);
        for (const stop of stops.reverse()) await stop();
        await dropDirect();
      });
    }

    if (has('sweep')) {
      await phase('sweep', async () => {
        results.sweep = await runSweep(where, dynamo, stack, files, options, deadline);
      });
    }

    if (has('memory')) {
      await phase('memory', async () => {
        results.memory = await runMemory(where, dynamo, files, options, deadline);
      });
    }

    if (has('api')) {
      await phase('api', async () => {
        if (!stack) throw new Error('no stack');
        results.api = await runApiBench(stack, options.apiSeconds, options.chunkMiB);
      });
    }
  } catch (err) {
    results.errors.push(`setup: ${(err as Error).stack ?? String(err)}`);
    log(`setup failed: ${(err as Error).message}`);
  } finally {
    log('cleaning up');
    await cleanup.run();
  }

  results.finishedAt = new Date().toISOString();
  results.wallSeconds = (Date.now() - started) / 1000;
  results.loadAverageAtEnd = loadavg().map((v) => Math.round(v * 100) / 100);
  const tables = renderTables(results);
  process.stdout.write(`\n${tables}\n`);
  const written = await writeOutputs(results, options.outDir);
  log(`wrote ${written.join(', ')}`);
  const failures = [
    ...(results.throughput?.failures ?? []),
    ...(results.sweep?.failures ?? []),
    ...(results.memory?.failures ?? []),
  ];
  return results.errors.length > 0 || failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
