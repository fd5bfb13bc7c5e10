import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@lfusys/commons';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTokens } from '../../../auth/access-tokens.ts';
import type { AccountService } from '../../../domain/account-service.ts';
import type { AuthService, IssuedSession } from '../../../domain/auth-service.ts';
import { toPublicUser } from '../../../domain/user.ts';
import { type CookieNames, cookieOptions } from '../../cookies.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { CsrfResponse, errorResponses, LoginBody, NoContent, RegisterBody, UserResponse } from '../../schemas.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  accounts: AccountService;
  accessTokens: AccessTokens;
  cookies: CookieNames;
  secureCookies: boolean;
  limits: { perIpPerMinute: number; loginPerAccountPer15Minutes: number };
}

/** Register, login, refresh, logout, me and the CSRF token (DESIGN.md §3, §5). */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { auth, accessTokens, cookies, secureCookies, limits } = options;
  const perIp = { rateLimit: { max: limits.perIpPerMinute, timeWindow: '1 minute' } };

  // Counted per account whatever the IP, so a botnet cannot spread guesses for one victim. A
  // separate limiter (not a second route hook: the plugin runs one hook per request).
  const checkAccount = app.createRateLimit({
    max: limits.loginPerAccountPer15Minutes,
    timeWindow: 15 * 60_000,
    keyGenerator: (request: FastifyRequest) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      return `login:${typeof email === 'string' ? email.normalize('NFC').trim().toLowerCase() : ''}`;
    },
  });
  const perAccount = async (request: FastifyRequest) => {
    const result = await checkAccount(request);
    if (!result.isAllowed && result.isExceeded) {
      throw new AppError('resource_exhausted', 'too many sign-in attempts for this account; try again later', {
        retryAfterSeconds: Math.max(1, result.ttlInSeconds),
      });
    }
  };

  async function setSessionCookies(reply: FastifyReply, session: IssuedSession): Promise<void> {
    const access = await accessTokens.issue({ userId: session.user.id, sessionId: session.familyId });
    const now = Math.floor(Date.now() / 1000);
    reply.setCookie(cookies.access, access.token, cookieOptions(secureCookies, 'access', access.expiresAt - now));
    reply.setCookie(
      cookies.refresh,
      session.refreshToken,
      cookieOptions(secureCookies, 'refresh', session.expiresAt - now),
    );
  }

  function clearSessionCookies(reply: FastifyReply): void {
    reply.clearCookie(cookies.access, cookieOptions(secureCookies, 'access'));
    reply.clearCookie(cookies.refresh, cookieOptions(secureCookies, 'refresh'));
  }

  app.get(
    '/csrf',
    {
      schema: {
        tags: ['auth'],
        summary: 'Issue a CSRF token (cookie + body) for unsafe requests',
        response: { 200: CsrfResponse },
      },
    },
    async (_request, reply) => ({ csrfToken: reply.issueCsrfToken() }),
  );

  app.post(
    '/register',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        body: RegisterBody,
        response: { 201: UserResponse, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await auth.register(request.body);
      return reply.status(201).send({ user: toPublicUser(user) });
    },
  );

  app.post(
    '/login',
    {
      config: perIp,
      preHandler: perAccount,
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the access, refresh and CSRF cookies',
        body: LoginBody,
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await auth.login(request.body);
      await setSessionCookies(reply, session);
      return { user: toPublicUser(session.user) };
    },
  );

  app.post(
    '/refresh',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token and issue a new access token',
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = request.cookies[cookies.refresh];
      if (!token) throw new AppError('unauthenticated', 'no session; sign in');
      try {
        const session = await auth.refresh(token);
        await setSessionCookies(reply, session);
        return { user: toPublicUser(session.user) };
      } catch (err) {
        if (AppError.isCode(err, 'unauthenticated')) clearSessionCookies(reply);
        throw err;
      }
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End this session server-side and clear its cookies',
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = request.cookies[cookies.refresh];
      if (token) await auth.logout(token);
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: UserResponse, 401: errorResponses[401] },
      },
    },
    async (request) => {
      const { userId } = claimsOf(request);
      return { user: toPublicUser(await options.accounts.get(userId)) };
    },
  );
};
