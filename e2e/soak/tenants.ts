import { signUp, startStack } from '@lfusys/testkit';
import { sleep } from './client.ts';
import { type AuditedUser, EndState } from './end-state.ts';
import { type ChunkSample, type HonestUser, honestUploads, type WindowStats, windowStats } from './honest.ts';
import type { Tally } from './hostile.ts';
import { type AttackName, HostileRunner } from './hostile-runner.ts';
import { draw as newDraw } from './random.ts';
import { counterbalanced, type Window, windowsOf } from './schedule.ts';

/**
 * The noisy-neighbour soak: honest users upload through alternating windows, alone (baseline) or
 * while hostile tenants run (slow bodies, mass opens, login spraying from rotated
 * X-Forwarded-For, revoked tokens, oversized declared sizes). It compares the honest users'
 * acknowledged throughput and p99 chunk latency between the two kinds of window, then audits every honest upload
 * (SHA-256, listing, quota, no multipart upload or object left) and deletes every account, hostile
 * ones included, checking nothing is left in S3. Loopback only; every attack is bounded in count and
 * time and ends with its window.
 */
export interface TenantsOptions {
  endpoint: string;
  honestUsers: number;
  /** Honest files are drawn between half this and this. */
  fileBytes: number;
  chunkBytes: number;
  /** Chunk requests in flight per honest upload (the web app's default is 4). */
  lanes: number;
  /** Total time of each kind (baseline, noisy), measured in alternating windows of `windowMs`. */
  phaseMs: number;
  windowMs: number;
  workers: number;
  slowBodies: number;
  slowBytesPerSecond: number;
  /** Upper bound of each counted attack (mass opens, login attempts, revoked-token rounds, oversized opens). */
  attackCount: number;
  /** Sessions' limits for this run; oversized opens go just above them. */
  maxFileBytes: number;
  quotaBytes: number;
  /** CPU priority (nice, 0–19) of the hostile tenants' own process; see HostileRunner. */
  hostileNice: number;
  /** Which attacks run in the noisy windows (all of them by default). */
  attacks: readonly AttackName[];
  /** Extra gateway environment (e.g. `TRUSTED_PROXY_CIDRS`). */
  gatewayEnv: Record<string, string>;
  seed: number;
  log: (line: string) => void;
}

export interface TenantsReport {
  baseline: WindowStats;
  noisy: WindowStats;
  /** Noisy throughput as a share of the baseline, in percent. */
  percent: number;
  lost: number;
  duplicated: number;
  orphaned: number;
  honestUploads: number;
  /** Every answer the hostile tenants got, by attack and status. */
  tally: Tally;
  /** Requests with an ended session's access cookie or upload token that got past authentication. */
  revokedAccepted: number;
  /** 5xx answers to hostile requests (a refusal should be a 4xx). */
  hostile5xx: number;
  problems: string[];
  seconds: number;
}

export const tenantsLine = (r: TenantsReport) =>
  `tenants: honest throughput ${r.percent} % of baseline, p99 chunk latency ${r.noisy.p99Ms} ms (baseline ${r.baseline.p99Ms} ms), ${r.lost} lost, ${r.duplicated} duplicated, ${r.orphaned} orphaned`;

function startTenantsStack(options: TenantsOptions) {
  const quiet = { LOG_LEVEL: 'warn' };
  return startStack({
    endpoint: options.endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: options.workers,
    readyTimeoutMs: 90_000,
    env: {
      // The product's per-IP auth limit (the stack's default lifts it for tests that sign many users up).
      gateway: {
        ...quiet,
        ACCESS_TOKEN_TTL_SECONDS: '3600',
        RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '30',
        ...options.gatewayEnv,
      },
      sessions: {
        ...quiet,
        CHUNK_SIZE_BYTES: String(options.chunkBytes),
        CHUNK_ALIGN_BYTES: String(Math.min(options.chunkBytes, 1024 * 1024)),
        MAX_FILE_BYTES: String(options.maxFileBytes),
        USER_QUOTA_BYTES: String(options.quotaBytes),
      },
      uploads: quiet,
    },
  });
}

/**
 * Honest users upload from the first window to the last; the attacks run inside every noisy window
 * (each bounded in count per window and ending with it); then the honest users finish the uploads
 * they had started. Returns the schedule the samples are measured against.
 */
async function runPhases(
  options: TenantsOptions,
  run: {
    honest: HonestUser[];
    hostile: HostileRunner;
    base: string;
    samples: ChunkSample[];
    problems: string[];
  },
): Promise<Window[]> {
  const { problems } = run;
  const draw = newDraw(options.seed);
  const schedule = counterbalanced(Date.now(), options.phaseMs, options.windowMs);
  const end = schedule.at(-1)?.to ?? Date.now();
  let stop = false;
  const honestDone = Promise.all(
    run.honest.map((user) =>
      honestUploads({
        user,
        base: run.base,
        minFileBytes: Math.ceil(options.fileBytes / 2),
        maxFileBytes: options.fileBytes,
        lanes: options.lanes,
        stopped: () => stop,
        deadline: end + 180_000,
        draw,
        samples: run.samples,
        problems,
        log: options.log,
      }),
    ),
  );
  options.log(
    `${options.honestUsers} honest users; ${schedule.length} windows of ${Math.round(options.phaseMs / (schedule.length / 2) / 1000)} s, baseline and noisy in ABBA order`,
  );
  for (const window of schedule) {
    await sleep(window.from - Date.now());
    if (window.kind === 'baseline') continue;
    await run.hostile.run(window.to);
  }
  await sleep(end - Date.now());
  stop = true;
  options.log('windows over; waiting for honest uploads in flight, then auditing');
  await honestDone;
  return schedule;
}

/** Audits and deletes every honest user, then deletes every hostile account (nothing may stay in S3). */
async function auditAll(endState: EndState, honest: HonestUser[], hostile: AuditedUser[]) {
  const totals = { lost: 0, duplicated: 0, orphaned: 0 };
  for (const user of honest) {
    const audit = await endState.audit(user, user.finished);
    totals.lost += user.outcomes.lost + audit.lost;
    totals.duplicated += audit.duplicated;
    totals.orphaned += audit.orphaned + (await endState.retire(user));
  }
  for (const user of hostile) totals.orphaned += await endState.retire(user);
  return totals;
}

export async function runTenants(options: TenantsOptions): Promise<TenantsReport> {
  const started = Date.now();
  const problems: string[] = [];
  const stack = await startTenantsStack(options);
  const endState = new EndState(options.endpoint, stack.prefix, problems);
  let hostileProcess: HostileRunner | undefined;
  try {
    const honest: HonestUser[] = await Promise.all(
      Array.from({ length: options.honestUsers }, async () => {
        const { client, userId, creds } = await signUp(stack.gatewayApi);
        const outcomes = { completed: 0, failed: 0, cancelled: 0, lost: 0 };
        return { client, userId, password: creds.password, finished: [], outcomes };
      }),
    );
    const hostile = new HostileRunner(options.hostileNice);
    hostileProcess = hostile;
    const { attacks, slowBodies, slowBytesPerSecond, attackCount, maxFileBytes, quotaBytes } = options;
    await hostile.prepare({
      api: stack.gatewayApi,
      uploadsBase: stack.uploadsBase,
      ...{ attacks, slowBodies, slowBytesPerSecond, attackCount, maxFileBytes, quotaBytes },
    });
    const samples: ChunkSample[] = [];
    const schedule = await runPhases(options, { honest, hostile, base: stack.uploadsBase, samples, problems });
    const { tally, users, problems: hostileProblems } = await hostile.finish(stack.gatewayApi);
    problems.push(...hostileProblems);
    const baseline = windowStats(samples, windowsOf(schedule, 'baseline'));
    const noisy = windowStats(samples, windowsOf(schedule, 'noisy'));
    const totals = await auditAll(endState, honest, users);
    return {
      baseline,
      noisy,
      percent: baseline.bytesPerSecond > 0 ? Math.round((100 * noisy.bytesPerSecond) / baseline.bytesPerSecond) : 0,
      ...totals,
      honestUploads: honest.reduce((sum, u) => sum + u.finished.length, 0),
      tally,
      revokedAccepted: tally.sum('after logout: ', (s) => /^\d+$/.test(s) && s !== '401'),
      hostile5xx: tally.sum('', (s) => /^5\d\d$/.test(s)),
      problems,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    hostileProcess?.kill();
    endState.close();
    await stack.stop();
  }
}
