import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials, type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

/** Every rejection: a 4xx in the documented shape, with no stack trace or internal detail. */
function expectCleanRejection(res: { status: number; body: unknown; text: string }, status: number): void {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toMatchObject({
    error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
  });
  expect(res.text).not.toMatch(/at .+\.(ts|js):\d+|node_modules|stack/i);
}

describe('bad input to POST /auth/register is a clear 4xx and creates nothing', () => {
  const good = () => newCredentials();
  const cases: Array<
    [
      string,
      (c: ReturnType<typeof good>) => { rawBody?: string; json?: unknown; headers?: Record<string, string> },
      number,
    ]
  > = [
    ['malformed JSON', () => ({ rawBody: '{"name": "x",', headers: { 'content-type': 'application/json' } }), 400],
    ['a text/plain body', (c) => ({ rawBody: JSON.stringify(c), headers: { 'content-type': 'text/plain' } }), 415],
    [
      'a form body',
      () => ({ rawBody: 'name=a&email=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
    ],
    ['a missing field', (c) => ({ json: { name: c.name, email: c.email } }), 400],
    ['an extra field', (c) => ({ json: { ...c, admin: true } }), 400],
    [
      'a __proto__ key',
      (c) => ({
        rawBody: `{"__proto__":{"admin":true},"name":"${c.name}","email":"${c.email}","password":"${c.password}"}`,
        headers: { 'content-type': 'application/json' },
      }),
      400,
    ],
    ['a non-string email', (c) => ({ json: { ...c, email: 12345 } }), 400],
    ['an array email', (c) => ({ json: { ...c, email: [c.email] } }), 400],
    ['a 10 KB name', (c) => ({ json: { ...c, name: 'n'.repeat(10_000) } }), 400],
    ['a blank name', (c) => ({ json: { ...c, name: '   ' } }), 400],
    ['an invalid email', (c) => ({ json: { ...c, email: 'not-an-email' } }), 400],
    ['an email with spaces', (c) => ({ json: { ...c, email: 'a b@example.com' } }), 400],
    ['a 7-character password', (c) => ({ json: { ...c, password: 'abcdefg' } }), 400],
    ['a 129-character password', (c) => ({ json: { ...c, password: 'p'.repeat(129) } }), 400],
    ['a common password', (c) => ({ json: { ...c, password: 'password123' } }), 400],
    ['a 1 MB password', (c) => ({ json: { ...c, password: 'p'.repeat(1024 * 1024) } }), 413],
    ['a JSON array body', () => ({ json: [] }), 400],
    ['a null body', () => ({ rawBody: 'null', headers: { 'content-type': 'application/json' } }), 400],
  ];

  it.each(cases)('%s', async (_label, build, status) => {
    const creds = good();
    const client = new TestClient(gw.api);
    const res = await client.request('POST', '/auth/register', build(creds));
    expectCleanRejection(res, status);
    const login = await new TestClient(gw.api).post('/auth/login', { email: creds.email, password: creds.password });
    expect(login.status).toBe(401);
  });
});

describe('access-token attacks on GET /auth/me are 401', () => {
  async function meWith(token: string) {
    const client = new TestClient(gw.api);
    client.cookies.set('lfusys-access', token);
    return client.get('/auth/me');
  }

  function claims(userId: string) {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: userId,
      sid: 'family',
      iss: gw.config.JWT_ISSUER,
      aud: 'lfusys-gateway',
      iat: now,
      nbf: now,
      exp: now + 600,
    };
  }

  it('a tampered payload', async () => {
    const { client } = await signedInClient(gw);
    const [header, payload, signature] = (client.cookies.get('lfusys-access') ?? '').split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'someone-else' }),
    ).toString('base64url');
    expectCleanRejection(await meWith(`${header}.${forged}.${signature}`), 401);
  });

  it('alg none', async () => {
    const { userId } = await signedInClient(gw);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: gw.signingJwk.kid ?? '' })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(claims(userId))).toString('base64url');
    expectCleanRejection(await meWith(`${header}.${body}.`), 401);
  });

  it('HS256 signed with the public key as the secret', async () => {
    const { userId } = await signedInClient(gw);
    const secret = new TextEncoder().encode(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: gw.signingJwk.x }));
    const token = await new SignJWT(claims(userId))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: gw.signingJwk.kid ?? '' })
      .sign(secret);
    expectCleanRejection(await meWith(token), 401);
  });

  it('a token signed with another key under our kid', async () => {
    const { userId } = await signedInClient(gw);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT(claims(userId))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: gw.signingJwk.kid ?? '' })
      .sign(privateKey);
    expectCleanRejection(await meWith(token), 401);
  });

  it('an expired token signed with our key', async () => {
    const { userId } = await signedInClient(gw);
    const key = await importJWK(gw.signingJwk, 'EdDSA');
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await new SignJWT({ ...claims(userId), iat: past - 900, nbf: past - 900, exp: past })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: gw.signingJwk.kid ?? '' })
      .sign(key);
    const res = await meWith(token);
    expectCleanRejection(res, 401);
    expect(res.body).toMatchObject({ error: { message: 'token expired' } });
  });

  it('a token of another type (no at+jwt typ) signed with our key', async () => {
    const { userId } = await signedInClient(gw);
    const key = await importJWK(gw.signingJwk, 'EdDSA');
    const token = await new SignJWT(claims(userId))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: gw.signingJwk.kid ?? '' })
      .sign(key);
    expectCleanRejection(await meWith(token), 401);
  });

  it('the refresh token used as an access token', async () => {
    const { client } = await signedInClient(gw);
    expectCleanRejection(await meWith(client.cookies.get('lfusys-refresh') ?? ''), 401);
  });

  it('garbage', async () => {
    expectCleanRejection(await meWith('a.b.c'), 401);
    expectCleanRejection(await meWith('x'.repeat(3000)), 401);
  });
});

describe('CSRF defences on unsafe routes', () => {
  it('refuse a cross-site POST even with a valid token', async () => {
    const { client } = await signedInClient(gw);
    const res = await client.request('PATCH', '/users/me', {
      json: { bio: 'pwned' },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expectCleanRejection(res, 403);
    expect((await client.get('/users/me')).body).toMatchObject({ user: { bio: '' } });
  });

  it('refuse a foreign Origin', async () => {
    const { client } = await signedInClient(gw);
    const res = await client.request('PATCH', '/users/me', {
      json: { bio: 'pwned' },
      headers: { origin: 'https://evil.example' },
    });
    expectCleanRejection(res, 403);
  });

  it('accept the app origin and same-origin fetch metadata', async () => {
    const { client } = await signedInClient(gw);
    const res = await client.request('PATCH', '/users/me', {
      json: { bio: 'ok' },
      headers: { origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(200);
  });

  it('refuse a missing, mismatched or forged token', async () => {
    const { client } = await signedInClient(gw);
    expectCleanRejection(await client.request('PATCH', '/users/me', { json: { bio: 'x' }, csrf: false }), 403);
    const mismatched = await client.request('PATCH', '/users/me', {
      json: { bio: 'x' },
      csrf: false,
      headers: { 'x-csrf-token': 'abc.def' },
    });
    expectCleanRejection(mismatched, 403);
    // A self-consistent cookie/header pair that the server did not sign.
    client.cookies.set('lfusys-csrf', 'nonce.forgedmac');
    expectCleanRejection(await client.request('PATCH', '/users/me', { json: { bio: 'x' } }), 403);
  });

  it('guard login and register too (login CSRF)', async () => {
    const creds = newCredentials();
    const res = await new TestClient(gw.api).request('POST', '/auth/register', { json: creds, csrf: false });
    expectCleanRejection(res, 403);
  });
});

describe('unknown routes and oversized headers', () => {
  it('answer 404 in the error shape', async () => {
    expectCleanRejection(await new TestClient(gw.api).get('/nope'), 404);
  });

  it('refuse a 64 KB cookie header without a 5xx', async () => {
    const res = await fetch(`${gw.api}/auth/me`, { headers: { cookie: `x=${'a'.repeat(64 * 1024)}` } });
    expect(res.status).toBe(431);
  });
});
