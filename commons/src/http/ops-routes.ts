import type { FastifyInstance } from 'fastify';
import { type ReadinessCheck, runReadiness } from '../ops/health.ts';
import type { ServiceMetrics } from '../ops/metrics.ts';

export interface OpsRoutesOptions {
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
  /** True once shutdown begins, so the load balancer stops sending traffic before we close. */
  isShuttingDown: () => boolean;
}

/**
 * Liveness, readiness and Prometheus metrics. The edge adds them before any plugin of a service,
 * so plugins that act on routes as they are added (@fastify/rate-limit, @fastify/swagger) never
 * see them: probes are not rate-limited and stay out of the API docs.
 */
export function installOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (options.isShuttingDown()) return reply.status(503).send({ ready: false, checks: {}, shuttingDown: true });
    const report = await runReadiness(options.readiness);
    return reply.status(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
