import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extraApp } from './edge-helpers.ts';
import { newCredentials, type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
/** Another gateway instance notices a session ended elsewhere within this (DESIGN.md §9.3 allows 5 s). */
const LIVENESS_CACHE_MS = 500;

interface SessionView {
  id: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  userAgent: string;
  current: boolean;
}

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ SESSION_LIVENESS_CACHE_MS: String(LIVENESS_CACHE_MS) });
});
afterAll(() => gw.close());

/** One user signed in on a laptop (Chrome on macOS) and a desktop (Firefox on Linux). */
async function twoDevices() {
  const creds = newCredentials();
  const laptop = new TestClient(gw.api);
  expect((await laptop.post('/auth/register', creds)).status).toBe(201);
  const desktop = new TestClient(gw.api);
  const login = { email: creds.email, password: creds.password };
  for (const [client, ua] of [
    [laptop, CHROME_MAC],
    [desktop, FIREFOX_LINUX],
  ] as const) {
    const res = await client.request('POST', '/auth/login', { json: login, headers: { 'user-agent': ua } });
    expect(res.status).toBe(200);
  }
  return { laptop, desktop };
}

async function list(client: TestClient): Promise<SessionView[]> {
  const res = await client.get('/auth/sessions');
  expect(res.status).toBe(200);
  return (res.body as { sessions: SessionView[] }).sessions;
}

async function idOfOther(client: TestClient): Promise<string> {
  const other = (await list(client)).find((s) => !s.current);
  if (!other) throw new Error('no other session listed');
  return other.id;
}

describe('GET /auth/sessions', () => {
  it('lists both devices, readable, each marking itself as current', async () => {
    const { laptop, desktop } = await twoDevices();
    const fromLaptop = await list(laptop);
    expect(fromLaptop).toEqual([
      {
        id: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: 'Chrome 131 on macOS',
        current: true,
      },
      expect.objectContaining({ userAgent: 'Firefox 133 on Linux', current: false }),
    ]);
    const fromDesktop = await list(desktop);
    expect(fromDesktop.map((s) => [s.userAgent, s.current])).toEqual([
      ['Firefox 133 on Linux', true],
      ['Chrome 131 on macOS', false],
    ]);
    expect(fromDesktop.map((s) => s.id).sort()).toEqual(fromLaptop.map((s) => s.id).sort());
  });

  it('moves lastUsedAt forward when the session refreshes', async () => {
    const { laptop } = await twoDevices();
    const before = (await list(laptop))[0];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await laptop.post('/auth/refresh')).status).toBe(200);
    const after = (await list(laptop))[0];
    expect(after?.id).toBe(before?.id);
    expect(Date.parse(after?.lastUsedAt ?? '')).toBeGreaterThan(Date.parse(before?.lastUsedAt ?? ''));
    expect(after?.createdAt).toBe(before?.createdAt);
  });

  it('records an authenticated request as a use of its session', async () => {
    const { desktop } = await twoDevices();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await desktop.get('/auth/me')).status).toBe(200);
    let current: SessionView | undefined;
    for (let i = 0; i < 20; i++) {
      current = (await list(desktop)).find((s) => s.current);
      if (current?.lastUsedAt !== current?.createdAt) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Date.parse(current?.lastUsedAt ?? '')).toBeGreaterThan(Date.parse(current?.createdAt ?? ''));
  });

  it('requires a session', async () => {
    const res = await new TestClient(gw.api).get('/auth/sessions');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});

describe('DELETE /auth/sessions/:id', () => {
  it('ends the other device: its access token is refused at once and its refresh token too', async () => {
    const { laptop, desktop } = await twoDevices();
    const res = await laptop.request('DELETE', `/auth/sessions/${await idOfOther(laptop)}`);
    expect(res.status).toBe(204);

    const stale = await desktop.get('/auth/me');
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ error: { code: 'unauthenticated', details: { reason: 'session_ended' } } });
    expect((await desktop.post('/auth/refresh')).status).toBe(401);
    expect((await list(laptop)).map((s) => s.current)).toEqual([true]);
  });

  it('is noticed by another gateway instance within its liveness window', async () => {
    const { laptop, desktop } = await twoDevices();
    const other: FastifyInstance = await extraApp(gw.config);
    try {
      const access = desktop.cookies.get('lfusys-access') ?? '';
      const me = () => other.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { 'lfusys-access': access } });
      expect((await me()).statusCode).toBe(200);

      expect((await laptop.request('DELETE', `/auth/sessions/${await idOfOther(laptop)}`)).status).toBe(204);
      const ended = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - ended < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await me()).statusCode;
      }
      expect(status).toBe(401);
      expect(Date.now() - ended).toBeLessThan(LIVENESS_CACHE_MS + 1000);
    } finally {
      await other.close();
    }
  });

  it('ends the current session like a logout, clearing its cookies', async () => {
    const { laptop, desktop } = await twoDevices();
    const current = (await list(laptop)).find((s) => s.current)?.id;
    const res = await laptop.request('DELETE', `/auth/sessions/${current}`);
    expect(res.status).toBe(204);
    expect(laptop.cookies.has('lfusys-access')).toBe(false);
    expect(laptop.cookies.has('lfusys-refresh')).toBe(false);
    expect((await list(desktop)).map((s) => s.current)).toEqual([true]);
  });

  it('answers 404 not_found for another user’s session and for an unknown id, ending nothing', async () => {
    const { laptop } = await twoDevices();
    const { client: stranger } = await signedInClient(gw);
    const strangersId = (await list(stranger))[0]?.id;
    for (const id of [strangersId, '00000000-0000-4000-8000-000000000000']) {
      const res = await laptop.request('DELETE', `/auth/sessions/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'not_found', requestId: expect.any(String) } });
    }
    expect((await stranger.get('/auth/me')).status).toBe(200);
    expect(await list(laptop)).toHaveLength(2);
  });

  it('answers 404 for a session already ended', async () => {
    const { laptop } = await twoDevices();
    const id = await idOfOther(laptop);
    expect((await laptop.request('DELETE', `/auth/sessions/${id}`)).status).toBe(204);
    expect((await laptop.request('DELETE', `/auth/sessions/${id}`)).status).toBe(404);
  });

  it('answers 400 for a malformed id', async () => {
    const { laptop } = await twoDevices();
    for (const id of ['not-a-uuid', 'FAMILY%23x', '00000000-0000-4000-8000-00000000000G']) {
      const res = await laptop.request('DELETE', `/auth/sessions/${id}`);
      expect(res.status, id).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_argument' } });
    }
  });

  it('refuses a request without the CSRF token or from another site', async () => {
    const { laptop } = await twoDevices();
    const id = await idOfOther(laptop);
    const noToken = await laptop.request('DELETE', `/auth/sessions/${id}`, { csrf: false });
    expect(noToken.status).toBe(403);
    const crossSite = await laptop.request('DELETE', `/auth/sessions/${id}`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await list(laptop)).toHaveLength(2);
  });
});

describe('POST /auth/sessions/end-others', () => {
  it('leaves only the caller’s session, refuses every other one, and touches no other user', async () => {
    const { laptop, desktop } = await twoDevices();
    const stranger = await signedInClient(gw);
    const res = await laptop.post('/auth/sessions/end-others');
    expect(res.status).toBe(204);

    expect((await list(laptop)).map((s) => s.current)).toEqual([true]);
    expect((await desktop.get('/auth/me')).status).toBe(401);
    expect((await desktop.post('/auth/refresh')).status).toBe(401);
    expect((await laptop.get('/auth/me')).status).toBe(200);
    expect((await stranger.client.get('/auth/me')).status).toBe(200);
  });

  it('refuses a request without the CSRF token', async () => {
    const { laptop, desktop } = await twoDevices();
    expect((await laptop.request('POST', '/auth/sessions/end-others', { csrf: false })).status).toBe(403);
    expect((await desktop.get('/auth/me')).status).toBe(200);
  });
});

describe('session routes rate limit', () => {
  it('answers 429 auth_per_ip beyond the per-IP limit of the auth routes', async () => {
    const { laptop } = await twoDevices();
    const strict = await extraApp({ ...gw.config, RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: 2 });
    try {
      const cookies = { 'lfusys-access': laptop.cookies.get('lfusys-access') ?? '' };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await strict.inject({ method: 'GET', url: '/api/v1/auth/sessions', cookies })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await strict.close();
    }
  });
});
