import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load-config.ts';
import { telemetrySettings } from './settings.ts';

describe('telemetrySettings', () => {
  it('leaves tracing off when no exporter is chosen (no SDK is loaded)', () => {
    expect(telemetrySettings({ OTEL_SERVICE_NAME: 'gateway' }).enabled).toBe(false);
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
  });

  it('turns tracing on for a standard exporter or a traces directory', () => {
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'sessions' })).toEqual({
      enabled: true,
      serviceName: 'sessions',
      tracesDir: undefined,
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    expect(telemetrySettings({ TRACES_DIR: '/tmp/t', OTEL_SERVICE_NAME: 'uploads' })).toMatchObject({
      enabled: true,
      tracesDir: '/tmp/t',
    });
  });

  it('reads the sampler and its ratio', () => {
    const env = { TRACES_DIR: '/tmp/t', OTEL_SERVICE_NAME: 'gateway' };
    expect(
      telemetrySettings({ ...env, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' }),
    ).toMatchObject({ sampler: 'parentbased_traceidratio', samplerRatio: 0.05 });
  });

  it('keeps everything off under OTEL_SDK_DISABLED=true, whatever else is set', () => {
    const env = { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', TRACES_DIR: '/tmp/t' };
    expect(telemetrySettings(env).enabled).toBe(false);
  });

  it('refuses a start with bad keys, listing every one', () => {
    const env = {
      OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    };
    expect(() => telemetrySettings(env)).toThrow(ConfigError);
    try {
      telemetrySettings(env);
    } catch (err) {
      const keys = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(keys.sort()).toEqual(['OTEL_TRACES_EXPORTER', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']);
    }
  });

  it('requires a service name once tracing is on, so no span is "unknown_service"', () => {
    expect(() => telemetrySettings({ TRACES_DIR: '/tmp/t' })).toThrow(/OTEL_SERVICE_NAME: required when tracing is on/);
  });
});
