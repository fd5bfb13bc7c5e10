import { z } from 'zod';
import { telemetryConfigShape } from '../telemetry/settings.ts';

/** Reusable parsers for environment variables (always strings). */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  /** Comma-separated list, blanks dropped. */
  list: (fallback: string[] = []) =>
    z
      .string()
      .default(fallback.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      ),
  url: () => z.url(),
  /**
   * PEM text (`marker`: `CERTIFICATE`, `PRIVATE KEY`). Newlines may be real or written `\n`, as
   * one-line env files and secret stores often carry them.
   */
  pem: (marker: string) =>
    z
      .string()
      .transform((v) => v.replaceAll('\\n', '\n'))
      .pipe(z.string().includes(`-----BEGIN ${marker}-----`, { error: `must be PEM (-----BEGIN ${marker}-----)` })),
};

/** Keys every service shares: where AWS is, how resources are named, how to log. */
export const baseConfigShape = {
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Overrides every AWS endpoint (emulators: moto, LocalStack). Unset in real AWS. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /**
   * S3's own endpoint, when it is not AWS_ENDPOINT_URL (the SDK's name for it): an emulator per
   * service, as AWS has (`make bench` with BENCH_EMULATORS=split). Unset in real AWS.
   */
  AWS_ENDPOINT_URL_S3: z.url().optional(),
  /** Prefix of every table, bucket and queue name, e.g. `lfusys-dev`. */
  RESOURCE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, 'lowercase letters, digits and dashes, 3-40 chars')
    .default('lfusys-local'),
  /** A connection to AWS silent this long is abandoned (see AwsSettings.socketTimeoutMs). */
  AWS_SOCKET_TIMEOUT_MS: env.int(60_000, 100),
  /** How long a starting service retries its dependency set-up (queue lookup, table checks) before it exits. */
  STARTUP_RETRY_MS: env.int(60_000, 0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Tracing (commons/src/telemetry): read by the preload before the service starts; listed here so config agrees. */
  ...telemetryConfigShape,
};
