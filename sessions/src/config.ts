import { baseConfigShape, CALLER_SERVICES, callerPublicKeysSchema, env, jsonEnv } from '@lfusys/commons';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** `gateway=<secret id>,uploads=<secret id>`: the public-key secret of each caller. */
const callerSecretIds = env.list().transform((pairs, ctx) => {
  const ids: Partial<Record<(typeof CALLER_SERVICES)[number], string>> = {};
  for (const pair of pairs) {
    const [service, id] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    if (!(CALLER_SERVICES as readonly string[]).includes(service) || !pair.includes('=') || id === '') {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not <${CALLER_SERVICES.join('|')}>=<secret id>` });
      return z.NEVER;
    }
    ids[service as (typeof CALLER_SERVICES)[number]] = id;
  }
  return ids;
});

/**
 * Sessions' TLS in AWS (commons/src/secrets/service-keys.ts): its private secret (certificate and
 * key, created on the first start for GRPC_TLS_NAME), the secret it publishes the CA to, and the
 * name callers reach it by. Stand for GRPC_TLS_CERT_PEM and GRPC_TLS_KEY_PEM, which win when set.
 */
export const sessionsTlsSecretsShape = {
  GRPC_TLS_SECRET_ID: z.string().min(1).optional(),
  GRPC_TLS_CA_SECRET_ID: z.string().min(1).optional(),
  GRPC_TLS_NAME: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'a DNS name, e.g. sessions.lfusys-dev.internal')
    .optional(),
};

export const sessionsConfigSchema = z
  .object({
    ...baseConfigShape,
    GRPC_HOST: z.string().default('127.0.0.1'),
    GRPC_PORT: env.port(50051),
    /**
     * The public keys of the services allowed to call, `{"gateway": [JWK...], "uploads": [JWK...]}`:
     * every call must carry a token signed by one of them (docs/security.md "Internal calls").
     * Several keys per service while one rotates.
     */
    GRPC_CALLER_PUBLIC_KEYS: jsonEnv(callerPublicKeysSchema, 'a map of service to public Ed25519 JWKs').optional(),
    /** Or (AWS): `service=secretId,...`, the secrets each caller publishes its public key to (src/keys.ts). */
    GRPC_CALLER_PUBLIC_KEY_SECRET_IDS: callerSecretIds,
    /** PEM certificate chain and key the gRPC port serves TLS with; both unset = plaintext. */
    GRPC_TLS_CERT_PEM: env.pem('CERTIFICATE').optional(),
    GRPC_TLS_KEY_PEM: env.pem('PRIVATE KEY').optional(),
    ...sessionsTlsSecretsShape,
    /**
     * A client connection is closed (GOAWAY) after this long, so clients resolve the service's name
     * again and spread over tasks started since; in-flight calls get GRPC_MAX_CONNECTION_AGE_GRACE_MS.
     */
    GRPC_MAX_CONNECTION_AGE_MS: env.int(60_000, 1000),
    GRPC_MAX_CONNECTION_AGE_GRACE_MS: env.int(120_000, 0),
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
    /**
     * The transfer of an upload whose client names none: `relay` (through the uploads workers) or
     * `direct` (presigned parts). Unset: direct where it is enabled, else relay (`defaultTransfer`).
     */
    UPLOAD_TRANSFER_DEFAULT: z.enum(['relay', 'direct']).optional(),
    /** Off: `transfer: direct` is refused (`transfer_unavailable`), e.g. where the bucket's CORS does not admit the app. */
    DIRECT_TRANSFER_ENABLED: env.bool(true),
    /** Lifetime of a presigned part URL; at most 15 minutes (DESIGN §9.1), never past the upload's own expiry. */
    PART_URL_TTL_SECONDS: env.int(900, 10, 900),
    /**
     * The S3 endpoint browsers reach, when it differs from `AWS_ENDPOINT_URL` (compose: sessions talks
     * to `http://emulator:4566`, the browser to `http://localhost:4566`). Presigned download and part
     * URLs are signed for this host (SigV4 signs the host). Unset: the endpoint the service uses.
     */
    S3_PUBLIC_ENDPOINT_URL: z.url().optional(),
  })
  .refine(
    (c) => c.GRPC_CALLER_PUBLIC_KEYS !== undefined || Object.keys(c.GRPC_CALLER_PUBLIC_KEY_SECRET_IDS).length > 0,
    {
      path: ['GRPC_CALLER_PUBLIC_KEYS'],
      message: 'required (or GRPC_CALLER_PUBLIC_KEY_SECRET_IDS)',
    },
  )
  .refine(
    (c) =>
      [c.GRPC_TLS_SECRET_ID, c.GRPC_TLS_CA_SECRET_ID, c.GRPC_TLS_NAME].filter((v) => v === undefined).length % 3 === 0,
    {
      path: ['GRPC_TLS_SECRET_ID'],
      message: 'GRPC_TLS_SECRET_ID, GRPC_TLS_CA_SECRET_ID and GRPC_TLS_NAME are set together',
    },
  )
  .refine((c) => (c.GRPC_TLS_CERT_PEM === undefined) === (c.GRPC_TLS_KEY_PEM === undefined), {
    path: ['GRPC_TLS_KEY_PEM'],
    message: 'GRPC_TLS_CERT_PEM and GRPC_TLS_KEY_PEM are set together or not at all',
  })
  .refine((c) => c.DIRECT_TRANSFER_ENABLED || c.UPLOAD_TRANSFER_DEFAULT !== 'direct', {
    path: ['UPLOAD_TRANSFER_DEFAULT'],
    message: 'cannot be direct while DIRECT_TRANSFER_ENABLED is false',
  });

export type SessionsConfig = z.output<typeof sessionsConfigSchema>;

/** The transfer uploads get when they ask for none: the configured one, else direct where enabled. */
export const defaultTransfer = (c: Pick<SessionsConfig, 'UPLOAD_TRANSFER_DEFAULT' | 'DIRECT_TRANSFER_ENABLED'>) =>
  c.UPLOAD_TRANSFER_DEFAULT ?? (c.DIRECT_TRANSFER_ENABLED ? 'direct' : 'relay');
