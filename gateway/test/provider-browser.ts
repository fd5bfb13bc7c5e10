import type { RunningGateway } from './harness.ts';
import { TestClient } from './harness.ts';

export interface Navigation {
  status: number;
  location: string;
  setCookies: string[];
}

/**
 * A browser stand-in for provider sign-in: follows redirects one at a time, keeps the gateway's
 * cookies in a TestClient (so API calls after sign-in carry them) and the provider's in its own
 * jar, and fills in the dev provider's Email page. The provider redirects to the configured
 * PUBLIC_ORIGIN; those URLs are sent to the gateway's real address instead.
 */
export class ProviderBrowser {
  readonly gateway: TestClient;
  private readonly providerCookies = new Map<string, string>();

  constructor(private readonly gw: RunningGateway) {
    this.gateway = new TestClient(gw.api);
  }

  /** A GET navigation to the gateway (path under /api/v1, or a URL on PUBLIC_ORIGIN). */
  async visit(target: string): Promise<Navigation> {
    const url = target.startsWith('/') ? `${this.gw.api}${target}` : this.onGateway(target);
    return this.navigate(url, this.gateway.cookies);
  }

  /**
   * Starts signing in with `provider`, types `email` on the dev provider's page (or clicks Cancel
   * when `cancel`), and returns the callback URL the provider sends the browser to (not visited).
   */
  async authorize(provider: string, email: string, options: { returnTo?: string; cancel?: boolean } = {}) {
    const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
    const start = await this.visit(`/auth/oidc/${provider}/start${query}`);
    if (start.status !== 302) throw new Error(`start answered ${start.status}`);
    let url = start.location;
    for (let hop = 0; hop < 10; hop++) {
      if (url.startsWith(this.gw.config.PUBLIC_ORIGIN)) return new URL(url);
      const res = await this.fetchProvider(url, { method: 'GET' });
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location') ?? '', url).href;
        continue;
      }
      const html = await res.text();
      if (res.status !== 200 || !html.includes('name="email"')) throw new Error(`provider page ${res.status}`);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
      const target = new URL(options.cancel ? `${action}/abort` : action, url).href;
      const posted = await this.fetchProvider(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email }).toString(),
      });
      url = new URL(posted.headers.get('location') ?? '', target).href;
    }
    throw new Error('too many redirects');
  }

  /** The whole sign-in: authorize, then visit the callback. */
  async signIn(provider: string, email: string, options: { returnTo?: string } = {}): Promise<Navigation> {
    return this.visit((await this.authorize(provider, email, options)).href);
  }

  onGateway(url: string): string {
    const parsed = new URL(url);
    return `${this.gw.baseUrl}${parsed.pathname}${parsed.search}`;
  }

  private async navigate(url: string, jar: Map<string, string>): Promise<Navigation> {
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers });
    const setCookies = res.headers.getSetCookie();
    store(jar, setCookies);
    await res.arrayBuffer();
    return { status: res.status, location: res.headers.get('location') ?? '', setCookies };
  }

  private async fetchProvider(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.providerCookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie } });
    store(this.providerCookies, res.headers.getSetCookie());
    return res;
  }
}

/** Keeps set cookies and drops cleared ones (empty value or already expired). */
function store(jar: Map<string, string>, lines: string[]): void {
  for (const line of lines) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = /max-age=0|expires=thu, 01 jan 1970/i.test(line);
    if (!value || expired) jar.delete(name);
    else jar.set(name, value);
  }
}
