import { REQUEST_ID_HEADER, type ServiceMetrics } from '@lfusys/commons';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Echoes the request id on every response (errors included) and records the request duration. */
async function requestContextPlugin(app: FastifyInstance, options: { metrics: ServiceMetrics }): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    options.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

export const requestContext = fp(requestContextPlugin, { name: 'lfusys-request-context' });
