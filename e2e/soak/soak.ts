import { randomBytes } from 'node:crypto';
import { signUp } from '@lfusys/testkit';
import { sleep } from './client.ts';
import { EndState } from './end-state.ts';
import { type FaultedStack, startFaultedStack } from './faulted-stack.ts';
import { type Draw, draw as newDraw, RandomFaults } from './random.ts';
import { type Outcome, runUpload } from './upload.ts';
import { type PoolEntry, UserPool } from './user-pool.ts';

/**
 * The chaos soak: many uploads of random sizes, their chunks shuffled, duplicated and retried, while
 * faults fire at random under the services (S3 errors, resets, stalls and latency; DynamoDB and
 * SQS errors and resets; a worker or the sessions process SIGKILLed) and between the clients and
 * the workers. Every upload must end complete with its source's SHA-256 or cleanly failed/cancelled;
 * each user, once done, must list each file once, hold no open multipart upload or stray object,
 * reserve exactly their files' bytes, and leave nothing behind when the account is deleted.
 * Loopback only, bounded in count and time.
 */
export interface SoakOptions {
  /** S3/DynamoDB/SQS endpoint (moto with a 1 KiB minimum part size for small chunks). */
  endpoint: string;
  uploads: number;
  /** Uploads in flight at once. */
  concurrency: number;
  /** Users uploading at once. */
  users: number;
  /** Uploads per user before a fresh user replaces it (the old one is audited and deleted); 0: never. */
  uploadsPerUser: number;
  maxFileBytes: number;
  chunkBytes: number;
  /** Share of requests (0..1) through the proxies that get a fault: to S3, DynamoDB, SQS and to the workers. */
  faultRate: number;
  /** Share of uploads opened in direct transfer (parts to storage on presigned URLs); the rest relay. */
  directShare: number;
  /** A process is SIGKILLed this often: an uploads worker, or (every third time, if enabled) sessions. */
  killEveryMs: number;
  killSessions: boolean;
  /** Whole-run bound; uploads not started by then are skipped, unfinished ones count as lost. */
  timeLimitMs: number;
  seed: number;
  log: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  uploads: number;
  completed: number;
  failed: number;
  cancelled: number;
  skipped: number;
  /** Users audited and deleted. */
  users: number;
  /** Start-up steps the services retried (a process restarted into flaky storage). */
  startupRetries: number;
  faults: number;
  faultsByKind: Record<string, number>;
  lost: number;
  duplicated: number;
  orphaned: number;
  /** Every discrepancy found, in words. */
  problems: string[];
  seconds: number;
}

export const summaryLine = (r: SoakReport) =>
  `soak: ${r.uploads} uploads, ${r.faults} faults, ${r.lost} lost, ${r.duplicated} duplicated, ${r.orphaned} orphaned`;

/** Sizes from 1 byte to the maximum, with exact chunk multiples and ±1 edges over-represented. */
function fileSize(options: SoakOptions, draw: ReturnType<typeof newDraw>): number {
  const chunks = Math.max(1, Math.floor(options.maxFileBytes / options.chunkBytes));
  const size =
    draw.random() < 0.15
      ? options.chunkBytes * draw.between(1, chunks) + draw.pick([-1, 0, 1])
      : draw.between(1, options.maxFileBytes);
  return Math.max(1, size);
}

/** What a run shares between its uploads, its user rotation and its report. */
interface Run {
  options: SoakOptions;
  draw: Draw;
  deadline: number;
  problems: string[];
  faulted: FaultedStack;
  counts: Record<Outcome, number>;
  totals: { duplicated: number; orphaned: number };
}

/** Users that rotate every `uploadsPerUser` uploads; each retired one is audited, deleted and purged. */
function rotatingUsers(run: Run, endState: EndState): UserPool {
  const retire = async (entry: PoolEntry) => {
    try {
      const user = await entry.user;
      const audit = await endState.audit(user, entry.finished);
      run.counts.lost += audit.lost;
      run.totals.duplicated += audit.duplicated;
      run.totals.orphaned += audit.orphaned + (await endState.retire(user));
    } catch (err) {
      run.problems.push(`user audit failed: ${(err as Error).message}`);
    }
  };
  const signUpRetried = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { client, userId, creds } = await signUp(run.faulted.stack.gatewayApi);
        return { client, userId, password: creds.password };
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(500 * attempt);
      }
    }
  };
  return new UserPool({ size: run.options.users, perUser: run.options.uploadsPerUser, signUp: signUpRetried, retire });
}

/** Upload `n`: a random file through the client-side fault proxy, sometimes cancelled halfway. */
async function soakUpload(run: Run, pool: UserPool, n: number): Promise<Outcome> {
  const { options, draw } = run;
  const entry = pool.acquire(n);
  try {
    const user = await entry.user;
    const result = await runUpload({
      client: user.client,
      data: randomBytes(fileSize(options, draw)),
      fileName: `soak-${n}.bin`,
      idempotencyKey: `soak-${options.seed}-${n}`,
      base: run.faulted.chunkBase,
      transfer: draw.random() < options.directShare ? 'direct' : 'relay',
      lanes: 3,
      duplicateShare: 0.2,
      cancel: draw.random() < 0.06,
      deadline: run.deadline,
      draw,
      problems: run.problems,
      log: options.log,
    });
    if (result.outcome === 'completed' && result.uploadId && result.fileId)
      entry.finished.push({ uploadId: result.uploadId, fileId: result.fileId, size: result.size });
    return result.outcome;
  } finally {
    pool.release(entry);
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const draw = newDraw(options.seed);
  const problems: string[] = [];
  const faults = new RandomFaults(draw.random, options.faultRate);
  const faulted = await startFaultedStack({ ...options, faults, draw, problems });
  const endState = new EndState(options.endpoint, faulted.stack.prefix, problems);
  const counts: Record<Outcome, number> = { completed: 0, failed: 0, cancelled: 0, lost: 0 };
  const run: Run = {
    options,
    draw,
    deadline: started + options.timeLimitMs,
    problems,
    faulted,
    counts,
    totals: { duplicated: 0, orphaned: 0 },
  };
  const pool = rotatingUsers(run, endState);
  let next = 0;
  let done = 0;
  let skipped = 0;
  let reported = 0;
  // Problems as they happen, so a long run that is stopped early still shows them.
  const flushProblems = () => {
    for (; reported < problems.length; reported++) options.log(`problem: ${problems[reported]}`);
  };
  const progress = setInterval(() => {
    flushProblems();
    options.log(
      `soak: ${done}/${options.uploads} done (${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.lost} lost), ${pool.retiredCount} users retired, ${faults.total} faults, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 10_000);
  const worker = async () => {
    for (let n = next++; n < options.uploads; n = next++) {
      // Past the time bound, or with sessions gone for good, the rest is skipped and reported.
      if (Date.now() > run.deadline - 30_000 || faulted.broken) {
        skipped += 1;
        continue;
      }
      const outcome = await soakUpload(run, pool, n).catch((err: Error) => {
        problems.push(`upload ${n}: ${err.message}`);
        return 'lost' as const;
      });
      counts[outcome] += 1;
      done += 1;
    }
  };
  faulted.startKills(options.killEveryMs, options.killSessions);
  // The last 45 s run without kills (faults go on): an assembly cut short by a late kill gets its
  // redelivery (10 s visibility) and a restart before the uploads waiting on it give up. Without
  // it, kills every few seconds can keep one assembly from ever finishing inside the time bound,
  // which says nothing about whether the pipeline loses uploads.
  const quietTail = setTimeout(() => void faulted.stopKills(), Math.max(0, options.timeLimitMs - 45_000));
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearTimeout(quietTail);
    clearInterval(progress);
    faults.enabled = false;
    await faulted.stopKills();
  }
  // The end state of every user not yet retired, read with faults off.
  await pool.drain();
  flushProblems();
  endState.close();
  const startupRetries = faulted.startupRetries();
  await faulted.close();
  return {
    seed: options.seed,
    uploads: done,
    ...counts,
    skipped,
    users: pool.retiredCount,
    startupRetries,
    faults: faults.total,
    faultsByKind: Object.fromEntries([...faults.fired].sort()),
    duplicated: run.totals.duplicated,
    orphaned: run.totals.orphaned,
    problems,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
