import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type Logger,
  REQUEST_ID_HEADER,
  type ReadinessCheck,
  type ServiceMetrics,
  type SessionLiveness,
  TRACE_CONTEXT_HEADERS,
} from '@lfusys/commons';
import { createHttpEdge } from '@lfusys/commons/http';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import type { FastifyInstance } from 'fastify';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { SigningKeyRing } from '../auth/signing-keys.ts';
import type { UploadTokens } from '../auth/upload-tokens.ts';
import type { GatewayConfig } from '../config.ts';
import type { AccountService } from '../domain/account-service.ts';
import type { AuthService } from '../domain/auth-service.ts';
import type { EmailVerificationService } from '../domain/email-verification.ts';
import type { LoginAttemptLimiter } from '../domain/login-attempt-limiter.ts';
import type { LoginSessions } from '../domain/login-sessions.ts';
import type { PasswordResetService } from '../domain/password-reset.ts';
import type { ProviderAccounts } from '../domain/provider-accounts.ts';
import type { ProviderRegistry } from '../oidc/provider-registry.ts';
import { API_PREFIX, cookieNames } from './cookies.ts';
import { stateCookieKey } from './oidc-state-cookie.ts';
import { authenticate } from './plugins/authenticate.ts';
import { CSRF_HEADER, csrf } from './plugins/csrf.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { serveWebApp } from './plugins/web-app.ts';
import { rateLimitRefusal } from './rate-limit-refusal.ts';
import { emailVerificationRoutes } from './routes/auth/email-verification.ts';
import { identityRoutes } from './routes/auth/identities.ts';
import { authRoutes } from './routes/auth/index.ts';
import { oidcRoutes } from './routes/auth/oidc.ts';
import { passwordResetRoutes } from './routes/auth/password-reset.ts';
import { loginSessionRoutes } from './routes/auth/sessions.ts';
import { fileRoutes } from './routes/files/index.ts';
import { uploadRoutes } from './routes/uploads/index.ts';
import { emailChangeRoutes } from './routes/users/email-change.ts';
import { userRoutes } from './routes/users/index.ts';
import { storageOrigin } from './storage-origin.ts';
import { trustProxySetting } from './trusted-proxies.ts';

export interface GatewayDeps {
  logger: Logger;
  auth: AuthService;
  accounts: AccountService;
  /** Sign-in with identity providers: the configured providers and the accounts they reach. */
  identityProviders: ProviderRegistry;
  providerAccounts: ProviderAccounts;
  /** The signed-in devices: list, end one, end the others, record use. */
  loginSessions: LoginSessions;
  verification: EmailVerificationService;
  passwordReset: PasswordResetService;
  /** The per-account login limit, shared by every instance (DynamoDB in production). */
  loginAttempts: LoginAttemptLimiter;
  accessTokens: AccessTokens;
  signingKeys: SigningKeyRing;
  sessions: SessionsClient;
  uploadTokens: UploadTokens;
  /** Whether a token's login session is still live (shared with the services that end sessions). */
  sessionLiveness: SessionLiveness;
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
}

/** Bodies are small JSON documents; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the gateway as a Fastify instance without listening; `main.ts` listens, tests may `inject`. */
export async function buildApp(config: GatewayConfig, deps: GatewayDeps): Promise<FastifyInstance> {
  const app = createHttpEdge({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    bodyLimit: BODY_LIMIT_BYTES,
    timeouts: {
      headersMs: config.HEADERS_TIMEOUT_MS,
      requestMs: config.REQUEST_TIMEOUT_MS,
      idleMs: config.IDLE_TIMEOUT_MS,
    },
    fastify: {
      // request.ip, which every per-IP limit keys on: see trusted-proxies.ts for the rule.
      trustProxy: trustProxySetting(config.TRUSTED_PROXY_CIDRS),
      // Closed schemas reject, never strip; no type coercion, so `{"email": 1}` is a 400.
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onClose', async () => {
    deps.sessions.close();
    // Reset links and notices go out after their answers: let those in flight finish.
    await deps.passwordReset.settled();
  });

  // JSON only: drop Fastify's text/plain parser so any other body type is a 415.
  app.removeContentTypeParser('text/plain');

  const secure = config.COOKIE_SECURE;
  const cookies = cookieNames(secure);
  const origins = [new URL(config.PUBLIC_ORIGIN).origin, ...config.CORS_ORIGINS];

  // The secret signs only cookies set with `signed: true`: the provider sign-in state cookie.
  await app.register(cookie, { secret: stateCookieKey(config.CSRF_SECRET) });
  // The web app sends relay chunks to the uploads workers and direct parts to storage, both maybe on other origins.
  await app.register(securityHeaders, {
    secure,
    connectOrigins: [new URL(config.UPLOADS_PUBLIC_URL).origin, storageOrigin(config)],
  });
  // The headers the web app sends (a JSON body, CSRF, a request id, its trace: docs/tracing.md).
  await app.register(cors, {
    origin: config.CORS_ORIGINS,
    credentials: true,
    allowedHeaders: ['content-type', CSRF_HEADER, REQUEST_ID_HEADER, ...TRACE_CONTEXT_HEADERS],
  });
  // Per-IP limits counted in this process: the local fallback. Behind the ALB each instance counts
  // only its share, so the edge limit in AWS belongs to WAF (docs/security.md, "Rate limits").
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_GLOBAL_PER_MINUTE,
    timeWindow: '1 minute',
    errorResponseBuilder: rateLimitRefusal('global_per_ip'),
  });
  await app.register(csrf, { secret: config.CSRF_SECRET, cookies, secureCookies: secure, allowedOrigins: origins });
  await app.register(authenticate, {
    accessTokens: deps.accessTokens,
    accessCookie: cookies.access,
    liveness: deps.sessionLiveness,
    sessionUsed: (sessionId) => deps.loginSessions.recordUse(sessionId),
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'lfusys gateway', version: '1.0.0', description: 'Accounts, profile, uploads and files.' },
      servers: [{ url: config.PUBLIC_ORIGIN }],
    },
  });
  await app.register(swaggerUi, { routePrefix: `${API_PREFIX}/docs`, staticCSP: true });

  await app.register(
    async (api) => {
      api.get(
        '/.well-known/jwks.json',
        { schema: { tags: ['auth'], summary: 'Public keys that verify our JWTs' } },
        async (_request, reply) => {
          reply.header('cache-control', 'public, max-age=300');
          return deps.signingKeys.jwks;
        },
      );
      await api.register(authRoutes, {
        prefix: '/auth',
        auth: deps.auth,
        accounts: deps.accounts,
        verification: deps.verification,
        accessTokens: deps.accessTokens,
        loginAttempts: deps.loginAttempts,
        cookies,
        secureCookies: secure,
        perIpPerMinute: config.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE,
      });
      await api.register(oidcRoutes, {
        prefix: '/auth',
        providers: deps.identityProviders,
        providerAccounts: deps.providerAccounts,
        auth: deps.auth,
        accessTokens: deps.accessTokens,
        cookies,
        secureCookies: secure,
        publicOrigin: config.PUBLIC_ORIGIN,
        perIpPerMinute: config.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE,
        metrics: deps.metrics,
      });
      await api.register(identityRoutes, {
        prefix: '/auth',
        providers: deps.identityProviders,
        providerAccounts: deps.providerAccounts,
      });
      await api.register(loginSessionRoutes, {
        prefix: '/auth/sessions',
        sessions: deps.loginSessions,
        cookies,
        secureCookies: secure,
        perIpPerMinute: config.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE,
      });
      const perIpPerMinute = config.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE;
      await api.register(emailVerificationRoutes, {
        prefix: '/auth/email',
        verification: deps.verification,
        perIpPerMinute,
      });
      await api.register(passwordResetRoutes, {
        prefix: '/auth/password',
        passwordReset: deps.passwordReset,
        perIpPerMinute,
      });
      await api.register(emailChangeRoutes, {
        prefix: '/users',
        accounts: deps.accounts,
        verification: deps.verification,
      });
      await api.register(userRoutes, { prefix: '/users', accounts: deps.accounts, cookies, secureCookies: secure });
      await api.register(uploadRoutes, {
        prefix: '/uploads',
        sessions: deps.sessions,
        uploadTokens: deps.uploadTokens,
        uploadsPublicUrl: config.UPLOADS_PUBLIC_URL,
        opensPerMinute: config.UPLOADS_OPENS_PER_MINUTE,
        accounts: deps.accounts,
        unverifiedQuotaBytes: config.UNVERIFIED_QUOTA_BYTES,
      });
      await api.register(fileRoutes, { prefix: '/files', sessions: deps.sessions });
    },
    { prefix: API_PREFIX },
  );
  if (config.STATIC_DIR) await serveWebApp(app, config.STATIC_DIR);
  return app;
}
