import { TELEMETRY_KEYS, telemetryConfigShape } from '@lfusys/commons';
import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { sessionsConfigSchema } from '@lfusys/sessions/config';
import { uploadsConfigSchema } from '@lfusys/uploads/config';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { block, first, hcl, type Json, tfRef } from './support/hcl.ts';

/**
 * Traces (issue 18, docs/tracing.md): Terraform sets the OTEL_* keys the code validates, with
 * values it accepts, sends them to the collector sidecar, and lets the task roles write to X-Ray.
 */
const SCHEMAS = { gateway: gatewayConfigSchema, sessions: sessionsConfigSchema, uploads: uploadsConfigSchema };
const shape = telemetryConfigShape as Record<string, z.ZodType>;

describe('tracing: Terraform and the code agree', async () => {
  const service = await hcl('modules/service/main.tf');
  const stack = await hcl('modules/stack/main.tf');
  const stackVariables = await hcl('modules/stack/variables.tf');
  const iam = await hcl('modules/iam/main.tf');
  const locals = first(service.locals);
  const keys = locals.tracing_keys as Json;

  it('every key the service module sets is one every service validates, with a value it accepts', () => {
    expect(Object.keys(keys).sort()).toEqual(TELEMETRY_KEYS.filter((k) => k in keys).sort());
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      for (const key of Object.keys(keys)) expect(key in schema.shape, `${name} reads ${key}`).toBe(true);
    }
    expect(keys.OTEL_SERVICE_NAME).toBe(tfRef('var.name'));
    expect(keys.OTEL_TRACES_SAMPLER_ARG).toContain('var.tracing.sampling_ratio');
    for (const key of [
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_TRACES_SAMPLER',
    ])
      expect(shape[key]?.safeParse(keys[key]).success, `${key}=${keys[key]}`).toBe(true);
  });

  it("the sampling ratio's default is one the services accept, and Terraform refuses one they would not", () => {
    const ratio = first(stackVariables.variable?.trace_sampling_ratio);
    expect(shape.OTEL_TRACES_SAMPLER_ARG?.safeParse(String(ratio.default)).success).toBe(true);
    expect(String(first(ratio.validation).condition)).toMatch(/>= 0 && .* <= 1/);
    expect(first(stackVariables.variable?.tracing_enabled).default).toBe(true);
  });

  it('the service exports to the collector on loopback, which forwards to X-Ray', () => {
    expect(keys.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://127.0.0.1:4318');
    expect(locals.collector_config).toContain('127.0.0.1:4318');
    expect(locals.collector_config).toContain('awsxray');
    expect(locals.tracing_environment).toBe(tfRef('var.tracing == null ? {} : local.tracing_keys'));
  });

  it('the service container is stopped before its collector, so the spans flushed after the drain reach it', () => {
    // ECS reverses a START dependency at shutdown: the dependent container stops first.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html
    const containers = String(block(service, 'aws_ecs_task_definition', 'this').container_definitions);
    expect(locals.collector_container).toContain('local.collector_name');
    expect(containers).toMatch(
      /dependsOn\s*=\s*var\.tracing == null \? null : \[\{\s*containerName\s*=\s*local\.collector_name,\s*condition\s*=\s*"START"\s*\}\]/,
    );
  });

  it('every service module gets the same tracing, and the task roles may write to X-Ray only when it is on', () => {
    for (const name of Object.keys(SCHEMAS)) expect(first(stack.module?.[name]).tracing).toBe(tfRef('local.tracing'));
    expect(first(stack.module?.iam).tracing_enabled).toBe(tfRef('var.tracing_enabled'));
    const statement = first(block(iam, 'aws_iam_policy_document', 'tracing').statement);
    expect(statement.actions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(block(iam, 'aws_iam_role_policy', 'tracing').for_each).toMatch(/var\.tracing_enabled \?/);
  });
});
