import { availableParallelism } from 'node:os';
import { baseConfigShape, env, sessionsCallerConfigShape } from '@lfusys/commons';
import { z } from 'zod';

export const uploadsConfigSchema = z
  .object({
    ...baseConfigShape,
    HOST: z.string().default('127.0.0.1'),
    PORT: env.port(8081),
    /** Worker processes sharing the port (node:cluster); default one per core. */
    WORKERS: env.int(availableParallelism(), 1, 64),
    SESSIONS_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
    ...sessionsCallerConfigShape,
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
    /**
     * A chunk body is judged by its average rate, not by a whole-request deadline (which cut every
     * 16 MiB chunk below ~1.1 Mbit/s). For the first BODY_GRACE_MS nothing is judged; from then on
     * the body must have averaged at least BODY_MIN_BYTES_PER_SECOND since it began, or it is cut
     * (408, connection closed, nothing recorded). 8 KiB/s is a sixth of a 0.4 Mbit/s (48 KiB/s)
     * uplink, which then still carries 4 parallel chunks at 12 KiB/s each; a 1 KiB/s trickle (or a
     * body that sends nothing) is cut at 15 s.
     */
    BODY_GRACE_MS: env.int(15_000, 1000, 600_000),
    BODY_MIN_BYTES_PER_SECOND: env.int(8192, 1),
    /** Time to send the request headers (slow-loris protection). */
    HEADERS_TIMEOUT_MS: env.int(10_000, 1000),
    /** A socket silent this long is closed. */
    IDLE_TIMEOUT_MS: env.int(30_000, 1000),
    SHUTDOWN_GRACE_MS: env.int(30_000, 0),
    /**
     * Storage connections per worker process (the part writer's keep-alive pool). At most this many
     * part PUTs run at once; a chunk that waits longer than S3_SLOT_WAIT_MS for one is answered 503
     * + Retry-After.
     */
    S3_MAX_SOCKETS: env.int(50, 1, 10_000),
    S3_SLOT_WAIT_MS: env.int(5000, 0, 60_000),
    /** Chunk requests one user may have in flight per worker process; beyond it 429 + Retry-After. */
    CHUNKS_IN_FLIGHT_PER_USER: env.int(8, 1, 1000),
  })
  // One user must never be able to hold the whole pool.
  .refine((c) => c.CHUNKS_IN_FLIGHT_PER_USER < c.S3_MAX_SOCKETS, {
    path: ['CHUNKS_IN_FLIGHT_PER_USER'],
    message: 'must be below S3_MAX_SOCKETS, so one user cannot hold every S3 connection',
  });

export type UploadsConfig = z.output<typeof uploadsConfigSchema>;
