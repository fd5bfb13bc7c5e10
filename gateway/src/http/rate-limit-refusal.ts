import type { errorResponseBuilderContext } from '@fastify/rate-limit';
import { AppError } from '@lfusys/commons';
import type { FastifyRequest } from 'fastify';

/** The in-process per-IP limits, named in the refusal's `details.limit` and in its log line. */
export type PerIpLimit = 'global_per_ip' | 'auth_per_ip';

/**
 * An `errorResponseBuilder` for @fastify/rate-limit: the refusal is our `too_many_requests` error
 * (429 with Retry-After through the one error handler), naming the limit that fired.
 */
export function rateLimitRefusal(limit: PerIpLimit) {
  return (_request: FastifyRequest, context: errorResponseBuilderContext): AppError =>
    new AppError('too_many_requests', `too many requests; retry in ${context.after}`, {
      retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      details: { limit, max: context.max },
    });
}
