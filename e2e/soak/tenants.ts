import { signUp, startStack } from '@lfusys/commons/testing';
import { sleep } from './client.ts';
import { type AuditedUser, EndState } from './end-state.ts';
import { type ChunkSample, type HonestUser, honestUploads, type WindowStats, windowStats } from './honest.ts';
import {
  type Attack,
  type HostileContext,
  loginSpray,
  massOpens,
  oversized,
  revokedTokens,
  slowBodies,
  Tally,
} from './hostile.ts';
import { draw as newDraw } from './random.ts';

/**
 * The noisy-neighbour soak: honest users upload alone for a baseline phase, then for a phase of the
 * same length while hostile tenants run (slow bodies, mass opens, login spraying from rotated
 * X-Forwarded-For, revoked tokens, oversized declared sizes). It compares the honest users'
 * acknowledged throughput and p99 chunk latency between the phases, then audits every honest upload
 * (SHA-256, listing, quota, no multipart upload or object left) and deletes every account, hostile
 * ones included, checking nothing is left in S3. Loopback only; every attack is bounded in count and
 * time and ends with its phase.
 */
export interface TenantsOptions {
  endpoint: string;
  honestUsers: number;
  /** Honest files are drawn between half this and this. */
  fileBytes: number;
  chunkBytes: number;
  /** Chunk requests in flight per honest upload (the web app's default is 4). */
  lanes: number;
  phaseMs: number;
  workers: number;
  slowBodies: number;
  slowBytesPerSecond: number;
  /** Upper bound of each counted attack (mass opens, login attempts, revoked-token rounds, oversized opens). */
  attackCount: number;
  /** Sessions' limits for this run; oversized opens go just above them. */
  maxFileBytes: number;
  quotaBytes: number;
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

/** Every attack set up (accounts, uploads, the logout) before the phases, so neither pays for it. */
function prepareAttacks(ctx: HostileContext, options: TenantsOptions, problems: string[]): Promise<Attack[]> {
  const prepare = (name: string, setUp: Promise<Attack>) =>
    setUp.catch((err: Error): Attack => {
      problems.push(`setting up ${name}: ${err.message}`);
      return async () => {};
    });
  return Promise.all([
    prepare('slow bodies', slowBodies(ctx, options.slowBodies, options.slowBytesPerSecond)),
    prepare('mass opens', massOpens(ctx, options.attackCount)),
    prepare('login spray', loginSpray(ctx, options.attackCount)),
    prepare('revoked tokens', revokedTokens(ctx, options.attackCount)),
    prepare('oversized', oversized(ctx, options.attackCount, options)),
  ]);
}

/**
 * The two phases: honest users upload from t0; the attacks run from t1 to t2; then the honest users
 * finish the uploads they had started. Returns the phase boundaries.
 */
async function runPhases(
  options: TenantsOptions,
  run: {
    honest: HonestUser[];
    attacks: Attack[];
    ctx: HostileContext;
    base: string;
    samples: ChunkSample[];
    problems: string[];
  },
): Promise<{ t0: number; t1: number; t2: number }> {
  const { problems } = run;
  const draw = newDraw(options.seed);
  const t0 = Date.now();
  const t1 = t0 + options.phaseMs;
  const t2 = t1 + options.phaseMs;
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
        deadline: t2 + 180_000,
        draw,
        samples: run.samples,
        problems,
        log: options.log,
      }),
    ),
  );
  options.log(`baseline: ${options.honestUsers} honest users for ${options.phaseMs / 1000} s`);
  await sleep(t1 - Date.now());
  options.log('noisy: hostile tenants start');
  run.ctx.until = t2;
  const running = Promise.all(
    run.attacks.map((attack) => attack().catch((err: Error) => void problems.push(`attack: ${err.message}`))),
  );
  await sleep(t2 - Date.now());
  stop = true;
  await running;
  options.log('noisy phase over; waiting for honest uploads in flight, then auditing');
  await honestDone;
  return { t0, t1, t2 };
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
  try {
    const honest: HonestUser[] = await Promise.all(
      Array.from({ length: options.honestUsers }, async () => {
        const { client, userId, creds } = await signUp(stack.gatewayApi);
        const outcomes = { completed: 0, failed: 0, cancelled: 0, lost: 0 };
        return { client, userId, password: creds.password, finished: [], outcomes };
      }),
    );
    const tally = new Tally();
    const ctx: HostileContext = { api: stack.gatewayApi, uploadsBase: stack.uploadsBase, until: 0, tally, users: [] };
    const attacks = await prepareAttacks(ctx, options, problems);
    const samples: ChunkSample[] = [];
    const { t0, t1, t2 } = await runPhases(options, {
      honest,
      attacks,
      ctx,
      base: stack.uploadsBase,
      samples,
      problems,
    });
    const baseline = windowStats(samples, t0, t1);
    const noisy = windowStats(samples, t1, t2);
    const totals = await auditAll(endState, honest, ctx.users);
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
    endState.close();
    await stack.stop();
  }
}
