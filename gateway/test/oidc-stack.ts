import { randomBytes } from 'node:crypto';
import { startDevIdentityProvider } from '@lfusys/commons/dev-identity-provider';
import { type FakeGithub, type FakeGithubAccount, startFakeGithub } from './fake-github.ts';
import { type RunningGateway, startGateway } from './harness.ts';

export interface OidcStack {
  gw: RunningGateway;
  github: FakeGithub;
  close(): Promise<void>;
}

/** Addresses starting with this come back from the dev provider with `email_verified: false`. */
export const UNVERIFIED_PREFIX = 'unverified-';

export function githubAccount(id: number, emails: FakeGithubAccount['emails']): FakeGithubAccount {
  return { id, login: `octo-${id}`, emails };
}

/**
 * A gateway offering four providers: `dev` (the local OIDC provider, oidc-provider), `userinfo`
 * (another one that keeps the email out of the ID token), `github` (the fake of GitHub's OAuth
 * endpoints and emails API) and `down` (an OIDC issuer nobody answers at).
 */
export async function startOidcStack(): Promise<OidcStack> {
  const publicOrigin = 'http://localhost:8080';
  const clientSecret = randomBytes(24).toString('base64url');
  const idp = await startDevIdentityProvider({
    clients: [
      {
        clientId: 'lfusys-gateway',
        clientSecret,
        redirectUris: [`${publicOrigin}/api/v1/auth/oidc/dev/callback`],
      },
    ],
    emailVerified: (email) => !email.startsWith(UNVERIFIED_PREFIX),
  });
  // A second issuer that answers the email only at userinfo (OIDC Core §5.4), as some do.
  const userinfoIdp = await startDevIdentityProvider({
    clients: [
      {
        clientId: 'lfusys-gateway',
        clientSecret,
        redirectUris: [`${publicOrigin}/api/v1/auth/oidc/userinfo/callback`],
      },
    ],
    emailClaims: 'userinfoOnly',
  });
  const github = await startFakeGithub(githubAccount(1, []));
  const gw = await startGateway({
    PUBLIC_ORIGIN: publicOrigin,
    OIDC_PROVIDERS: JSON.stringify([
      { id: 'dev', name: 'Dev sign-in', issuer: idp.issuer, clientId: 'lfusys-gateway', clientSecret },
      { id: 'userinfo', name: 'Userinfo', issuer: userinfoIdp.issuer, clientId: 'lfusys-gateway', clientSecret },
      { id: 'down', name: 'Down', issuer: 'http://127.0.0.1:9', clientId: 'down', clientSecret: 'down' },
    ]),
    ...github.env,
  });
  return {
    gw,
    github,
    close: async () => {
      await gw.close();
      await Promise.all([idp.close(), userinfoIdp.close(), github.close()]);
    },
  };
}
