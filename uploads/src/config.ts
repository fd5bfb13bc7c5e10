import { availableParallelism } from 'node:os';
import { baseConfigShape, env } from '@lfusys/commons';
import { z } from 'zod';

export const uploadsConfigSchema = z.object({
  ...baseConfigShape,
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8081),
  /** Worker processes sharing the port (node:cluster); default one per core. */
  WORKERS: env.int(availableParallelism(), 1, 64),
  SESSIONS_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  /** Where the gateway publishes its signing keys. */
  JWKS_URL: z.url().default('http://127.0.0.1:8080/api/v1/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('lfusys'),
  CORS_ORIGINS: env.list(['http://localhost:8080']),
  /** How long a worker trusts a cached session (status, sizes, S3 target). */
  SESSION_CACHE_MS: env.int(2000, 0, 60_000),
  /**
   * How long a worker trusts "this login session is live" before reading the gateway's
   * refresh-token table again: the bound on how late a logout or account deletion stops chunks.
   */
  SESSION_LIVENESS_CACHE_MS: env.int(2000, 0, 5000),
  /** Whole-request cap: a chunk that trickles in slower than this is cut off. */
  REQUEST_TIMEOUT_MS: env.int(120_000, 1000),
  /** Time to send the request headers (slow-loris protection). */
  HEADERS_TIMEOUT_MS: env.int(10_000, 1000),
  /** A socket silent this long is closed. */
  IDLE_TIMEOUT_MS: env.int(30_000, 1000),
  SHUTDOWN_GRACE_MS: env.int(30_000, 0),
});

export type UploadsConfig = z.output<typeof uploadsConfigSchema>;
