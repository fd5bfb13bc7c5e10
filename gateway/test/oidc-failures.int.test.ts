import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, extraApp } from './edge-helpers.ts';
import { newCredentials, TestClient } from './harness.ts';
import { githubAccount, type OidcStack, startOidcStack, UNVERIFIED_PREFIX } from './oidc-stack.ts';
import { type Navigation, ProviderBrowser } from './provider-browser.ts';

let stack: OidcStack;
beforeAll(async () => {
  stack = await startOidcStack();
});
afterAll(() => stack?.close());

const email = () => `oidc-${randomUUID()}@example.com`;
const STATE_COOKIE = 'lfusys-oidc';

/** The sign-in failed with `reason`, cleared its state cookie and left the browser signed out. */
async function expectRefused(browser: ProviderBrowser, done: Navigation, reason: string): Promise<void> {
  expect(done.status).toBe(302);
  expect(done.location).toBe(`/?authError=${reason}`);
  expect(done.setCookies.some((c) => c.startsWith('lfusys-access='))).toBe(false);
  expect(done.setCookies.some((c) => c.startsWith('lfusys-refresh='))).toBe(false);
  expect(browser.gateway.cookies.has(STATE_COOKIE)).toBe(false);
  expect((await browser.gateway.get('/auth/me')).status).toBe(401);
}

/** Re-signs the browser's state cookie with one check changed, as only someone holding our key could. */
function forgeStateCookie(browser: ProviderBrowser, change: Record<string, string>): void {
  const raw = decodeURIComponent(browser.gateway.cookies.get(STATE_COOKIE) ?? '');
  const unsigned = stack.gw.app.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) throw new Error('no valid state cookie');
  const pending = { ...JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')), ...change };
  const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
  browser.gateway.cookies.set(STATE_COOKIE, encodeURIComponent(stack.gw.app.signCookie(value)));
}

describe('GET /auth/oidc/:provider/callback refuses, with no session', () => {
  it('a callback without the state cookie (another browser, or an attacker’s link): state_mismatch', async () => {
    const callback = await new ProviderBrowser(stack.gw).authorize('dev', email());
    const victim = new ProviderBrowser(stack.gw);
    await expectRefused(victim, await victim.visit(callback.href), 'state_mismatch');
  });

  it('a state parameter other than the cookie’s: state_mismatch', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    callback.searchParams.set('state', 'x'.repeat(43));
    await expectRefused(browser, await browser.visit(callback.href), 'state_mismatch');
  });

  it('a malformed callback (the right state twice, no code): state_mismatch, not a JSON page', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    const state = callback.searchParams.get('state') ?? '';
    callback.search = `?state=${state}&state=${state}`;
    await expectRefused(browser, await browser.visit(callback.href), 'state_mismatch');
  });

  it('a state cookie altered without our key: state_mismatch', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    const [payload = ''] = decodeURIComponent(browser.gateway.cookies.get(STATE_COOKIE) ?? '').split('.');
    browser.gateway.cookies.set(STATE_COOKIE, `${payload}.forged`);
    await expectRefused(browser, await browser.visit(callback.href), 'state_mismatch');
  });

  it('a replayed code, even with the original state cookie: code_rejected', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    const cookie = browser.gateway.cookies.get(STATE_COOKIE) ?? '';
    expect((await browser.visit(callback.href)).location).toBe('/');
    const attacker = new ProviderBrowser(stack.gw);
    attacker.gateway.cookies.set(STATE_COOKIE, cookie);
    await expectRefused(attacker, await attacker.visit(callback.href), 'code_rejected');
  });

  it('a PKCE verifier that does not match the challenge: code_rejected', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    forgeStateCookie(browser, { codeVerifier: 'v'.repeat(43) });
    await expectRefused(browser, await browser.visit(callback.href), 'code_rejected');
  });

  it('an ID token whose nonce is not the one we sent: id_token_invalid', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email());
    forgeStateCookie(browser, { nonce: 'n'.repeat(43) });
    await expectRefused(browser, await browser.visit(callback.href), 'id_token_invalid');
  });

  it('the provider’s error (the user pressed Cancel): access_denied', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('dev', email(), { cancel: true });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    await expectRefused(browser, await browser.visit(callback.href), 'access_denied');
  });

  it('an OIDC email with email_verified false: email_unverified, and no account is created', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const address = `${UNVERIFIED_PREFIX}${email()}`;
    await expectRefused(browser, await browser.signIn('dev', address), 'email_unverified');
    const register = await new TestClient(stack.gw.api).post('/auth/register', { ...newCredentials(), email: address });
    expect(register.status).toBe(201);
  });

  it('a GitHub account whose primary email is unverified (a verified secondary does not count): email_unverified', async () => {
    stack.github.account = githubAccount(9001, [
      { email: email(), primary: true, verified: false },
      { email: email(), primary: false, verified: true },
    ]);
    const browser = new ProviderBrowser(stack.gw);
    await expectRefused(browser, await browser.signIn('github', 'unused'), 'email_unverified');
  });

  it('a GitHub code used twice (GitHub answers 200 bad_verification_code): code_rejected', async () => {
    stack.github.account = githubAccount(9002, [{ email: email(), primary: true, verified: true }]);
    const browser = new ProviderBrowser(stack.gw);
    const callback = await browser.authorize('github', 'unused');
    const cookie = browser.gateway.cookies.get(STATE_COOKIE) ?? '';
    expect((await browser.visit(callback.href)).location).toBe('/');
    const attacker = new ProviderBrowser(stack.gw);
    attacker.gateway.cookies.set(STATE_COOKIE, cookie);
    await expectRefused(attacker, await attacker.visit(callback.href), 'code_rejected');
  });

  it('an email that a password account already has: account_exists, and that account is untouched', async () => {
    const owner = new TestClient(stack.gw.api);
    const creds = newCredentials();
    await owner.post('/auth/register', creds);
    const browser = new ProviderBrowser(stack.gw);
    await expectRefused(browser, await browser.signIn('dev', creds.email), 'account_exists');
    expect((await owner.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(200);
    expect((await owner.get('/auth/identities')).body).toEqual({ identities: [] });
  });
});

describe('GET /auth/oidc/:provider/start with the provider unreachable', () => {
  it('goes back to the app with provider_unavailable and sets no state cookie', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const start = await browser.visit('/auth/oidc/down/start');
    expect(start.status).toBe(302);
    expect(start.location).toBe('/?authError=provider_unavailable');
    expect(start.setCookies).toEqual([]);
  });
});

describe('logs and metrics of a provider callback', () => {
  it('count the failure by code and log neither the authorization code nor the state', async () => {
    const { logger, lines } = capturingLogger();
    const app = await extraApp(stack.gw.config, { logger });
    try {
      const res = await app.inject({ url: '/api/v1/auth/oidc/dev/callback?code=SECRET-CODE-123&state=SECRET-STATE-4' });
      expect(res.headers.location).toBe('/?authError=state_mismatch');
      const metrics = await app.inject({ url: '/metrics' });
      expect(metrics.body).toMatch(/app_errors_total\{[^}]*code="invalid_argument"[^}]*\} 1/);
    } finally {
      await app.close();
    }
    const log = JSON.stringify(lines);
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(true);
    expect(lines.find((l) => l.msg === 'provider sign-in refused')).toMatchObject({
      reason: 'state_mismatch',
      provider: 'dev',
    });
    expect(log).toContain('/api/v1/auth/oidc/dev/callback');
    expect(log).not.toContain('SECRET-CODE-123');
    expect(log).not.toContain('SECRET-STATE-4');
  });
});
