import { baseConfigShape, env } from '@lfusys/commons';
import { z } from 'zod';

const MiB = 1024 * 1024;

export const sessionsConfigSchema = z.object({
  ...baseConfigShape,
  GRPC_HOST: z.string().default('127.0.0.1'),
  GRPC_PORT: env.port(50051),
  OPS_PORT: env.port(9091),
  /** Default chunk size; `make bench` tunes it. */
  CHUNK_SIZE_BYTES: env.int(16 * MiB, 1024),
  /** Chunk sizes are multiples of this; tests lower it together with moto's S3_UPLOAD_PART_MIN_SIZE. */
  CHUNK_ALIGN_BYTES: env.int(MiB, 1024),
  MAX_FILE_BYTES: env.int(50 * 1024 * MiB, 1),
  USER_QUOTA_BYTES: env.int(100 * 1024 * MiB, 1),
  UPLOAD_TTL_SECONDS: env.int(24 * 3600, 60),
  /** Uploads in progress (uploading or assembling) one user may have at once; more opens are 429. */
  UPLOADS_IN_PROGRESS_MAX: env.int(1000, 1),
  /** How long a finished upload's records stay readable before DynamoDB TTL removes them. */
  FINISHED_UPLOAD_RETENTION_SECONDS: env.int(7 * 24 * 3600, 60),
  DOWNLOAD_URL_TTL_SECONDS: env.int(300, 30, 3600),
  ASSEMBLY_CONCURRENCY: env.int(2, 1, 32),
  ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS: env.int(120, 10, 43200),
  ASSEMBLY_MAX_RECEIVES: env.int(5, 1, 1000),
  SWEEP_INTERVAL_MS: env.int(60_000, 100),
  /** A sweep drains expired uploads page after page for at most this long, then the next one carries on. */
  SWEEP_BUDGET_MS: env.int(30_000, 100),
  SHUTDOWN_GRACE_MS: env.int(30_000, 0),
});

export type SessionsConfig = z.output<typeof sessionsConfigSchema>;
