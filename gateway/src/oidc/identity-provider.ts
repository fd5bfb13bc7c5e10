/** What a provider tells us about the account that signed in. */
export interface ProviderProfile {
  /** The provider's stable id for the account (never the email, which can change hands). */
  subject: string;
  email: string;
  /** Only a provider-verified email may create or link an account. */
  emailVerified: boolean;
  name: string;
}

/** The per-sign-in secrets kept in the browser's state cookie between start and callback. */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** One configured provider: builds the authorization request and completes the callback. */
export interface IdentityProvider {
  readonly id: string;
  readonly name: string;
  /** The provider's authorization URL: authorization code with PKCE (S256), state and (OIDC) nonce. */
  authorizationUrl(redirectUri: string, checks: AuthorizationChecks): Promise<URL>;
  /**
   * Exchanges the code in `callbackUrl` (our redirect URI plus the provider's query) after the
   * state check, verifies what came back, and returns the profile; failures are sign-in errors.
   */
  complete(callbackUrl: URL, checks: AuthorizationChecks): Promise<ProviderProfile>;
}
