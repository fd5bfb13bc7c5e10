import { startEmulator } from '@lfusys/commons/local-aws';
import { runSoak, summaryLine } from './soak.ts';

/**
 * `make soak`: the chaos soak against its own emulator (or AWS_ENDPOINT_URL). Options are env
 * vars: SOAK_UPLOADS (100), SOAK_CONCURRENCY (6), SOAK_USERS (4), SOAK_UPLOADS_PER_USER (25),
 * SOAK_MAX_FILE_MIB (8),
 * SOAK_CHUNK_KIB (1024), SOAK_DIRECT_PERCENT (50: uploads in direct transfer), SOAK_FAULT_PERCENT (10: share of proxied requests
 * faulted), SOAK_KILL_EVERY_MS (6000), SOAK_KILL_SESSIONS (1), SOAK_MINUTES (15),
 * SOAK_SEED (random). Exit code 1 when anything was lost, duplicated or orphaned.
 */
const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
};
const KiB = 1024;
// Emulator credentials for this process and the services it starts (they inherit the environment).
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<number> {
  const emulator = await startEmulator({ endpoint: process.env.AWS_ENDPOINT_URL, s3PartMinSize: KiB });
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  try {
    const seed = int('SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
    const options = {
      endpoint: emulator.endpoint,
      uploads: int('SOAK_UPLOADS', 100),
      concurrency: int('SOAK_CONCURRENCY', 6),
      users: Math.max(1, int('SOAK_USERS', 4)),
      uploadsPerUser: int('SOAK_UPLOADS_PER_USER', 25),
      maxFileBytes: int('SOAK_MAX_FILE_MIB', 8) * KiB * KiB,
      chunkBytes: int('SOAK_CHUNK_KIB', 1024) * KiB,
      faultRate: int('SOAK_FAULT_PERCENT', 10) / 100,
      directShare: Math.min(100, int('SOAK_DIRECT_PERCENT', 50)) / 100,
      killEveryMs: int('SOAK_KILL_EVERY_MS', 6000),
      killSessions: int('SOAK_KILL_SESSIONS', 1) === 1,
      timeLimitMs: int('SOAK_MINUTES', 15) * 60_000,
      seed,
      log,
    };
    log(
      `soak: seed ${seed}, ${options.uploads} uploads × ≤ ${options.maxFileBytes / KiB / KiB} MiB, ${options.concurrency} at once, emulator ${emulator.kind} at ${emulator.endpoint}`,
    );
    const report = await runSoak(options);
    if (report.problems.length > 0) log(`${report.problems.length} problem(s) in all (each logged as it happened)`);
    log(`faults by kind: ${JSON.stringify(report.faultsByKind)}`);
    log(
      `outcomes: ${report.completed} completed, ${report.failed} failed cleanly, ${report.cancelled} cancelled, ${report.skipped} skipped (time or a broken stack), ${report.users} users audited and deleted, ${report.startupRetries} start-up retries, ${report.seconds} s`,
    );
    console.log(summaryLine(report));
    return report.lost + report.duplicated + report.orphaned + report.problems.length === 0 ? 0 : 1;
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
