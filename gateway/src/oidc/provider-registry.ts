import { AppError } from '@lfusys/commons';
import { GithubIdentityProvider } from './github-identity-provider.ts';
import type { IdentityProvider } from './identity-provider.ts';
import { OidcIdentityProvider, type OidcProviderSettings } from './oidc-identity-provider.ts';

/** The config keys the registry reads (see provider-config.ts). */
export interface ProviderRegistryConfig {
  GITHUB_CLIENT_ID?: string | undefined;
  GITHUB_CLIENT_SECRET?: string | undefined;
  GITHUB_AUTHORIZE_URL: string;
  GITHUB_TOKEN_URL: string;
  GITHUB_API_URL: string;
  GOOGLE_CLIENT_ID?: string | undefined;
  GOOGLE_CLIENT_SECRET?: string | undefined;
  OIDC_PROVIDERS: readonly OidcProviderSettings[];
}

/** The identity providers this deployment offers, in the order the sign-in page shows them. */
export class ProviderRegistry {
  private readonly byId: ReadonlyMap<string, IdentityProvider>;

  constructor(providers: readonly IdentityProvider[]) {
    this.byId = new Map(providers.map((p) => [p.id, p]));
  }

  static fromConfig(config: ProviderRegistryConfig): ProviderRegistry {
    const providers: IdentityProvider[] = [];
    if (config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET) {
      providers.push(
        new GithubIdentityProvider({
          clientId: config.GITHUB_CLIENT_ID,
          clientSecret: config.GITHUB_CLIENT_SECRET,
          authorizeUrl: config.GITHUB_AUTHORIZE_URL,
          tokenUrl: config.GITHUB_TOKEN_URL,
          apiUrl: config.GITHUB_API_URL,
        }),
      );
    }
    if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
      providers.push(
        new OidcIdentityProvider({
          id: 'google',
          name: 'Google',
          issuer: 'https://accounts.google.com',
          clientId: config.GOOGLE_CLIENT_ID,
          clientSecret: config.GOOGLE_CLIENT_SECRET,
        }),
      );
    }
    for (const settings of config.OIDC_PROVIDERS) providers.push(new OidcIdentityProvider(settings));
    return new ProviderRegistry(providers);
  }

  list(): { id: string; name: string }[] {
    return [...this.byId.values()].map(({ id, name }) => ({ id, name }));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** `not_found` for a provider this deployment does not offer. */
  get(id: string): IdentityProvider {
    const provider = this.byId.get(id);
    if (!provider) throw new AppError('not_found', 'no such identity provider');
    return provider;
  }
}
