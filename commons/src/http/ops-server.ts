import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.ts';
import type { ReadinessCheck } from '../ops/health.ts';
import type { ServiceMetrics } from '../ops/metrics.ts';
import { createHttpEdge } from './http-edge.ts';

export interface OpsServerOptions {
  host: string;
  port: number;
  logger: Logger;
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
  isShuttingDown: () => boolean;
}

/** Nothing but GETs without bodies reach the ops port. */
const OPS_BODY_LIMIT_BYTES = 1024;

/**
 * `/healthz`, `/readyz` and `/metrics` on their own port, for services whose main protocol is not
 * HTTP: the shared edge with only its ops routes, so errors and unknown paths answer the same way.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const app = createHttpEdge({
    logger: options.logger,
    metrics: options.metrics,
    readiness: options.readiness,
    isShuttingDown: options.isShuttingDown,
    bodyLimit: OPS_BODY_LIMIT_BYTES,
    // A scraper or probe sends one small request; the idle period matches the services' default.
    timeouts: { headersMs: 10_000, requestMs: 10_000, idleMs: 65_000 },
  });
  await app.listen({ host: options.host, port: options.port });
  return app;
}
