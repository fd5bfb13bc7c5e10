import { randomUUID } from 'node:crypto';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { tokenFromMail, waitForMail } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoIdentityRepository } from '../src/adapters/dynamo-identity-repository.ts';
import { newCredentials, TestClient } from './harness.ts';
import { githubAccount, type OidcStack, startOidcStack } from './oidc-stack.ts';
import { ProviderBrowser } from './provider-browser.ts';

let stack: OidcStack;
beforeAll(async () => {
  stack = await startOidcStack();
});
afterAll(() => stack?.close());

const email = () => `oidc-${randomUUID()}@example.com`;

describe('GET /auth/providers', () => {
  it('lists the configured providers, GitHub first', async () => {
    const res = await new TestClient(stack.gw.api).get('/auth/providers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      providers: [
        { id: 'github', name: 'GitHub' },
        { id: 'dev', name: 'Dev sign-in' },
        { id: 'userinfo', name: 'Userinfo' },
        { id: 'down', name: 'Down' },
      ],
    });
  });
});

describe('GET /auth/oidc/:provider/start', () => {
  it('redirects to the provider with an authorization-code request: PKCE S256, state and nonce', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const start = await browser.visit('/auth/oidc/dev/start?returnTo=/files');
    expect(start.status).toBe(302);
    const url = new URL(start.location);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:8080/api/v1/auth/oidc/dev/callback');
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    // The verifier stays with us: it is nowhere in the URL.
    expect(start.location).not.toContain('code_verifier');
  });

  it('keeps the checks in a short-lived HttpOnly SameSite=Lax cookie, and sets no session', async () => {
    const start = await new ProviderBrowser(stack.gw).visit('/auth/oidc/dev/start');
    expect(start.setCookies).toHaveLength(1);
    const cookie = start.setCookies[0] ?? '';
    expect(cookie).toMatch(/^lfusys-oidc=/);
    expect(cookie).toMatch(/; Max-Age=600/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it('answers 404 for a provider this deployment does not offer', async () => {
    const client = new TestClient(stack.gw.api);
    for (const path of ['/auth/oidc/facebook/start', '/auth/oidc/facebook/callback?code=x&state=y']) {
      const res = await client.get(path);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('sign-in through the dev provider (OIDC)', () => {
  it('creates a password-less account, signs it in and goes back to returnTo', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const address = email();
    const done = await browser.signIn('dev', address, { returnTo: '/files?sort=new' });
    expect(done.status).toBe(302);
    expect(done.location).toBe('/files?sort=new');
    const me = await browser.gateway.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { email: address, name: address.split('@')[0] } });
    const identities = await browser.gateway.get('/auth/identities');
    expect(identities.body).toEqual({
      identities: [{ provider: 'dev', name: 'Dev sign-in', email: address, linkedAt: expect.any(String) }],
    });
    // No password was ever set, so none signs in.
    const login = await new TestClient(stack.gw.api).post('/auth/login', {
      email: address,
      password: 'anything-at-all-1',
    });
    expect(login.status).toBe(401);
  });

  it('links to a password account once it verified its email, and signs into that account', async () => {
    const owner = new TestClient(stack.gw.api);
    const creds = newCredentials();
    expect((await owner.post('/auth/register', creds)).status).toBe(201);
    const mail = await waitForMail(stack.gw.outboxDir, creds.email, 'Verify your email');
    const verified = await owner.post('/auth/email/verify', { token: tokenFromMail(mail, 'verify-email') });
    expect(verified.status).toBe(200);

    const browser = new ProviderBrowser(stack.gw);
    const done = await browser.signIn('dev', creds.email);
    expect(done.status).toBe(302);
    expect(done.location).toBe('/');
    const me = await browser.gateway.get('/auth/me');
    expect(me.body).toMatchObject({ user: { email: creds.email, name: creds.name, emailVerified: true } });
    const login = await owner.post('/auth/login', { email: creds.email, password: creds.password });
    expect(login.status).toBe(200);
    expect((login.body as { user: { id: string } }).user.id).toBe((me.body as { user: { id: string } }).user.id);
    expect((await owner.get('/auth/identities')).body).toMatchObject({ identities: [{ provider: 'dev' }] });
  });

  it('a password-less account cannot change its password or delete itself by password: no_password', async () => {
    const browser = new ProviderBrowser(stack.gw);
    await browser.signIn('dev', email());
    const change = await browser.gateway.post('/users/me/password', {
      currentPassword: 'x',
      newPassword: 'a-new-long-password-1',
    });
    expect(change.status).toBe(409);
    expect(change.body).toMatchObject({ error: { details: { reason: 'no_password' } } });
    const remove = await browser.gateway.request('DELETE', '/users/me', { json: { password: 'x' } });
    expect(remove.status).toBe(409);
  });

  it('signs the same provider account into the same user next time', async () => {
    const address = email();
    const first = new ProviderBrowser(stack.gw);
    await first.signIn('dev', address);
    const second = new ProviderBrowser(stack.gw);
    expect((await second.signIn('dev', address)).location).toBe('/');
    const [a, b] = [await first.gateway.get('/auth/me'), await second.gateway.get('/auth/me')];
    expect((b.body as { user: { id: string } }).user.id).toBe((a.body as { user: { id: string } }).user.id);
  });

  it('asks userinfo for the email when the ID token does not carry it', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const address = email();
    expect((await browser.signIn('userinfo', address)).location).toBe('/');
    expect((await browser.gateway.get('/auth/me')).body).toMatchObject({ user: { email: address } });
  });

  it('sends an off-site returnTo to / instead (no open redirect)', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const done = await new ProviderBrowser(stack.gw).signIn('dev', email(), { returnTo });
      expect(done.location).toBe('/');
    }
  });
});

describe('sign-in through GitHub (OAuth 2.0 + emails API)', () => {
  it('creates an account from the verified primary email, keyed by the numeric GitHub id', async () => {
    const address = email();
    stack.github.account = githubAccount(4242, [
      { email: `other-${address}`, primary: false, verified: true },
      { email: address, primary: true, verified: true },
    ]);
    const browser = new ProviderBrowser(stack.gw);
    expect((await browser.signIn('github', address)).location).toBe('/');
    expect((await browser.gateway.get('/auth/me')).body).toMatchObject({ user: { email: address, name: 'octo-4242' } });
    expect((await browser.gateway.get('/auth/identities')).body).toMatchObject({
      identities: [{ provider: 'github', name: 'GitHub', email: address }],
    });
  });
});

describe('linked identities', () => {
  const db = () => createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });

  it('refuses to unlink the only way to sign in with 409 last_sign_in_method', async () => {
    const browser = new ProviderBrowser(stack.gw);
    await browser.signIn('dev', email());
    const res = await browser.gateway.request('DELETE', '/auth/identities/dev');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: { code: 'failed_precondition', details: { reason: 'last_sign_in_method' } },
    });
    expect((await browser.gateway.get('/auth/identities')).body).toMatchObject({ identities: [{ provider: 'dev' }] });
  });

  it('unlinks one of two identities; that identity then no longer signs in to the account', async () => {
    const browser = new ProviderBrowser(stack.gw);
    const address = email();
    await browser.signIn('dev', address);
    const me = (await browser.gateway.get('/auth/me')).body as { user: { id: string } };
    // A second identity, written as a link would (no HTTP path links a second provider yet).
    const identities = new DynamoIdentityRepository(db(), resourceNames(stack.gw.config.RESOURCE_PREFIX).usersTable);
    await identities.link({
      provider: 'github',
      subject: '777',
      userId: me.user.id,
      email: address,
      linkedAt: new Date().toISOString(),
    });
    const res = await browser.gateway.request('DELETE', '/auth/identities/dev');
    expect(res.status).toBe(204);
    expect((await browser.gateway.get('/auth/identities')).body).toMatchObject({
      identities: [{ provider: 'github' }],
    });
    // The dev identity is no longer linked: signing in with it again goes by the verified email, so it
    // reaches the same account (linked anew), never a new account or another one.
    const again = new ProviderBrowser(stack.gw);
    expect((await again.signIn('dev', address)).location).toBe('/');
    expect((await again.gateway.get('/auth/me')).body).toMatchObject({ user: { id: me.user.id } });
  });

  it('answers 404 for a provider not linked, and 401 without a session', async () => {
    const browser = new ProviderBrowser(stack.gw);
    await browser.signIn('dev', email());
    expect((await browser.gateway.request('DELETE', '/auth/identities/github')).status).toBe(404);
    const anonymous = new TestClient(stack.gw.api);
    expect((await anonymous.get('/auth/identities')).status).toBe(401);
    expect((await anonymous.request('DELETE', '/auth/identities/dev')).status).toBe(401);
  });

  it('a password account lists no identities', async () => {
    const client = new TestClient(stack.gw.api);
    const creds = newCredentials();
    await client.post('/auth/register', creds);
    await client.post('/auth/login', { email: creds.email, password: creds.password });
    expect((await client.get('/auth/identities')).body).toEqual({ identities: [] });
  });
});
