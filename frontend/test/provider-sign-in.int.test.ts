import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningDevIdentityProvider, startDevIdentityProvider } from '@lfusys/commons/dev-identity-provider';
import { freePort } from '@lfusys/commons/local-aws';
import type {} from '@lfusys/commons/vitest-global-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, startAppUnderTest } from './app-under-test.ts';

/** Screenshots of the main screens, refreshed by every run (README: "Screenshots"). */
const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots', import.meta.url));

let app: AppUnderTest;
let idp: RunningDevIdentityProvider;

beforeAll(async () => {
  const port = await freePort();
  const clientSecret = randomBytes(24).toString('base64url');
  idp = await startDevIdentityProvider({
    clients: [
      {
        clientId: 'lfusys-browser',
        clientSecret,
        redirectUris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/dev/callback`],
      },
    ],
  });
  const providers = [{ id: 'dev', name: 'Dev sign-in', issuer: idp.issuer, clientId: 'lfusys-browser', clientSecret }];
  app = await startAppUnderTest(inject('awsEndpoint'), { gateway: { OIDC_PROVIDERS: JSON.stringify(providers) } }, 1, {
    gatewayPort: port,
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await idp?.close();
});

describe('sign-in with the dev provider in a real browser', () => {
  it('signs in with an email on the provider page, lands on the files, and shows the linked identity', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1200, height: 800 } });
    const email = `browser-oidc-${randomUUID()}@example.com`;
    await page.goto(`${app.stack.gatewayBase}/`);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-providers.png'), fullPage: true });
    await page.getByRole('link', { name: 'Sign in with Dev sign-in' }).click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.screenshot({ path: join(SCREENSHOTS, 'dev-provider.png'), fullPage: true });
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/files`);
    await page.getByText('No files yet').waitFor();

    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByText(`Signed in as ${email}`).waitFor();
    const identities = page.getByRole('region', { name: 'Linked sign-in providers' });
    await identities.getByText('Dev sign-in').waitFor();
    await identities.getByRole('button', { name: 'Unlink Dev sign-in' }).click();
    await identities.getByRole('alert').getByText('only way to sign in').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'profile-linked-providers.png'), fullPage: true });
    await page.close();
  });

  it('says why when the user cancels at the provider, and stays signed out', async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.stack.gatewayBase}/`);
    await page.getByRole('link', { name: 'Sign in with Dev sign-in' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/?authError=access_denied`);
    await page.getByRole('alert').getByText('Sign-in was cancelled.').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-provider-error.png'), fullPage: true });
    expect(await page.getByRole('form', { name: 'Sign in' }).isVisible()).toBe(true);
    await page.close();
  });
});
