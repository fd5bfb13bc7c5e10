import { ApiError } from '../upload-engine/types.ts';
import { type BrowserTrace, traceHeaders } from './trace-context.ts';

export { ApiError };

export const API_BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** Where a 401 means "wrong credentials" or "no session", never "access token expired". */
const NO_REFRESH = new Set(['/auth/login', '/auth/register', '/auth/refresh', '/auth/logout']);

/**
 * The one way the app talks to the gateway: cookies only (no tokens in JS), the CSRF header on
 * unsafe requests, and on a 401 one silent refresh shared by every request that hit it
 * (single-flight), then one replay. When the refresh fails, `reauthenticate` decides: the app
 * lets a signed-in user sign in again in place (the requests wait, then replay) and otherwise
 * ends the session; it resolves whether the requests may be replayed. Every request carries a W3C
 * `traceparent`: of the user action it belongs to when one is given (an upload's requests share
 * one trace), otherwise of a trace of its own.
 */
export class ApiClient {
  private csrf: Promise<string> | undefined;
  private refreshing: Promise<boolean> | undefined;
  reauthenticate: () => Promise<boolean> = () => Promise.resolve(false);

  async request<T>(method: Method, path: string, body?: unknown, action?: BrowserTrace): Promise<T> {
    const first = await this.sendWithCsrf(method, path, body, action);
    if (first.status === 401 && !NO_REFRESH.has(path) && (await this.refresh())) {
      return this.parse<T>(await this.sendWithCsrf(method, path, body, action));
    }
    return this.parse<T>(first);
  }

  get = <T>(path: string) => this.request<T>('GET', path);
  post = <T>(path: string, body?: unknown) => this.request<T>('POST', path, body);
  patch = <T>(path: string, body?: unknown) => this.request<T>('PATCH', path, body);
  delete = <T>(path: string, body?: unknown) => this.request<T>('DELETE', path, body);

  /** A fresh CSRF token after sign-in or sign-out (the cookie may have changed). */
  resetCsrf(): void {
    this.csrf = undefined;
  }

  private async send(method: Method, path: string, body?: unknown, action?: BrowserTrace): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...traceHeaders(action) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (UNSAFE.has(method)) headers['x-csrf-token'] = await this.csrfToken();
    return fetch(`${API_BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  /**
   * Sends; a CSRF refusal (the token no longer matches its cookie, e.g. the cookies expired) is
   * sent once more with a fresh token, so what the server says next (a 401) is about the session.
   */
  private async sendWithCsrf(method: Method, path: string, body?: unknown, action?: BrowserTrace): Promise<Response> {
    const res = await this.send(method, path, body, action);
    if (res.status !== 403 || !UNSAFE.has(method) || !(await isCsrfRefusal(res.clone()))) return res;
    this.csrf = undefined;
    return this.send(method, path, body, action);
  }

  private csrfToken(): Promise<string> {
    this.csrf ??= fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin', headers: traceHeaders() })
      .then((res) => this.parse<{ csrfToken: string }>(res))
      .then((r) => r.csrfToken)
      .catch((err: unknown) => {
        this.csrf = undefined;
        throw err;
      });
    return this.csrf;
  }

  /**
   * Single-flight: concurrent 401s wait for the same refresh, and a failed one asks
   * `reauthenticate` once (a second ask, seeing the first one's cleared state, would tell the page
   * otherwise); requests meeting a 401 meanwhile wait for the same answer.
   */
  private refresh(): Promise<boolean> {
    this.refreshing ??= this.sendWithCsrf('POST', '/auth/refresh')
      .then((res) => res.ok)
      .catch(() => false)
      .then((ok) => ok || this.signInAgain())
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Signed in again: the CSRF cookie changed with the session, so the next unsafe request fetches it anew. */
  private async signInAgain(): Promise<boolean> {
    const again = await this.reauthenticate();
    if (again) this.resetCsrf();
    return again;
  }

  private async parse<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const error = (
      json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined
    )?.error;
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new ApiError(
      res.status,
      error?.code ?? 'unknown',
      error?.message ?? `request failed (${res.status})`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      // e.g. which part a confirmation refused (`details.index`).
      error?.details !== null && typeof error?.details === 'object' ? error.details : undefined,
    );
  }
}

async function isCsrfRefusal(res: Response): Promise<boolean> {
  const body = (await res.json().catch(() => undefined)) as { error?: { details?: { reason?: string } } } | undefined;
  return body?.error?.details?.reason === 'csrf_token';
}

export const api = new ApiClient();
