import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../ops/metrics.ts';
import { REQUEST_ID_HEADER } from '../request-id.ts';

/**
 * Echoes the request id on every response (errors and unknown routes included) and records the
 * request duration by route template. Installed on the root instance, so it sees every request.
 */
export function installRequestContext(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
