import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

/**
 * The tracing keys the preload reads (register.ts), validated like every service config so a bad
 * value stops the start listing every bad key; they are in every service's config too
 * (baseConfigShape), so the service, the preload and the infra agreement tests agree. The SDK
 * reads the other `OTEL_*` keys itself (headers, batch sizes); the ones here decide whether, what,
 * where and how much is traced.
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export const telemetryConfigShape = {
  /** The standard kill switch: `true` starts no SDK whatever else is set. */
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  /** `otlp` (X-Ray through the collector sidecar), `console`, `zipkin`; `none` (the default): no export. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'zipkin', 'none']).default('none'),
  /** Local development: write spans as OTLP/JSON lines to `<dir>/<service>-<pid>.jsonl` (replaces OTEL_TRACES_EXPORTER). */
  TRACES_DIR: z.string().min(1).optional(),
  /** `gateway`, `sessions` or `uploads`: the `service.name` of every span. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .optional(),
  /** The ratio of a `*traceidratio` sampler, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Where `otlp` sends (the collector sidecar: http://127.0.0.1:4318). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['grpc', 'http/protobuf', 'http/json']).optional(),
};

const telemetryKeys = z.object(telemetryConfigShape);

const isOn = (s: z.output<typeof telemetryKeys>) =>
  s.OTEL_SDK_DISABLED === 'false' && (s.TRACES_DIR !== undefined || s.OTEL_TRACES_EXPORTER !== 'none');

/** The tracing keys (the environment's other keys are the service config's business). */
export const TELEMETRY_KEYS = Object.keys(telemetryKeys.shape);

export const telemetrySchema = telemetryKeys.superRefine((s, ctx) => {
  if (isOn(s) && !s.OTEL_SERVICE_NAME) {
    ctx.addIssue({ code: 'custom', path: ['OTEL_SERVICE_NAME'], message: 'required when tracing is on' });
  }
});

export interface TelemetrySettings {
  /** False: no SDK is loaded at all, and the tracing API stays a no-op. */
  enabled: boolean;
  serviceName: string;
  tracesDir: string | undefined;
  /** `OTEL_TRACES_SAMPLER`, `parentbased_always_on` when unset (the SDK's default). */
  sampler: NonNullable<z.output<typeof telemetryKeys>['OTEL_TRACES_SAMPLER']>;
  /** `OTEL_TRACES_SAMPLER_ARG`: the ratio of a `*traceidratio` sampler, 1 when unset (the SDK's default). */
  samplerRatio: number;
}

/** What the preload does with this environment. */
export function telemetrySettings(env: Readonly<Record<string, string | undefined>>): TelemetrySettings {
  const s = loadConfig(telemetrySchema, Object.fromEntries(TELEMETRY_KEYS.map((k) => [k, env[k]])));
  return {
    enabled: isOn(s),
    serviceName: s.OTEL_SERVICE_NAME ?? '',
    tracesDir: s.TRACES_DIR,
    sampler: s.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    samplerRatio: s.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}
