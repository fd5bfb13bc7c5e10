import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { uploadsConfigSchema } from '@lfusys/uploads/config';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { block, first, hcl, type Json, source, tfRef } from './support/hcl.ts';

/**
 * Liveness, readiness and idle timeouts (issue 15): ECS restarts a container only when it is dead
 * (/healthz), the ALB routes around a target that is not ready (/readyz), neither is public, and
 * the ALB gives up on an idle connection before the target does.
 */

/** The shared HTTP edge answers the ops paths; each service serves through it, where Terraform probes. */
const EDGE = source('commons/src/http/ops-routes.ts');
const USES_EDGE = {
  gateway: source('gateway/src/http/app.ts').includes('createHttpEdge('),
  uploads: source('uploads/src/http/app.ts').includes('createHttpEdge('),
  sessions:
    source('sessions/src/main.ts').includes('startOpsServer(') &&
    source('commons/src/http/ops-server.ts').includes('createHttpEdge('),
};
const serves = (path: string) => EDGE.includes(`app.get('${path}'`);

describe('container liveness is /healthz, target readiness is /readyz', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const service = await hcl('modules/service/main.tf');
  const serviceVariables = await hcl('modules/service/variables.tf');
  const edge = await hcl('modules/edge/main.tf');

  it('the container health check requests var.health_check_path, /healthz by default', () => {
    const definition = block(service, 'aws_ecs_task_definition', 'this').container_definitions as string;
    expect(definition).toContain(`127.0.0.1:${tfRef('var.health_check_port')}${tfRef('var.health_check_path')}`);
    expect(first(serviceVariables.variable?.health_check_path).default).toBe('/healthz');
  });

  for (const [name, usesEdge] of Object.entries(USES_EDGE)) {
    it(`${name}: the container checks /healthz on a port it serves, and the code answers it`, () => {
      const module = first(stack.module?.[name]);
      expect(module.health_check_path).toBe('/healthz');
      const env = module.environment as Json;
      expect(module.health_check_port).toBe(Number(name === 'sessions' ? env.OPS_PORT : env.PORT));
      expect(usesEdge).toBe(true);
      expect(serves('/healthz')).toBe(true);
      expect(serves('/readyz')).toBe(true);
    });
  }

  it('the target groups probe /readyz (the ALB reaches targets directly, not through listener rules)', () => {
    expect(first(stack.module?.edge).health_check_path).toBe('/readyz');
    for (const tg of ['gateway', 'uploads'])
      expect(first(block(edge, 'aws_lb_target_group', tg).health_check).path).toBe(tfRef('var.health_check_path'));
  });

  it('the HTTPS listener answers /readyz, /healthz and /metrics with 404 before any forward rule', () => {
    const hide = block(edge, 'aws_lb_listener_rule', 'hide_metrics');
    const paths = first(first(hide.condition).path_pattern).values as string[];
    expect(paths).toEqual(expect.arrayContaining(['/readyz', '/healthz', '/metrics', '/metrics/*']));
    expect(first(hide.action).type).toBe('fixed-response');
    expect(first(first(hide.action).fixed_response).status_code).toBe('404');
    expect(hide.priority).toBeLessThan(block(edge, 'aws_lb_listener_rule', 'uploads').priority);
  });
});

describe('idle timeouts: the ALB closes an idle connection before its targets do', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const edge = await hcl('modules/edge/main.tf');
  const albIdleSeconds = first(stack.module?.edge).idle_timeout_seconds as number;
  const TARGETS: Record<string, z.ZodObject> = { gateway: gatewayConfigSchema, uploads: uploadsConfigSchema };

  it('the stack sets the ALB idle timeout explicitly', () => {
    expect(block(edge, 'aws_lb', 'this').idle_timeout).toBe(tfRef('var.idle_timeout_seconds'));
    expect(albIdleSeconds).toBe(60);
  });

  for (const [name, schema] of Object.entries(TARGETS)) {
    it(`${name}: ALB idle × 1000 < IDLE_TIMEOUT_MS (Terraform's value, else the config default)`, () => {
      const configured = (first(stack.module?.[name]).environment as Json).IDLE_TIMEOUT_MS as string | undefined;
      const parsed = (schema.shape.IDLE_TIMEOUT_MS as z.ZodType).safeParse(configured);
      expect(parsed.success, `IDLE_TIMEOUT_MS=${configured}`).toBe(true);
      expect(albIdleSeconds * 1000).toBeLessThan(parsed.data as number);
    });
  }

  it('the services keep kept-alive sockets exactly IDLE_TIMEOUT_MS (not Fastify’s own 72 s)', () => {
    expect(source('commons/src/http-timeouts.ts')).toMatch(/keepAliveTimeout: timeouts\.idleMs/);
    // …fed with IDLE_TIMEOUT_MS (the uploads workers build their timeouts in compose.ts).
    for (const file of ['gateway/src/http/app.ts', 'uploads/src/compose.ts'])
      expect(source(file)).toContain('idleMs: config.IDLE_TIMEOUT_MS');
    // …through the shared edge both serve on.
    expect(source('commons/src/http/http-edge.ts')).toContain('fastifyTimeoutOptions(');
    for (const file of ['gateway/src/http/app.ts', 'uploads/src/http/app.ts'])
      expect(source(file)).toContain('createHttpEdge(');
  });
});
