import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials, type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

describe('POST /auth/register', () => {
  it('creates an account with a normalised email and never returns the password hash', async () => {
    const creds = newCredentials();
    const res = await new TestClient(gw.api).post('/auth/register', {
      ...creds,
      email: `  ${creds.email.toUpperCase()} `,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.any(String),
        email: creds.email,
        name: creds.name,
        bio: '',
        emailVerified: false,
        createdAt: expect.any(String),
      },
    });
    expect(res.text).not.toMatch(/argon2|passwordHash/);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    const creds = newCredentials();
    const client = new TestClient(gw.api);
    expect((await client.post('/auth/register', creds)).status).toBe(201);
    const again = await client.post('/auth/register', { ...creds, email: creds.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'already_exists' } });
  });

  it('lets exactly one of many concurrent registrations with the same email succeed', async () => {
    const creds = newCredentials();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        new TestClient(gw.api).post('/auth/register', { ...creds, name: `racer ${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const login = await new TestClient(gw.api).post('/auth/login', { email: creds.email, password: creds.password });
    const winner = results.find((r) => r.status === 201)?.body as { user: { id: string } };
    expect((login.body as { user: { id: string } }).user.id).toBe(winner.user.id);
  });
});

describe('POST /auth/login', () => {
  it('sets HttpOnly, SameSite=Strict access and refresh cookies, the refresh one scoped to /api/v1/auth', async () => {
    const creds = newCredentials();
    const client = new TestClient(gw.api);
    await client.post('/auth/register', creds);
    const res = await client.post('/auth/login', { email: creds.email, password: creds.password });
    expect(res.status).toBe(200);
    const access = res.setCookies.get('lfusys-access');
    const refresh = res.setCookies.get('lfusys-refresh');
    expect(access?.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(refresh?.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/v1/auth']));
    expect(access?.value.split('.')).toHaveLength(3);
    expect(refresh?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const creds = newCredentials();
    const client = new TestClient(gw.api);
    await client.post('/auth/register', creds);
    const wrongPassword = await client.post('/auth/login', { email: creds.email, password: 'not-the-password' });
    const unknownEmail = await client.post('/auth/login', { email: `x${creds.email}`, password: 'not-the-password' });
    const strip = (body: unknown) => ({ ...(body as { error: object }).error, requestId: undefined });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
    expect(wrongPassword.setCookies.has('lfusys-access')).toBe(false);
  });
});

describe('GET /auth/me', () => {
  it('returns the signed-in user and 401 without a session', async () => {
    const { client, creds } = await signedInClient(gw);
    const me = await client.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { email: creds.email } });
    const anonymous = await new TestClient(gw.api).get('/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});

describe('POST /auth/refresh', () => {
  it('rotates both cookies on every use', async () => {
    const { client } = await signedInClient(gw);
    const before = client.cookies.get('lfusys-refresh');
    const res = await client.post('/auth/refresh');
    expect(res.status).toBe(200);
    const after = client.cookies.get('lfusys-refresh');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect((await client.get('/auth/me')).status).toBe(200);
  });

  it('revokes the whole family when a rotated token is replayed, so the newest token fails too', async () => {
    const { client } = await signedInClient(gw);
    const stolen = client.cookies.get('lfusys-refresh') ?? '';
    expect((await client.post('/auth/refresh')).status).toBe(200);
    const newest = client.cookies.get('lfusys-refresh') ?? '';

    const attacker = new TestClient(gw.api);
    attacker.cookies.set('lfusys-refresh', stolen);
    const replay = await attacker.post('/auth/refresh');
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({
      error: { code: 'unauthenticated', details: { reason: 'refresh_token_reused' } },
    });

    const victim = new TestClient(gw.api);
    victim.cookies.set('lfusys-refresh', newest);
    expect((await victim.post('/auth/refresh')).status).toBe(401);
  });

  it('lets only one of two concurrent uses of the same token win, and revokes the family', async () => {
    const { client } = await signedInClient(gw);
    const token = client.cookies.get('lfusys-refresh') ?? '';
    const tabs = [new TestClient(gw.api), new TestClient(gw.api)];
    for (const tab of tabs) tab.cookies.set('lfusys-refresh', token);
    const results = await Promise.all(tabs.map((t) => t.post('/auth/refresh')));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.some((r) => r.status === 401)).toBe(true);
  });

  it('rejects a missing or made-up refresh token with 401', async () => {
    const client = new TestClient(gw.api);
    expect((await client.post('/auth/refresh')).status).toBe(401);
    client.cookies.set('lfusys-refresh', 'A'.repeat(43));
    expect((await client.post('/auth/refresh')).status).toBe(401);
  });
});

describe('POST /auth/logout', () => {
  it('clears the cookies and makes the old refresh token useless', async () => {
    const { client } = await signedInClient(gw);
    const refresh = client.cookies.get('lfusys-refresh') ?? '';
    const res = await client.post('/auth/logout');
    expect(res.status).toBe(204);
    expect(client.cookies.has('lfusys-access')).toBe(false);
    expect(client.cookies.has('lfusys-refresh')).toBe(false);

    const replay = new TestClient(gw.api);
    replay.cookies.set('lfusys-refresh', refresh);
    expect((await replay.post('/auth/refresh')).status).toBe(401);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public signing key without its private part', async () => {
    const res = await new TestClient(gw.api).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const { keys } = res.body as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: gw.signingJwk.kid });
    expect(keys[0]).not.toHaveProperty('d');
  });
});
