import { AppError, type SessionLiveness } from '@lfusys/commons';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessClaims, AccessTokens } from '../../auth/access-tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AccessClaims | null;
  }
  interface FastifyInstance {
    /** preHandler that requires a valid access-token cookie and sets `request.auth`. */
    requireUser(request: FastifyRequest): Promise<void>;
  }
}

export interface AuthenticateOptions {
  accessTokens: AccessTokens;
  accessCookie: string;
  /** Refuses tokens of ended login sessions (logout, password change, account deletion). */
  liveness: SessionLiveness;
  /**
   * Told of every authenticated request's login session, without waiting: it records the
   * session's last use (throttled there, so not a write per request).
   */
  sessionUsed: (sessionId: string) => Promise<void>;
}

/** Reads the access token from its HttpOnly cookie only: tokens never live where page scripts can read them. */
async function authenticatePlugin(app: FastifyInstance, options: AuthenticateOptions): Promise<void> {
  app.decorateRequest('auth', null);
  app.decorate('requireUser', async (request: FastifyRequest) => {
    const token = request.cookies[options.accessCookie];
    if (!token) throw new AppError('unauthenticated', 'sign in required');
    const claims = await options.accessTokens.verify(token);
    await options.liveness.assertLive(claims.sessionId, claims.userId).catch((err: unknown) => {
      if (AppError.isCode(err, 'unauthenticated')) {
        request.log.info({ userId: claims.userId, sessionId: claims.sessionId }, 'token of an ended session refused');
      }
      throw err;
    });
    request.auth = claims;
    options.sessionUsed(claims.sessionId).catch((err: unknown) => {
      request.log.warn({ err, sessionId: claims.sessionId }, 'session use not recorded');
    });
  });
}

/** The claims of an authenticated request; only call after `requireUser`. */
export function claimsOf(request: FastifyRequest): AccessClaims {
  if (!request.auth) throw new AppError('unauthenticated', 'sign in required');
  return request.auth;
}

export const authenticate = fp(authenticatePlugin, { name: 'lfusys-authenticate', dependencies: ['@fastify/cookie'] });
