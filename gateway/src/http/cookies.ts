import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';

export const API_PREFIX = '/api/v1';
/** The refresh cookie travels only to the auth endpoints that consume it (refresh, logout). */
export const REFRESH_COOKIE_PATH = `${API_PREFIX}/auth`;

export interface CookieNames {
  access: string;
  refresh: string;
  csrf: string;
}

/**
 * `__Host-` binds a cookie to this exact host with Path=/ and Secure (RFC 6265bis §4.1.3.2), so a
 * sibling subdomain cannot overwrite it; `__Secure-` is the strongest prefix a path-scoped cookie
 * can have. Without Secure (plain-http local runs) browsers reject both prefixes, so none is used.
 */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { access: '__Host-lfusys-access', refresh: '__Secure-lfusys-refresh', csrf: '__Host-lfusys-csrf' }
    : { access: 'lfusys-access', refresh: 'lfusys-refresh', csrf: 'lfusys-csrf' };
}

export function cookieOptions(
  secure: boolean,
  kind: keyof CookieNames,
  maxAgeSeconds?: number,
): CookieSerializeOptions {
  return {
    secure,
    // The CSRF cookie must be readable by the app's JS (double submit); the others never are.
    httpOnly: kind !== 'csrf',
    sameSite: 'strict',
    path: kind === 'refresh' ? REFRESH_COOKIE_PATH : '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** Signs the browser out: drops the access and refresh cookies (the CSRF cookie stays, it is not a credential). */
export function clearSessionCookies(reply: FastifyReply, cookies: CookieNames, secure: boolean): void {
  reply.clearCookie(cookies.access, cookieOptions(secure, 'access'));
  reply.clearCookie(cookies.refresh, cookieOptions(secure, 'refresh'));
}
