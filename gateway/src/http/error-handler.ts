import { AppError, type ErrorCode, HTTP_STATUS, type ServiceMetrics } from '@lfusys/commons';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Status codes Fastify and its plugins raise themselves, mapped into our closed error codes. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'invalid_argument',
  408: 'deadline_exceeded',
  409: 'aborted',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'resource_exhausted',
  503: 'unavailable',
};

/** Turns anything a route or plugin threw into an AppError; unknown failures become `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fastifyError = err as Partial<FastifyError>;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : undefined;
    return new AppError('invalid_argument', fastifyError.message ?? 'invalid request', {
      cause: err,
      ...(field ? { details: { field } } : {}),
    });
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(CODE_FOR_STATUS[status] ?? 'invalid_argument', fastifyError.message ?? 'bad request', {
      cause: err,
    });
  }
  return AppError.from(err);
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: Record<string, unknown> };
}

/**
 * The one error handler: logs each failure once (5xx as errors with the cause, 4xx at info),
 * answers with the documented shape, and never shows internal detail for 5xx.
 */
export function installErrorHandler(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(err);
    const status = HTTP_STATUS[appError.code];
    metrics.errors.inc({ code: appError.code });
    const internal = status >= 500;
    // `details` names the limit that fired on a refusal (`details.limit`), so it is logged too.
    const fields = { code: appError.code, ...(appError.details ? { details: appError.details } : {}) };
    if (internal) request.log.error({ err: appError.cause ?? appError, ...fields }, 'request failed');
    else request.log.info({ ...fields, reason: appError.message }, 'request rejected');
    if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(appError.retryAfterSeconds));
    const body: ErrorBody = {
      error: {
        code: appError.code,
        message: internal && appError.code === 'internal' ? 'internal error' : appError.message,
        requestId: request.id,
        ...(appError.details && !internal ? { details: appError.details } : {}),
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
    return reply.status(404).send(body);
  });
}
