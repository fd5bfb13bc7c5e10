import { describe, expect, it } from 'vitest';
import { authErrorMessage, providerStartUrl } from './identities.ts';

describe('provider sign-in helpers', () => {
  it('builds the start URL with the provider and returnTo encoded', () => {
    expect(providerStartUrl('dev', '/files?sort=new&x=1')).toBe(
      '/api/v1/auth/oidc/dev/start?returnTo=%2Ffiles%3Fsort%3Dnew%26x%3D1',
    );
  });

  it('explains every authError the gateway sends, and anything else generically', () => {
    const reasons = [
      'state_mismatch',
      'access_denied',
      'provider_error',
      'code_rejected',
      'id_token_invalid',
      'email_unverified',
      'account_exists',
      'provider_unavailable',
    ];
    const generic = authErrorMessage('something_new');
    expect(generic).toBe('Signing in did not work. Please try again.');
    for (const reason of reasons) expect(authErrorMessage(reason)).not.toBe(generic);
    // The query string is never shown: a crafted authError cannot put text on the page.
    expect(authErrorMessage('<img src=x onerror=alert(1)>')).toBe(generic);
  });
});
