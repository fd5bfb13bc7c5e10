import { startEmulator } from '@lfusys/commons/local-aws';
import { ATTACKS, type AttackName } from './hostile-runner.ts';
import { runTenants, tenantsLine } from './tenants.ts';

/**
 * `make soak-tenants`: the noisy-neighbour soak against its own emulator (or AWS_ENDPOINT_URL).
 * Options are env vars (e2e/README.md): TENANTS_USERS (3), TENANTS_FILE_MIB (6), TENANTS_CHUNK_KIB
 * (1024), TENANTS_LANES (4), TENANTS_PHASE_SECONDS (60), TENANTS_WINDOW_SECONDS (10), TENANTS_WORKERS (2), TENANTS_SLOW_BODIES
 * (150), TENANTS_SLOW_BYTES_PER_SECOND (1024), TENANTS_ATTACK_COUNT (1100), TENANTS_ATTACKS (all: slow-bodies,mass-opens,login-spray,revoked-tokens,oversized), TENANTS_MAX_FILE_MIB
 * (1024), TENANTS_QUOTA_MIB (4096), TENANTS_MIN_PERCENT (80), TENANTS_HOSTILE_NICE (19: the attackers' process yields the CPU; 0 competes
 * equally), TENANTS_SEED.
 * Exit code 1 when an honest upload was lost, duplicated or orphaned, or throughput fell below
 * TENANTS_MIN_PERCENT of the baseline.
 */
const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
};
const attacks = (): AttackName[] => {
  const raw = process.env.TENANTS_ATTACKS;
  if (raw === undefined || raw.trim() === '') return [...ATTACKS];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ATTACKS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`TENANTS_ATTACKS: unknown ${unknown.join(', ')}; known: ${ATTACKS.join(', ')}`);
  return names as AttackName[];
};
const KiB = 1024;
const MiB = KiB * KiB;
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<number> {
  const minPercent = int('TENANTS_MIN_PERCENT', 80);
  const emulator = await startEmulator({ endpoint: process.env.AWS_ENDPOINT_URL, s3PartMinSize: KiB });
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  try {
    const seed = int('TENANTS_SEED', Math.floor(Math.random() * 2 ** 31));
    const options = {
      endpoint: emulator.endpoint,
      honestUsers: Math.max(1, int('TENANTS_USERS', 3)),
      fileBytes: Math.max(1, int('TENANTS_FILE_MIB', 6)) * MiB,
      chunkBytes: Math.max(1, int('TENANTS_CHUNK_KIB', 1024)) * KiB,
      lanes: Math.max(1, int('TENANTS_LANES', 4)),
      phaseMs: Math.max(5, int('TENANTS_PHASE_SECONDS', 60)) * 1000,
      windowMs: Math.max(2, int('TENANTS_WINDOW_SECONDS', 10)) * 1000,
      workers: Math.max(1, int('TENANTS_WORKERS', 2)),
      slowBodies: int('TENANTS_SLOW_BODIES', 150),
      slowBytesPerSecond: int('TENANTS_SLOW_BYTES_PER_SECOND', 1024),
      attackCount: int('TENANTS_ATTACK_COUNT', 1100),
      attacks: attacks(),
      hostileNice: Math.min(19, int('TENANTS_HOSTILE_NICE', 19)),
      maxFileBytes: int('TENANTS_MAX_FILE_MIB', 1024) * MiB,
      quotaBytes: int('TENANTS_QUOTA_MIB', 4096) * MiB,
      // The clients reach the gateway directly, as from the internet: no proxy is trusted, so a
      // rotated X-Forwarded-For is ignored (in AWS only the ALB's subnets are trusted).
      gatewayEnv: {},
      seed,
      log,
    };
    log(
      `tenants: seed ${seed}, ${options.honestUsers} honest users, files ≤ ${options.fileBytes / MiB} MiB, ${options.lanes} lanes, ${options.workers} workers, ${options.phaseMs / 1000} s of each kind in windows of ${options.windowMs / 1000} s, emulator ${emulator.kind} at ${emulator.endpoint}`,
    );
    const report = await runTenants(options);
    for (const problem of report.problems) log(`problem: ${problem}`);
    for (const line of report.tally.lines()) log(`attack ${line}`);
    log(
      `honest: ${report.honestUploads} files; baseline ${report.baseline.chunks} chunks at ${(report.baseline.bytesPerSecond / MiB).toFixed(2)} MiB/s, noisy ${report.noisy.chunks} chunks at ${(report.noisy.bytesPerSecond / MiB).toFixed(2)} MiB/s; ${report.seconds} s`,
    );
    log(`hostile: ${report.revokedAccepted} requests of ended sessions accepted, ${report.hostile5xx} answered 5xx`);
    console.log(tenantsLine(report));
    const bad = report.lost + report.duplicated + report.orphaned + report.problems.length;
    return bad === 0 && report.percent >= minPercent ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
