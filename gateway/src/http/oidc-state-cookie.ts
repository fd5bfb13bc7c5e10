import { hkdfSync, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorizationChecks } from '../oidc/identity-provider.ts';

/** A provider sign-in must come back within this long (the state cookie's lifetime). */
const STATE_TTL_SECONDS = 600;

/** What the browser carries from `/start` to `/callback`: the checks, whose provider, and where to go after. */
export interface PendingSignIn extends AuthorizationChecks {
  provider: string;
  returnTo: string;
}

/**
 * The key @fastify/cookie signs the state cookie with, derived from CSRF_SECRET (HKDF, RFC 5869) so
 * it is never the same key as the CSRF tokens'. Signing is defence in depth: the `__Host-` prefix
 * already stops other hosts from planting the cookie; the signature also covers plain-http local runs.
 */
export function stateCookieKey(csrfSecret: string): string {
  return Buffer.from(hkdfSync('sha256', csrfSecret, '', 'lfusys oidc state cookie', 32)).toString('base64url');
}

/**
 * HttpOnly, `__Host-` when Secure, and SameSite=Lax, not Strict: the callback is a top-level
 * navigation coming from the provider's site, on which browsers do not send Strict cookies.
 */
export class OidcStateCookie {
  readonly name: string;

  constructor(private readonly secure: boolean) {
    this.name = secure ? '__Host-lfusys-oidc' : 'lfusys-oidc';
  }

  set(reply: FastifyReply, pending: PendingSignIn): void {
    const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
    reply.setCookie(this.name, value, { ...this.options(), maxAge: STATE_TTL_SECONDS, signed: true });
  }

  /** The pending sign-in, or null when the cookie is missing, expired, tampered with or malformed. */
  read(request: FastifyRequest): PendingSignIn | null {
    const raw = request.cookies[this.name];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return null;
    try {
      const parsed = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
      const fields = [parsed.provider, parsed.returnTo, parsed.state, parsed.nonce, parsed.codeVerifier];
      return fields.every((f) => typeof f === 'string' && f.length > 0) ? (parsed as PendingSignIn) : null;
    } catch {
      return null;
    }
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(this.name, this.options());
  }

  private options(): CookieSerializeOptions {
    return { secure: this.secure, httpOnly: true, sameSite: 'lax', path: '/' };
  }
}

/** Constant-time comparison of the callback's `state` with the cookie's. */
export function sameState(received: unknown, expected: string): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Where to send the browser after signing in: a path on our own origin, else `/` (OWASP
 * Unvalidated Redirects cheat sheet). `//evil.example` and `/\evil.example` are other origins to
 * a browser, so the check resolves the value against our origin and compares origins.
 */
export function safeReturnTo(raw: string | undefined, publicOrigin: string): string {
  if (!raw?.startsWith('/')) return '/';
  // Browsers drop tabs and newlines from URLs and read `\` as `/`: refuse both rather than guess.
  if ([...raw].some((c) => c < ' ' || c === '\\')) return '/';
  const origin = new URL(publicOrigin).origin;
  const url = URL.canParse(raw, origin) ? new URL(raw, origin) : null;
  return url && url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
}
