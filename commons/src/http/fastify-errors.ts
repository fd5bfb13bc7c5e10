import type { FastifyError } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { errorCodeFromHttpStatus } from '../errors/status-tables.ts';

/**
 * Turns anything a route, hook or plugin threw into an AppError. Schema validation failures name
 * the first bad field in `details.field`; errors Fastify and its plugins raise with a 4xx status
 * (body too large, unsupported content type, bad JSON) keep their status through the one table;
 * anything else is `internal`, keeping `cause`.
 */
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
    return new AppError(errorCodeFromHttpStatus(status), fastifyError.message ?? 'bad request', { cause: err });
  }
  return AppError.from(err);
}
