import * as client from 'openid-client';
import type { AuthorizationChecks, IdentityProvider, ProviderProfile } from './identity-provider.ts';
import { providerFailure, signInError } from './sign-in-error.ts';

export interface GithubProviderSettings {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** REST API base, e.g. https://api.github.com. */
  apiUrl: string;
}

interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub's OAuth 2.0 apps (not OIDC: no ID token). The identity is the numeric user id from
 * `GET /user`; the email is the primary address of `GET /user/emails`, and only if GitHub marks
 * it verified (https://docs.github.com/en/rest/users/emails).
 */
export class GithubIdentityProvider implements IdentityProvider {
  readonly id = 'github';
  readonly name = 'GitHub';
  private readonly config: client.Configuration;

  constructor(private readonly settings: GithubProviderSettings) {
    this.config = new client.Configuration(
      {
        issuer: 'https://github.com',
        authorization_endpoint: settings.authorizeUrl,
        token_endpoint: settings.tokenUrl,
      },
      settings.clientId,
      undefined,
      client.ClientSecretPost(settings.clientSecret),
    );
    // Only a test fake on loopback is plain http (config.ts refuses http elsewhere).
    if (settings.tokenUrl.startsWith('http:')) client.allowInsecureRequests(this.config);
  }

  async authorizationUrl(redirectUri: string, checks: AuthorizationChecks): Promise<URL> {
    return client.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      scope: 'read:user user:email',
      state: checks.state,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callbackUrl: URL, checks: AuthorizationChecks): Promise<ProviderProfile> {
    try {
      const tokens = await client.authorizationCodeGrant(this.config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
      });
      const user = (await this.api(tokens.access_token, '/user')) as { id?: unknown; name?: unknown; login?: unknown };
      const emails = (await this.api(tokens.access_token, '/user/emails')) as GithubEmail[];
      if (typeof user.id !== 'number' || !Array.isArray(emails)) {
        throw signInError('provider_error', 'GitHub answered an unexpected user or emails document');
      }
      const primary = emails.find((e) => e.primary === true);
      return {
        subject: String(user.id),
        email: typeof primary?.email === 'string' ? primary.email : '',
        emailVerified: primary?.verified === true,
        name: typeof user.name === 'string' ? user.name : typeof user.login === 'string' ? user.login : '',
      };
    } catch (err) {
      throw providerFailure(this.id, err);
    }
  }

  private async api(accessToken: string, path: string): Promise<unknown> {
    const headers = new Headers({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
    const response = await client.fetchProtectedResource(
      this.config,
      accessToken,
      new URL(`${this.settings.apiUrl.replace(/\/$/, '')}${path}`),
      'GET',
      undefined,
      headers,
    );
    if (!response.ok) throw signInError('provider_error', `GitHub answered ${response.status} for ${path}`);
    return response.json().catch((err: unknown) => {
      throw signInError('provider_error', `GitHub answered ${path} with something other than JSON`, err);
    });
  }
}
