import { type ReadinessCheck, runReadiness, type ServiceMetrics } from '@lfusys/commons';
import type { FastifyInstance } from 'fastify';

export interface OpsRoutesOptions {
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
  /** Set once shutdown begins, so the load balancer stops sending traffic before we close. */
  isShuttingDown: () => boolean;
}

/** Liveness, readiness and Prometheus metrics, outside the API prefix and its rate limits. */
export async function opsRoutes(app: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const hidden = { hide: true, tags: ['ops'] };
  app.get('/healthz', { config: { rateLimit: false }, schema: hidden }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { rateLimit: false }, schema: hidden }, async (_request, reply) => {
    if (options.isShuttingDown()) return reply.status(503).send({ ready: false, checks: {}, shuttingDown: true });
    const report = await runReadiness(options.readiness);
    return reply.status(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', { config: { rateLimit: false }, schema: hidden }, async (_request, reply) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
