import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError, ErrorCode } from '../errors/app-error.ts';
import { HTTP_STATUS } from '../errors/status-tables.ts';
import type { ServiceMetrics } from '../ops/metrics.ts';
import { toAppError } from './fastify-errors.ts';

/** The documented error body (DESIGN.md §3). `details` only on 4xx; 5xx never carry internal detail. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: Record<string, unknown> };
}

export interface ErrorHandlerOptions {
  metrics: ServiceMetrics;
  /** A service's exception to HTTP_STATUS for one of its own errors; `undefined` keeps the table's. */
  httpStatusOf?: (error: AppError) => number | undefined;
}

function logFailure(request: FastifyRequest, error: AppError, status: number): void {
  // `details` names the limit that fired on a refusal (`details.limit`), so it is logged too.
  const fields = { code: error.code, ...(error.details ? { details: error.details } : {}) };
  if (status >= 500) request.log.error({ err: error.cause ?? error, ...fields }, 'request failed');
  // A limit that fired is worth an operator's eye (abuse, or a limit set too low); other 4xx are routine.
  else if (error.details?.limit !== undefined)
    request.log.warn({ ...fields, reason: error.message }, 'request rejected');
  else request.log.info({ ...fields, reason: error.message }, 'request rejected');
}

/**
 * The one error handler and not-found handler: logs each failure once (5xx as errors with the
 * cause, 4xx at info, refusals by a limit at warn), answers with the documented shape and
 * `Retry-After` when the error carries one, and never shows internal detail for 5xx.
 */
export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = toAppError(err);
    const status = options.httpStatusOf?.(error) ?? HTTP_STATUS[error.code];
    options.metrics.errors.inc({ code: error.code });
    logFailure(request, error, status);
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    // Stop reading a rejected body: the client learns at once instead of sending the rest, and a
    // refused slow body gives its connection back.
    if (request.raw.complete === false) reply.header('connection', 'close');
    const internal = status >= 500;
    const body: ErrorBody = {
      error: {
        code: error.code,
        message: internal && error.code === 'internal' ? 'internal error' : error.message,
        requestId: request.id,
        ...(error.details && !internal ? { details: error.details } : {}),
      },
    };
    return reply.status(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: {
        code: 'not_found',
        message: `no route for ${request.method} ${request.url.split('?')[0]}`,
        requestId: request.id,
      },
    };
    return reply.status(HTTP_STATUS.not_found).type('application/json; charset=utf-8').send(body);
  });
}
