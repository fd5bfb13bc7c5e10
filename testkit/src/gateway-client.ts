import { randomUUID } from 'node:crypto';

export interface StoredCookie {
  value: string;
  attributes: string[];
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
  setCookies: Map<string, StoredCookie>;
}

/** A minimal browser stand-in: a cookie jar, the CSRF header on unsafe requests, JSON bodies. */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly api: string,
    private readonly csrfCookie = 'lfusys-csrf',
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; rawBody?: string; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<TestResponse> {
    const unsafe = !['GET', 'HEAD'].includes(method);
    if (unsafe && options.csrf !== false && !this.cookies.has(this.csrfCookie)) await this.request('GET', '/auth/csrf');
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (unsafe && options.csrf !== false) headers['x-csrf-token'] = this.cookies.get(this.csrfCookie) ?? '';
    let body: string | undefined = options.rawBody;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.api}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const setCookies = parseSetCookies(res.headers.getSetCookie());
    for (const [name, cookie] of setCookies) {
      const expired = cookie.attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
      if (expired || cookie.value === '') this.cookies.delete(name);
      else this.cookies.set(name, cookie.value);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text, setCookies };
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request('GET', path, { ...(headers ? { headers } : {}) });
  post = (path: string, json?: unknown) => this.request('POST', path, json === undefined ? {} : { json });
}

function parseSetCookies(lines: string[]): Map<string, StoredCookie> {
  const cookies = new Map<string, StoredCookie>();
  for (const line of lines) {
    const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), { value: decodeURIComponent(pair.slice(eq + 1)), attributes });
  }
  return cookies;
}

let counter = 0;
/** A unique, valid email and a password that passes the policy. */
export function newCredentials(): { name: string; email: string; password: string } {
  counter += 1;
  return {
    name: `User ${counter}`,
    email: `user-${randomUUID()}@example.com`,
    password: `long-enough-pass-${counter}`,
  };
}

/** Registers and signs in a fresh user at the gateway API `api`; returns the client holding its cookies. */
export async function signUp(
  api: string,
): Promise<{ client: TestClient; creds: ReturnType<typeof newCredentials>; userId: string }> {
  const creds = newCredentials();
  const client = new TestClient(api);
  const reg = await client.post('/auth/register', creds);
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const login = await client.post('/auth/login', { email: creds.email, password: creds.password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { client, creds, userId: (login.body as { user: { id: string } }).user.id };
}
