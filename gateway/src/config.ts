import { availableParallelism } from 'node:os';
import { baseConfigShape, env, sessionsCallerConfigShape } from '@lfusys/commons';
import type { JWK } from 'jose';
import { z } from 'zod';
import { accountMailConfigShape } from './account-mail-config.ts';
import { checkProviderPairs, identityProviderConfigShape } from './oidc/provider-config.ts';

const ed25519PrivateJwk = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(128).optional(),
});

/** A JSON array of private Ed25519 JWKs in an env var: the first signs, all are published. */
const signingKeys = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of private Ed25519 JWKs' });
      return z.NEVER;
    }
  })
  .pipe(z.array(ed25519PrivateJwk).min(1, 'at least one key is required'))
  .transform((keys) => keys as JWK[]);

const gatewayConfigObject = z.object({
  ...baseConfigShape,
  ...accountMailConfigShape,
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8080),
  /** The origin browsers use to reach the app and API; unsafe requests from other origins are refused. */
  PUBLIC_ORIGIN: z.url().default('http://localhost:8080'),
  /** Extra origins allowed to call the API with credentials (e.g. a Vite dev server). */
  CORS_ORIGINS: env.list(),
  /** Secure cookies; turn off only for plain-http local runs. */
  COOKIE_SECURE: env.bool(true),
  /**
   * Addresses or CIDRs of the proxies allowed to write X-Forwarded-For (in AWS: the ALB's subnets).
   * The client IP is the right-most address not in these ranges, walking back from the socket peer;
   * a request whose peer is not in them has its X-Forwarded-For ignored. Empty = trust no proxy.
   */
  TRUSTED_PROXY_CIDRS: env.list().pipe(
    z.array(
      z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
        error: 'must be an IP address or a CIDR block, e.g. 10.0.0.0/20',
      }),
    ),
  ),
  JWT_ISSUER: z.string().min(1).default('lfusys'),
  /** Required, unless JWT_PRIVATE_KEYS_SECRET_ID names the secret it is read from at start (src/keys.ts). */
  JWT_PRIVATE_KEYS: signingKeys,
  /** The secret holding JWT_PRIVATE_KEYS (AWS); its first value is generated on the first start. */
  JWT_PRIVATE_KEYS_SECRET_ID: z.string().min(1).optional(),
  ACCESS_TOKEN_TTL_SECONDS: env.int(900, 60, 3600),
  /**
   * How long an instance trusts "this login session is live" before asking DynamoDB again: the
   * bound on how late another instance's logout, password change or account deletion is noticed.
   */
  SESSION_LIVENESS_CACHE_MS: env.int(2000, 0, 5000),
  /** How long an upload token lets a client send chunks; clients renew it through GET /uploads/:id. */
  UPLOAD_TOKEN_TTL_SECONDS: env.int(3600, 60, 24 * 3600),
  /** gRPC address of the sessions service. */
  SESSIONS_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  ...sessionsCallerConfigShape,
  /** Deadline for each call to sessions (account deletion gets ten times this). */
  SESSIONS_DEADLINE_MS: env.int(10_000, 100, 120_000),
  /** Base URL browsers use to reach the uploads workers; chunks go to `{this}/uploads/:id/chunks/:index`. */
  UPLOADS_PUBLIC_URL: z.url().default('http://localhost:8081'),
  /**
   * Origin of the object storage that direct-transfer parts are PUT to: the host of the presigned
   * URLs sessions signs, allowed in the web app's CSP `connect-src`. Unset, it is derived (see
   * http/storage-origin.ts): AWS_ENDPOINT_URL's origin for an emulator (path-style URLs), else the
   * bucket's regional virtual-hosted origin https://<RESOURCE_PREFIX>-objects.s3.<AWS_REGION>.amazonaws.com.
   * Set it when browsers reach storage on another host than this service does (docker compose).
   */
  STORAGE_ORIGIN: z
    .url()
    .refine((raw) => {
      // Refinements run even after z.url() failed, so the raw value may not parse.
      if (!URL.canParse(raw)) return false;
      const url = new URL(raw);
      return /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash;
    }, 'must be an http(s) origin without a path, e.g. https://my-bucket.s3.eu-west-1.amazonaws.com')
    .transform((raw) => new URL(raw).origin)
    .optional(),
  /** Directory of the built web app (frontend/dist) to serve on this origin; unset = API only. */
  STATIC_DIR: z.string().min(1).optional(),
  REFRESH_TOKEN_TTL_SECONDS: env.int(7 * 24 * 3600, 3600, 30 * 24 * 3600),
  /**
   * HMAC key for CSRF tokens; at least 32 characters of randomness. It also keys (through HKDF) the
   * hash that names an email in the shared login-attempt counter, so the table never holds addresses.
   */
  CSRF_SECRET: z.string().min(32, 'must be at least 32 characters'),
  RATE_LIMIT_GLOBAL_PER_MINUTE: env.int(600, 1),
  RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: env.int(30, 1),
  /** Login attempts per account in a fixed 15-minute window, counted in DynamoDB across every instance. */
  RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_15_MINUTES: env.int(10, 1),
  /** `POST /uploads` per signed-in user per minute (per gateway instance); more are 429 too_many_requests. */
  UPLOADS_OPENS_PER_MINUTE: env.int(120, 1),
  ARGON2_MEMORY_KIB: env.int(19_456, 19_456),
  ARGON2_TIME_COST: env.int(2, 2),
  ARGON2_PARALLELISM: env.int(1, 1, 16),
  /**
   * Password hashes computed at once; the rest queue. Default: one fewer than the CPU count (at
   * least 1), so a burst of logins leaves a core to the event loop — libuv's 4 pool threads would
   * otherwise take every core of a small machine.
   */
  ARGON2_MAX_CONCURRENT: env.int(Math.max(1, availableParallelism() - 1), 1, 64),
  /**
   * Password hashes allowed to wait for a slot. Beyond it login and register answer 503
   * `unavailable` with Retry-After at once: a flood gets fast refusals instead of an ever longer
   * queue that makes every honest login time out too.
   */
  ARGON2_MAX_QUEUE: env.int(32, 0, 10_000),
  /** Slow-loris protection: whole request, headers, and socket silence limits. */
  REQUEST_TIMEOUT_MS: env.int(30_000, 1000),
  HEADERS_TIMEOUT_MS: env.int(10_000, 1000),
  IDLE_TIMEOUT_MS: env.int(60_000, 1000),
  SHUTDOWN_GRACE_MS: env.int(10_000, 0),
  ...identityProviderConfigShape,
});

export const gatewayConfigSchema = gatewayConfigObject.superRefine(checkProviderPairs);

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
