import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { fastifyTimeoutOptions, type HttpTimeouts } from '../http-timeouts.ts';
import type { Logger } from '../logger.ts';
import type { ReadinessCheck } from '../ops/health.ts';
import type { ServiceMetrics } from '../ops/metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from '../request-id.ts';
import { type ErrorHandlerOptions, installErrorHandlers } from './error-handler.ts';
import { installOpsRoutes } from './ops-routes.ts';
import { installRequestContext } from './request-context.ts';

export interface HttpEdgeOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** What `/readyz` checks. */
  readiness: readonly ReadinessCheck[];
  timeouts: HttpTimeouts;
  /** Largest request body accepted; a bigger one is a 413 `payload_too_large` before any route runs. */
  bodyLimit: number;
  /** For a process whose main work is not this server (sessions' gRPC): `/readyz` fails once it returns true. */
  isShuttingDown?: () => boolean;
  httpStatusOf?: ErrorHandlerOptions['httpStatusOf'];
  /** Fastify options beyond the edge's own: who may set the client address, how schemas validate. */
  fastify?: Pick<FastifyServerOptions, 'trustProxy' | 'ajv'>;
}

/**
 * The HTTP edge every service shares: a Fastify instance with the request id (accepted from
 * `x-request-id` when well formed, echoed on every response, `requestId` on every log line), the
 * slow-client timeouts, the one error and not-found handler, request duration metrics and the ops
 * routes. `/readyz` fails from the moment `close()` begins. Services add their routes and plugins;
 * `main.ts` listens, tests `inject`.
 */
export function createHttpEdge(options: HttpEdgeOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit,
    ...fastifyTimeoutOptions(options.timeouts),
    // Fastify's own 503 while closing is a raw body of its own shape; the hook below answers instead.
    return503OnClosing: false,
    ...options.fastify,
  });
  // First, so every answer (a shed request's included) carries the request id.
  installRequestContext(app, options.metrics);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Requests still arriving on kept-alive connections during the drain (Fastify has already asked
  // for `Connection: close`) are shed with the documented 503; `/readyz` answers that it is shutting down.
  app.addHook('onRequest', async (request) => {
    if (closing && request.routeOptions.url !== '/readyz') {
      throw new AppError('unavailable', 'the server is shutting down', { retryAfterSeconds: 1 });
    }
  });
  installErrorHandlers(app, {
    metrics: options.metrics,
    ...(options.httpStatusOf ? { httpStatusOf: options.httpStatusOf } : {}),
  });
  installOpsRoutes(app, {
    readiness: options.readiness,
    metrics: options.metrics,
    isShuttingDown: () => closing || options.isShuttingDown?.() === true,
  });
  return app;
}
