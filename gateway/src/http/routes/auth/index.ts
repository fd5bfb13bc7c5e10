import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@lfusys/commons';
import type { AccessTokens } from '../../../auth/access-tokens.ts';
import type { AccountService } from '../../../domain/account-service.ts';
import type { AuthService } from '../../../domain/auth-service.ts';
import type { EmailVerificationService } from '../../../domain/email-verification.ts';
import type { LoginAttemptLimiter } from '../../../domain/login-attempt-limiter.ts';
import { toPublicUser } from '../../../domain/user.ts';
import { type CookieNames, clearSessionCookies } from '../../cookies.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { rateLimitRefusal } from '../../rate-limit-refusal.ts';
import { CsrfResponse, errorResponses, LoginBody, NoContent, RegisterBody, UserResponse } from '../../schemas.ts';
import { setSessionCookies } from '../../session-cookies.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  accounts: AccountService;
  /** Mails the verification link after register. */
  verification: EmailVerificationService;
  accessTokens: AccessTokens;
  loginAttempts: LoginAttemptLimiter;
  cookies: CookieNames;
  secureCookies: boolean;
  /** In-process limit per client IP on register, login and refresh (the local fallback to WAF). */
  perIpPerMinute: number;
}

/** Register, login, refresh, logout, me and the CSRF token (DESIGN.md §3, §5). */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { auth, loginAttempts, cookies, secureCookies } = options;
  const perIp = {
    rateLimit: {
      max: options.perIpPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: rateLimitRefusal('auth_per_ip'),
    },
  };

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
      // The account exists either way; a lost mail is re-sent from the web app's banner.
      await options.verification.send(user).catch((err: unknown) => {
        request.log.error({ err, userId: user.id }, 'verification mail failed');
      });
      return reply.status(201).send({ user: toPublicUser(user) });
    },
  );

  app.post(
    '/login',
    {
      config: perIp,
      // Counted per account whatever the IP, after the per-IP limit and body validation and
      // before any password work, in storage every gateway instance shares.
      preHandler: async (request) => loginAttempts.recordAttempt(request.body.email),
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the access, refresh and CSRF cookies',
        body: LoginBody,
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await auth.login(request.body, { userAgent: request.headers['user-agent'] });
      await setSessionCookies(reply, options, session);
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
        await setSessionCookies(reply, options, session);
        return { user: toPublicUser(session.user) };
      } catch (err) {
        if (AppError.isCode(err, 'unauthenticated')) clearSessionCookies(reply, cookies, secureCookies);
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
      clearSessionCookies(reply, cookies, secureCookies);
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
