import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HTTP_STATUS, type ServiceMetrics } from '@lfusys/commons';
import { toAppError } from '@lfusys/commons/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { AuthService } from '../../../domain/auth-service.ts';
import type { ProviderAccounts } from '../../../domain/provider-accounts.ts';
import type { ProviderRegistry } from '../../../oidc/provider-registry.ts';
import { signInError, signInReasonOf } from '../../../oidc/sign-in-error.ts';
import { API_PREFIX } from '../../cookies.ts';
import { OidcStateCookie, safeReturnTo, sameState } from '../../oidc-state-cookie.ts';
import { rateLimitRefusal } from '../../rate-limit-refusal.ts';
import { type SessionCookieSettings, setSessionCookies } from '../../session-cookies.ts';
import { CallbackQuery, errorResponsesFor, ProviderParams, ProvidersResponse, StartQuery } from './oidc-schemas.ts';

export interface OidcRoutesOptions extends SessionCookieSettings {
  providers: ProviderRegistry;
  providerAccounts: ProviderAccounts;
  auth: AuthService;
  /** The app's origin: redirect URIs are built on it and `returnTo` must stay on it. */
  publicOrigin: string;
  perIpPerMinute: number;
  metrics: ServiceMetrics;
}

/**
 * Sign-in with an identity provider (DESIGN.md §9.4; docs/security.md has the sequence): `start`
 * sends the browser to the provider with an authorization-code request (PKCE S256, state, nonce)
 * whose secrets wait in a short-lived cookie; `callback` checks them, signs in and goes back to
 * the app. A failed callback never answers JSON to the browser: it goes to `/?authError=<reason>`.
 */
export const oidcRoutes: FastifyPluginAsyncTypebox<OidcRoutesOptions> = async (app, options) => {
  const { providers, providerAccounts, auth, publicOrigin } = options;
  const stateCookie = new OidcStateCookie(options.secureCookies);
  const perIp = {
    rateLimit: {
      max: options.perIpPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: rateLimitRefusal('auth_per_ip'),
    },
  };
  const redirectUri = (provider: string) => new URL(`${API_PREFIX}/auth/oidc/${provider}/callback`, publicOrigin).href;

  /** The one place a failed sign-in is logged and counted (like the error handler does for JSON answers). */
  function failed(request: FastifyRequest, reply: FastifyReply, provider: string, err: unknown): FastifyReply {
    const appError = toAppError(err);
    const reason = signInReasonOf(appError);
    options.metrics.errors.inc({ code: appError.code });
    const fields = { code: appError.code, reason, provider };
    if (HTTP_STATUS[appError.code] >= 500) {
      request.log.error({ err: appError.cause ?? appError, ...fields }, 'provider sign-in failed');
    } else {
      request.log.info({ ...fields, detail: appError.message }, 'provider sign-in refused');
    }
    return reply.redirect(`/?authError=${encodeURIComponent(reason)}`, 302);
  }

  app.get(
    '/providers',
    {
      schema: {
        tags: ['auth'],
        summary: 'The identity providers this deployment offers for "Sign in with …"',
        response: { 200: ProvidersResponse },
      },
    },
    async () => ({ providers: providers.list() }),
  );

  app.get(
    '/oidc/:provider/start',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Start signing in with a provider: 302 to its authorization endpoint',
        params: ProviderParams,
        querystring: StartQuery,
        response: errorResponsesFor(404),
      },
    },
    async (request, reply) => {
      const provider = providers.get(request.params.provider);
      const pending = {
        provider: provider.id,
        returnTo: safeReturnTo(request.query.returnTo, publicOrigin),
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      try {
        const url = await provider.authorizationUrl(redirectUri(provider.id), pending);
        stateCookie.set(reply, pending);
        return reply.redirect(url.href, 302);
      } catch (err) {
        return failed(request, reply, provider.id, err);
      }
    },
  );

  app.get(
    '/oidc/:provider/callback',
    {
      config: perIp,
      // The query holds the authorization code and state: the request log gets the path only.
      logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0] }) },
      schema: {
        tags: ['auth'],
        summary: 'Where the provider returns: signs in, then 302 to returnTo (or to /?authError=<reason>)',
        params: ProviderParams,
        querystring: CallbackQuery,
        response: errorResponsesFor(404),
      },
    },
    async (request, reply) => {
      const provider = providers.get(request.params.provider);
      const pending = stateCookie.read(request);
      // One attempt per cookie, whatever happens next.
      stateCookie.clear(reply);
      try {
        if (!pending || pending.provider !== provider.id || !sameState(request.query.state, pending.state)) {
          throw signInError('state_mismatch', 'the sign-in did not start in this browser, or it expired; try again');
        }
        const callbackUrl = new URL(redirectUri(provider.id));
        callbackUrl.search = new URL(request.url, publicOrigin).search;
        const profile = await provider.complete(callbackUrl, pending);
        const user = await providerAccounts.signIn(provider.id, profile);
        await setSessionCookies(
          reply,
          options,
          await auth.startSession(user, { userAgent: request.headers['user-agent'] }),
        );
        request.log.info({ provider: provider.id, userId: user.id }, 'signed in with provider');
        return reply.redirect(pending.returnTo, 302);
      } catch (err) {
        return failed(request, reply, provider.id, err);
      }
    },
  );
};
