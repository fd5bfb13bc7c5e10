import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or plain http on a loopback host only (the local dev provider and test fakes). */
export function isSecureOrLoopback(raw: string): boolean {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

const endpoint = (fallback: string) =>
  z.url().default(fallback).refine(isSecureOrLoopback, 'must be an https URL (http only on a loopback host)');

/** Our id of a provider: in URLs and keys, so lowercase letters, digits and dashes (never `#`). */
const PROVIDER_ID = /^[a-z][a-z0-9-]{0,31}$/;
const BUILT_IN_IDS = new Set(['github', 'google']);

const oidcProvider = z.strictObject({
  id: z
    .string()
    .regex(PROVIDER_ID, 'lowercase letters, digits and dashes, starting with a letter, at most 32')
    .refine((id) => !BUILT_IN_IDS.has(id), 'github and google are configured by their own keys'),
  name: z.string().min(1).max(60),
  issuer: z.url().refine(isSecureOrLoopback, 'must be an https URL (http only on a loopback host)'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});

/** OIDC_PROVIDERS: a JSON array of `{id, name, issuer, clientId, clientSecret}`; ids unique. */
const oidcProviders = z
  .string()
  .default('[]')
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {id, name, issuer, clientId, clientSecret}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(oidcProvider)
      .max(20)
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'provider ids must be unique'),
  );

/**
 * The config keys of sign-in with an identity provider (DESIGN.md §9.4). A provider is offered
 * when its client id is set; the pairs are checked by {@link checkProviderPairs}.
 */
export const identityProviderConfigShape = {
  /** GitHub OAuth app (https://github.com/settings/developers); callback `<PUBLIC_ORIGIN>/api/v1/auth/oidc/github/callback`. */
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  /** GitHub's endpoints; only tests point them elsewhere (a local fake). */
  GITHUB_AUTHORIZE_URL: endpoint('https://github.com/login/oauth/authorize'),
  GITHUB_TOKEN_URL: endpoint('https://github.com/login/oauth/access_token'),
  GITHUB_API_URL: endpoint('https://api.github.com'),
  /** Google OAuth client (OIDC, issuer https://accounts.google.com, found by discovery). */
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Any other OIDC issuers (found by discovery), including `dev`, the local provider of `make dev`. */
  OIDC_PROVIDERS: oidcProviders,
};

type ProviderKeys = {
  GITHUB_CLIENT_ID?: string | undefined;
  GITHUB_CLIENT_SECRET?: string | undefined;
  GOOGLE_CLIENT_ID?: string | undefined;
  GOOGLE_CLIENT_SECRET?: string | undefined;
};

/** A client id without its secret (or the reverse) is a half-configured provider: refuse to start. */
export function checkProviderPairs(config: ProviderKeys, ctx: z.RefinementCtx): void {
  for (const [id, secret] of [
    ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
    ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  ] as const) {
    if ((config[id] === undefined) !== (config[secret] === undefined)) {
      const missing = config[id] === undefined ? id : secret;
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `must be set together with ${missing === id ? secret : id}`,
      });
    }
  }
}
