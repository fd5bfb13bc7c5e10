import { randomBytes } from 'node:crypto';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, TestClient } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, putChunk, type UploadPlan } from './chunks.ts';
import { type SeededUser, seededUser, startOneWorkerStack } from './fixtures.ts';
import { attackerJwks, forgedTokens } from './tokens.ts';

/**
 * The bad-input catalogue (docs/security.md): every endpoint of the gateway and the uploads workers
 * against each category of hostile input. Expected everywhere: the documented 4xx, never a 5xx, no
 * internal detail in the body, and no change to the victim's account, uploads or files.
 */
const MiB = 1024 * 1024;
const ACCESS = 'lfusys-access';
let stack: Stack;
let jwks: Awaited<ReturnType<typeof attackerJwks>>;

let victim: SeededUser;
let attacker: SeededUser;

/** Both own a completed file and an open upload with chunk 0 received. */
async function party(): Promise<SeededUser> {
  const p = await seededUser(stack);
  expect((await putChunk(p.open, 0, chunkOf(randomBytes(2 * MiB), p.open, 0))).status).toBe(200);
  return p;
}

/** What a user can see of their account; compared before and after the catalogue. */
async function snapshot(p: SeededUser) {
  const [me, files, uploads, chunks] = await Promise.all([
    p.client.get('/users/me'),
    p.client.get('/files'),
    p.client.get('/uploads'),
    p.client.get(`/uploads/${p.open.uploadId}`),
  ]);
  return {
    me: me.body,
    files: files.body,
    uploads: uploads.body,
    received: (chunks.body as { receivedIndexes: number[] }).receivedIndexes,
  };
}
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  stack = await startOneWorkerStack();
  jwks = await attackerJwks({ kty: 'OKP', crv: 'Ed25519', x: 'unused' });
  victim = await party();
  attacker = await party();
  before = await snapshot(victim);
}, 120_000);
afterAll(async () => {
  await jwks?.close();
  await stack?.stop();
});

/** Internal detail that must never reach a client. */
const LEAKS =
  /node_modules|\/work\/|\bat [\w.<>]+ \(|\.ts:\d+|Dynamo|ConditionalCheck|TransactionCanceled|moto|werkzeug|grpc|ECONN|stack/i;

function assertClean(label: string, res: { status: number; text: string }) {
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  expect(res.text, label).not.toMatch(LEAKS);
}

/** Characters a stored file name must never contain: separators, controls, bidi overrides. */
const unsafeInName = (ch: string) => {
  const code = ch.codePointAt(0) ?? 0;
  return (
    ch === '/' ||
    ch === '\\' ||
    code < 0x20 ||
    code === 0x7f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
};

/** Every route that needs a signed-in user, with a body a legitimate call would send. */
function accessRoutes(p: SeededUser): Array<{ method: string; path: string; json?: unknown }> {
  return [
    { method: 'GET', path: '/auth/me' },
    { method: 'GET', path: '/users/me' },
    { method: 'PATCH', path: '/users/me', json: { name: 'Renamed By Attacker' } },
    {
      method: 'POST',
      path: '/users/me/password',
      json: { currentPassword: p.password, newPassword: 'a-new-password-123' },
    },
    { method: 'DELETE', path: '/users/me', json: { password: p.password } },
    { method: 'POST', path: '/uploads', json: { fileName: 'x.bin', size: 10 } },
    { method: 'GET', path: '/uploads' },
    { method: 'GET', path: `/uploads/${p.open.uploadId}` },
    { method: 'DELETE', path: `/uploads/${p.open.uploadId}` },
    { method: 'GET', path: '/files' },
    { method: 'GET', path: `/files/${p.fileId}` },
    { method: 'PATCH', path: `/files/${p.fileId}`, json: { name: 'renamed.bin' } },
    { method: 'GET', path: `/files/${p.fileId}/download` },
    { method: 'DELETE', path: `/files/${p.fileId}` },
    { method: 'GET', path: '/auth/sessions' },
    { method: 'DELETE', path: `/auth/sessions/${p.sessionId}` },
    { method: 'POST', path: '/auth/sessions/end-others' },
  ];
}

/** A fresh client with a CSRF pair and the given access cookie (or none). */
async function clientWith(accessToken?: string): Promise<TestClient> {
  const client = new TestClient(stack.gatewayApi);
  await client.get('/auth/csrf');
  if (accessToken !== undefined) client.cookies.set(ACCESS, accessToken);
  return client;
}

async function send(client: TestClient, route: { method: string; path: string; json?: unknown }, extra = {}) {
  return client.request(route.method, route.path, {
    ...(route.json !== undefined ? { json: route.json } : {}),
    ...extra,
  });
}

describe('bad-input catalogue', () => {
  it('no credentials: every signed-in route answers 401', async () => {
    const anonymous = await clientWith();
    for (const route of accessRoutes(victim)) {
      const res = await send(anonymous, route);
      assertClean(`${route.method} ${route.path}`, res);
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it('forged, tampered and mis-typed access tokens: 401 on every signed-in route, no key fetched from the token', async () => {
    const tokens = await forgedTokens(
      stack.signingJwk,
      { typ: 'at+jwt', aud: 'lfusys-gateway', sub: victim.userId, claims: { sid: 'forged' } },
      jwks.url,
    );
    // The victim's upload token is not an access token either.
    tokens.push(['an upload token as the access cookie', victim.open.uploadToken]);
    for (const [name, token] of tokens) {
      const forger = await clientWith(token);
      for (const route of accessRoutes(victim)) {
        const res = await send(forger, route);
        const label = `${name}: ${route.method} ${route.path}`;
        assertClean(label, res);
        expect(res.status, label).toBe(401);
      }
    }
    expect(jwks.fetches()).toBe(0);
  });

  it("forged and foreign upload tokens: 401 on both uploads routes, another upload's token 404", async () => {
    const shape = {
      typ: 'upload+jwt',
      aud: 'lfusys-uploads',
      sub: victim.userId,
      claims: { upl: victim.open.uploadId },
    };
    const tokens = await forgedTokens(stack.signingJwk, shape, jwks.url);
    const access = victim.client.cookies.get(ACCESS) ?? '';
    tokens.push(['the access token as an upload token', access]);
    const body = randomBytes(MiB);
    for (const [name, token] of tokens) {
      const plan = { ...victim.open, uploadToken: token };
      const put = await putChunk(plan, 1, body);
      const list = await fetch(`${victim.open.uploadUrl}/chunks`, { headers: { authorization: `Bearer ${token}` } });
      for (const [route, res] of [
        ['PUT chunk', put],
        ['GET chunks', list],
      ] as const) {
        const text = await res.text();
        assertClean(`${name}: ${route}`, { status: res.status, text });
        expect(res.status, `${name}: ${route}`).toBe(401);
      }
    }
    // A valid token, but for the attacker's own upload: the victim's upload does not exist for it.
    const crossed = { ...victim.open, uploadToken: attacker.open.uploadToken };
    expect((await putChunk(crossed, 1, body)).status).toBe(404);
    const listed = await fetch(`${victim.open.uploadUrl}/chunks`, {
      headers: { authorization: `Bearer ${attacker.open.uploadToken}` },
    });
    expect(listed.status).toBe(404);
    expect(jwks.fetches()).toBe(0);
  });

  it("CSRF: every unsafe route with the victim's cookies but a missing, wrong, forged or cross-site token answers 403", async () => {
    const unsafe = accessRoutes(victim).filter((r) => r.method !== 'GET');
    const cookieToken = () => victim.client.cookies.get('lfusys-csrf') ?? '';
    const variants: Array<[string, () => Record<string, string>, boolean]> = [
      ['no x-csrf-token header', () => ({}), false],
      ['header differs from the cookie', () => ({ 'x-csrf-token': `${cookieToken()}x` }), false],
      ['a self-minted token (bad HMAC)', () => ({ 'x-csrf-token': 'bm9uY2U.c2lnbmF0dXJl' }), false],
      [
        'valid token, Sec-Fetch-Site: cross-site',
        () => ({ 'x-csrf-token': cookieToken(), 'sec-fetch-site': 'cross-site' }),
        false,
      ],
      [
        'valid token, Sec-Fetch-Site: same-site',
        () => ({ 'x-csrf-token': cookieToken(), 'sec-fetch-site': 'same-site' }),
        false,
      ],
      ['valid token, foreign Origin', () => ({ 'x-csrf-token': cookieToken(), origin: 'https://evil.example' }), false],
      ['valid token, Origin: null', () => ({ 'x-csrf-token': cookieToken(), origin: 'null' }), false],
    ];
    await victim.client.get('/auth/csrf');
    for (const route of unsafe) {
      for (const [name, headers] of variants) {
        const res = await victim.client.request(route.method, route.path, {
          ...(route.json !== undefined ? { json: route.json } : {}),
          headers: headers(),
          csrf: false,
        });
        const label = `${name}: ${route.method} ${route.path}`;
        assertClean(label, res);
        expect(res.status, label).toBe(403);
      }
    }
    // Login and register are guarded too (login CSRF), with a throwaway account.
    const stranger = new TestClient(stack.gatewayApi);
    for (const path of ['/auth/register', '/auth/login']) {
      const res = await stranger.request('POST', path, {
        json: { name: 'X', email: 'csrf@example.com', password: 'long-enough-pass-1' },
        csrf: false,
      });
      expect(res.status, path).toBe(403);
    }
  });

  it("IDOR: the attacker's session on every id-taking route with the victim's ids answers 404", async () => {
    const idRoutes = accessRoutes(victim).filter(
      (r) =>
        r.path.includes(victim.fileId) || r.path.includes(victim.open.uploadId) || r.path.includes(victim.sessionId),
    );
    expect(idRoutes).toHaveLength(7);
    for (const route of idRoutes) {
      const res = await send(attacker.client, route);
      const label = `${route.method} ${route.path}`;
      assertClean(label, res);
      expect(res.status, label).toBe(404);
    }
  });

  it('malformed ids on every id-taking route: 400 on the gateway, 400 or 404 on the workers', async () => {
    const ids = [
      'not-a-uuid',
      '..%2F..%2Fetc%2Fpasswd',
      '%00',
      '%C3%BC'.repeat(40),
      'a'.repeat(2048),
      victim.fileId.toUpperCase(),
    ];
    for (const id of ids) {
      for (const route of accessRoutes(attacker).filter((r) =>
        r.path.match(/\/(uploads|files|auth\/sessions)\/[0-9a-f-]{36}/),
      )) {
        const path = route.path.replace(/[0-9a-f-]{36}/, id);
        const res = await send(attacker.client, { ...route, path });
        assertClean(`${route.method} ${path}`, res);
        // A path longer than the router's parameter limit is 414 URI Too Long.
        expect(id.length > 100 ? [400, 414] : [400], `${route.method} ${path}`).toContain(res.status);
      }
      const put = await fetch(`${stack.uploadsBase}/uploads/${id}/chunks/0`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${attacker.open.uploadToken}`, 'content-type': 'application/octet-stream' },
        body: 'x',
      });
      assertClean(`PUT chunk of ${id}`, { status: put.status, text: await put.text() });
      expect(id.length > 100 ? [400, 404, 414] : [400, 404], `PUT chunk of ${id}`).toContain(put.status);
    }
    for (const index of ['-1', '1.5', '01', '1e3', '99999999', '%00', 'NaN', '..']) {
      const res = await putChunk(attacker.open, index, randomBytes(16));
      const text = await res.text();
      assertClean(`chunk index ${index}`, { status: res.status, text });
      expect([400, 404], `chunk index ${index}`).toContain(res.status);
    }
  });

  it('JSON bodies: malformed, wrong type, prototype keys, extra fields and oversized bodies on every JSON route', async () => {
    const routes = [
      ...accessRoutes(attacker).filter(
        (r) => r.json !== undefined && r.method !== 'DELETE' && r.path !== '/users/me/password',
      ),
      {
        method: 'POST',
        path: '/auth/register',
        json: { name: 'X', email: 'x@example.com', password: 'long-enough-pass-1' },
      },
      { method: 'POST', path: '/auth/login', json: { email: 'x@example.com', password: 'long-enough-pass-1' } },
    ];
    const bodies: Array<[string, { rawBody?: string; json?: unknown; headers?: Record<string, string> }, number]> = [
      ['malformed JSON', { rawBody: '{"name":', headers: { 'content-type': 'application/json' } }, 400],
      ['text/plain', { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }, 415],
      ['a form', { rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['an array', { json: [] }, 400],
      ['null', { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400],
      [
        '__proto__ key',
        { rawBody: '{"__proto__":{"admin":true},"name":"x"}', headers: { 'content-type': 'application/json' } },
        400,
      ],
      ['constructor.prototype key', { json: { constructor: { prototype: { admin: true } }, name: 'x' } }, 400],
      ['an extra userId', { json: { name: 'x', fileName: 'x', size: 1, userId: victim.userId } }, 400],
      ['a 20 KB body', { json: { name: 'x'.repeat(20_000) } }, 413],
    ];
    for (const route of routes) {
      for (const [name, body, status] of bodies) {
        const res = await attacker.client.request(route.method, route.path, body);
        const label = `${name}: ${route.method} ${route.path}`;
        assertClean(label, res);
        expect(res.status, label).toBe(status);
      }
    }
  });

  it('file names: path traversal, separators, control and bidi characters are neutralised or refused', async () => {
    const names = [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      'a/b/c.txt',
      '/abs.txt',
      'report\u202Egpj.exe',
      'nul\u0000byte.txt',
      'line\r\nbreak.txt',
      'CON',
      '.',
      '..',
      '\u{1F4C1} folder \u00e9\u0301.txt',
      `${'n'.repeat(300)}.txt`,
    ];
    for (const name of names) {
      const created = await attacker.client.post('/uploads', { fileName: name, size: 10 });
      const renamed = await attacker.client.request('PATCH', `/files/${attacker.fileId}`, { json: { name } });
      for (const [route, res] of [
        ['POST /uploads', created],
        ['PATCH /files/:id', renamed],
      ] as const) {
        const label = `${JSON.stringify(name)}: ${route}`;
        assertClean(label, res);
        expect([200, 201, 400], label).toContain(res.status);
        if (res.status >= 400) continue;
        const stored =
          (res.body as { upload?: { fileName: string }; file?: { name: string } }).upload?.fileName ??
          (res.body as { file?: { name: string } }).file?.name ??
          '';
        expect([...stored].filter(unsafeInName), label).toEqual([]);
        expect(stored, label).not.toMatch(/^\.\.?$/);
        expect(stored.length, label).toBeLessThanOrEqual(255);
      }
      if (created.status === 201)
        await attacker.client.request('DELETE', `/uploads/${(created.body as UploadPlan).uploadId}`);
    }
    const download = (await attacker.client.get(`/files/${attacker.fileId}/download`)).body as { url: string };
    const res = await fetch(download.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition') ?? '').not.toMatch(/[\r\n]|\.\.\//);
  });

  it('oversized headers: 431 from both servers, and they keep serving', async () => {
    const big = 'x'.repeat(64 * 1024);
    for (const url of [`${stack.gatewayApi}/auth/me`, `${stack.uploadsBase}/healthz`]) {
      const oneHuge = await fetch(url, { headers: { cookie: `${ACCESS}=${big}` } });
      expect(oneHuge.status, url).toBe(431);
      const many = await fetch(url, {
        headers: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'yyyyyyyyyy'])),
      });
      expect(many.status, url).toBe(431);
    }
    expect((await attacker.client.get('/auth/me')).status).toBe(200);
    expect((await fetch(`${stack.uploadsBase}/healthz`)).status).toBe(200);
  });

  it("afterwards the victim's account, files and uploads are exactly as before, and the password still works", async () => {
    expect(await snapshot(victim)).toEqual(before);
    const again = new TestClient(stack.gatewayApi);
    const me = (await victim.client.get('/users/me')).body as { user: { email: string } };
    const login = await again.post('/auth/login', { email: me.user.email, password: victim.password });
    expect(login.status).toBe(200);
  });
});
