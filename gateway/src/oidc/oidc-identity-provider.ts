import * as client from 'openid-client';
import type { AuthorizationChecks, IdentityProvider, ProviderProfile } from './identity-provider.ts';
import { providerFailure, signInError } from './sign-in-error.ts';

export interface OidcProviderSettings {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Seconds each call to the provider (discovery, token, JWKS, userinfo) may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * An OpenID Connect provider found by discovery (Google, the local `dev` provider, any issuer in
 * OIDC_PROVIDERS). openid-client verifies the ID token: signature against the issuer's JWKS,
 * `iss`, `aud`, `exp`, and the `nonce` we sent (OIDC Core §3.1.3.7).
 */
export class OidcIdentityProvider implements IdentityProvider {
  readonly id: string;
  readonly name: string;
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: OidcProviderSettings) {
    this.id = settings.id;
    this.name = settings.name;
  }

  async authorizationUrl(redirectUri: string, checks: AuthorizationChecks): Promise<URL> {
    return client.buildAuthorizationUrl(await this.configuration(), {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callbackUrl: URL, checks: AuthorizationChecks): Promise<ProviderProfile> {
    const config = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw signInError('id_token_invalid', `${this.id} sent no ID token`);
      // Providers may leave email out of the ID token and answer it at userinfo (OIDC Core §5.3).
      const claims =
        typeof idToken.email === 'string'
          ? idToken
          : await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
      return {
        subject: idToken.sub,
        email: typeof claims.email === 'string' ? claims.email : '',
        // Only a JSON `true` counts: a missing or string-valued claim is not a verification.
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : '',
      };
    } catch (err) {
      throw providerFailure(this.id, err);
    }
  }

  /** Discovery runs on first use and is cached; a failed attempt is forgotten so the next one retries. */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        undefined,
        client.ClientSecretPost(this.settings.clientSecret),
        {
          timeout: PROVIDER_TIMEOUT_SECONDS,
          // Plain http only for a loopback issuer: config.ts allows nothing else.
          execute: new URL(this.settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
        },
      )
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw signInError('provider_unavailable', `${this.id} could not be reached`, err);
      });
    return this.discovered;
  }
}
