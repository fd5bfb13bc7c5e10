import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LoginSessions } from '../../../domain/login-sessions.ts';
import { type CookieNames, clearSessionCookies } from '../../cookies.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { rateLimitRefusal } from '../../rate-limit-refusal.ts';
import { ErrorResponse, errorResponses, IdParams, LoginSessionsResponse, NoContent } from '../../schemas.ts';

export interface LoginSessionRoutesOptions {
  sessions: LoginSessions;
  cookies: CookieNames;
  secureCookies: boolean;
  /** The same in-process per-IP limit as register, login and refresh. */
  perIpPerMinute: number;
}

/**
 * The signed-in devices (DESIGN.md §9.4): list them, end one, end all but this one. Every route
 * needs the access cookie; the unsafe ones pass the CSRF check like every other unsafe route.
 */
export const loginSessionRoutes: FastifyPluginAsyncTypebox<LoginSessionRoutesOptions> = async (app, options) => {
  const { sessions, cookies, secureCookies } = options;
  app.addHook('preHandler', app.requireUser);
  const config = {
    rateLimit: {
      max: options.perIpPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: rateLimitRefusal('auth_per_ip'),
    },
  };

  app.get(
    '/',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Your signed-in devices: every live login session, the current one marked',
        response: { 200: LoginSessionsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { userId, sessionId } = claimsOf(request);
      return { sessions: await sessions.list(userId, sessionId) };
    },
  );

  app.delete(
    '/:id',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'End one of your sessions; ending the current one signs this browser out',
        params: IdParams,
        response: { 204: NoContent, 404: ErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = claimsOf(request);
      const { endedCurrent } = await sessions.end(userId, request.params.id, sessionId);
      if (endedCurrent) clearSessionCookies(reply, cookies, secureCookies);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/end-others',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere else: end every session but this one',
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = claimsOf(request);
      await sessions.endOthers(userId, sessionId);
      return reply.status(204).send(null);
    },
  );
};
