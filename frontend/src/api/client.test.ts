import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from './client.ts';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function fakeServer(handler: Handler) {
  const calls: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: (init.headers ?? {}) as Record<string, string> });
    return handler(url, init);
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('ApiClient', () => {
  it('refreshes once for concurrent 401s, then replays every request', async () => {
    let refreshed = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls = fakeServer(async (url) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: 'token-1' });
      if (url.endsWith('/auth/refresh')) {
        await gate;
        refreshed = true;
        return json(200, {});
      }
      return refreshed ? json(200, { ok: url }) : json(401, { error: { code: 'unauthenticated', message: 'expired' } });
    });
    const client = new ApiClient();
    const pending = Promise.all([client.get('/files'), client.get('/uploads'), client.get('/users/me')]);
    await vi.waitFor(() => expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1));
    release();
    expect(await pending).toEqual([{ ok: '/api/v1/files' }, { ok: '/api/v1/uploads' }, { ok: '/api/v1/users/me' }]);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
    // The refresh is an unsafe request: it carried the CSRF header.
    expect(calls.find((c) => c.url.endsWith('/auth/refresh'))?.headers['x-csrf-token']).toBe('token-1');
  });

  it('asks to sign in again when the refresh fails, and surfaces the 401 when the user does not', async () => {
    fakeServer((url) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: 't' });
      return json(401, { error: { code: 'unauthenticated', message: 'no session' } });
    });
    const client = new ApiClient();
    const reauthenticate = vi.fn(() => Promise.resolve(false));
    client.reauthenticate = reauthenticate;
    await expect(client.get('/files')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(reauthenticate).toHaveBeenCalledOnce();
  });

  it('asks once when the refresh shared by concurrent 401s fails', async () => {
    fakeServer((url) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: 't' });
      return json(401, { error: { code: 'session_ended', message: 'this session has ended' } });
    });
    const client = new ApiClient();
    const reauthenticate = vi.fn(() => Promise.resolve(false));
    client.reauthenticate = reauthenticate;
    const all = await Promise.allSettled([client.get('/files'), client.get('/auth/sessions'), client.get('/users/me')]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The page learns once that the server ended the session (a second ask would read the first
    // one's cleared state and say otherwise).
    expect(reauthenticate).toHaveBeenCalledOnce();
  });

  it('holds the requests that met an expired session until the user signs in again, then replays them', async () => {
    let session = 'expired';
    let csrf = 'before';
    const calls = fakeServer((url, init) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: csrf });
      if (url.endsWith('/auth/refresh'))
        return json(401, { error: { code: 'unauthenticated', message: 'no session' } });
      if (session === 'expired') return json(401, { error: { code: 'unauthenticated', message: 'expired' } });
      const sent = (init.headers as Record<string, string>)['x-csrf-token'];
      return json(200, { url, method: init.method ?? 'GET', csrf: sent ?? null });
    });
    const client = new ApiClient();
    let signIn: (again: boolean) => void = () => {};
    client.reauthenticate = vi.fn(() => new Promise<boolean>((resolve) => (signIn = resolve)));
    const rename = client.patch('/files/f1', { name: 'b' });
    const list = client.get('/files');
    await vi.waitFor(() => expect(client.reauthenticate).toHaveBeenCalledOnce());
    // Signed in again: a new session and a new CSRF cookie.
    session = 'fresh';
    csrf = 'after';
    signIn(true);
    expect(await rename).toEqual({ url: '/api/v1/files/f1', method: 'PATCH', csrf: 'after' });
    expect(await list).toEqual({ url: '/api/v1/files', method: 'GET', csrf: null });
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('waits for the sign-in when the expired cookies took the CSRF cookie too (403 csrf, then 401)', async () => {
    let session = 'expired';
    let csrfCookie = 'gone';
    fakeServer((url, init) => {
      if (url.endsWith('/auth/csrf')) {
        csrfCookie = 'fresh';
        return json(200, { csrfToken: 'fresh' });
      }
      const sent = (init.headers as Record<string, string>)['x-csrf-token'];
      if (init.method === 'PATCH' && sent !== csrfCookie)
        return json(403, { error: { code: 'permission_denied', message: 'csrf', details: { reason: 'csrf_token' } } });
      if (session === 'expired') return json(401, { error: { code: 'unauthenticated', message: 'sign in required' } });
      return json(200, { renamed: true });
    });
    const client = new ApiClient();
    // A token fetched before the cookies expired.
    await client.post('/auth/logout').catch(() => undefined);
    csrfCookie = 'gone';
    let signIn: (again: boolean) => void = () => {};
    client.reauthenticate = vi.fn(() => new Promise<boolean>((resolve) => (signIn = resolve)));
    const rename = client.patch('/files/f1', { name: 'b' });
    await vi.waitFor(() => expect(client.reauthenticate).toHaveBeenCalledOnce());
    session = 'fresh';
    signIn(true);
    expect(await rename).toEqual({ renamed: true });
  });

  it('never refreshes for a failed login', async () => {
    const calls = fakeServer((url) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: 't' });
      return json(401, { error: { code: 'unauthenticated', message: 'wrong email or password' } });
    });
    await expect(new ApiClient().post('/auth/login', { email: 'a', password: 'b' })).rejects.toBeInstanceOf(ApiError);
    expect(calls.some((c) => c.url.endsWith('/auth/refresh'))).toBe(false);
  });

  it('fetches a new CSRF token and retries once when the server refuses the old one', async () => {
    let token = 'old';
    const calls = fakeServer((url, init) => {
      if (url.endsWith('/auth/csrf')) return json(200, { csrfToken: token });
      const sent = (init.headers as Record<string, string>)['x-csrf-token'];
      if (sent === 'new') return new Response(null, { status: 204 });
      token = 'new';
      return json(403, { error: { code: 'permission_denied', message: 'csrf', details: { reason: 'csrf_token' } } });
    });
    await expect(new ApiClient().delete('/files/x')).resolves.toBeUndefined();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.headers['x-csrf-token'])).toEqual(['old', 'new']);
  });

  it('turns error bodies into ApiError with code, message and Retry-After', async () => {
    fakeServer(() =>
      json(429, { error: { code: 'resource_exhausted', message: 'slow down' } }, { 'retry-after': '7' }),
    );
    await expect(new ApiClient().get('/files')).rejects.toMatchObject({
      status: 429,
      code: 'resource_exhausted',
      message: 'slow down',
      retryAfterSeconds: 7,
    });
  });
});
