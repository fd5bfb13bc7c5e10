import { ConfigError, loadConfig } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../config.ts';
import { isSecureOrLoopback } from './provider-config.ts';

const base = {
  JWT_PRIVATE_KEYS: JSON.stringify([{ kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd' }]),
  SESSIONS_CALLER_KEY: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd', kid: 'k' }),
  CSRF_SECRET: 'c'.repeat(32),
};
const provider = {
  id: 'okta',
  name: 'Okta',
  issuer: 'https://example.okta.com',
  clientId: 'id',
  clientSecret: 'secret',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(gatewayConfigSchema, { ...base, ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

describe('identity provider config', () => {
  it('offers nothing by default, and accepts GitHub, Google and OIDC issuers when fully configured', () => {
    expect(loadConfig(gatewayConfigSchema, base).OIDC_PROVIDERS).toEqual([]);
    const env = {
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      OIDC_PROVIDERS: JSON.stringify([provider, { ...provider, id: 'dev', issuer: 'http://127.0.0.1:8090' }]),
    };
    expect(problems(env)).toEqual([]);
  });

  it('refuses a client id without its secret and the reverse, naming the missing key', () => {
    expect(problems({ GITHUB_CLIENT_ID: 'gh' })).toEqual([
      'GITHUB_CLIENT_SECRET: must be set together with GITHUB_CLIENT_ID',
    ]);
    expect(problems({ GOOGLE_CLIENT_SECRET: 's' })).toEqual([
      'GOOGLE_CLIENT_ID: must be set together with GOOGLE_CLIENT_SECRET',
    ]);
  });

  it('lists every bad OIDC provider field at once', () => {
    const bad = [
      { ...provider, id: 'google' },
      { ...provider, id: 'Has#Hash', issuer: 'http://idp.example' },
      { ...provider, extra: true },
      provider,
    ];
    const found = problems({ OIDC_PROVIDERS: JSON.stringify(bad) });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_PROVIDERS\.0\.id: github and google/),
        expect.stringMatching(/^OIDC_PROVIDERS\.1\.id: lowercase/),
        expect.stringMatching(/^OIDC_PROVIDERS\.1\.issuer: must be an https URL/),
        expect.stringMatching(/^OIDC_PROVIDERS\.2: Unrecognized key/),
      ]),
    );
    expect(problems({ OIDC_PROVIDERS: JSON.stringify([provider, provider]) })).toEqual([
      'OIDC_PROVIDERS: provider ids must be unique',
    ]);
    expect(problems({ OIDC_PROVIDERS: '{not json' })[0]).toMatch(/^OIDC_PROVIDERS: must be a JSON array/);
  });

  it('accepts plain http only on loopback hosts', () => {
    expect(isSecureOrLoopback('https://accounts.google.com')).toBe(true);
    for (const url of ['http://127.0.0.1:8090', 'http://localhost:1', 'http://[::1]:2'])
      expect(isSecureOrLoopback(url)).toBe(true);
    for (const url of ['http://idp.example', 'http://127.0.0.1.nip.io', 'ftp://127.0.0.1', 'not a url']) {
      expect(isSecureOrLoopback(url)).toBe(false);
    }
    expect(problems({ GITHUB_TOKEN_URL: 'http://github.example/token' })).toEqual([
      'GITHUB_TOKEN_URL: must be an https URL (http only on a loopback host)',
    ]);
  });
});
