import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type CookieNames, cookieOptions } from '../cookies.ts';

/** Clients seeing `details.reason: csrf_token` fetch a new token and retry once. */
const CSRF_MESSAGE = 'missing or invalid CSRF token; fetch one from GET /api/v1/auth/csrf';

export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CsrfOptions {
  secret: string;
  cookies: CookieNames;
  secureCookies: boolean;
  /** Origins whose pages may send unsafe requests (the app's own origin and any configured extras). */
  allowedOrigins: readonly string[];
}

declare module 'fastify' {
  interface FastifyReply {
    /** Sets a fresh CSRF cookie and returns the token the app must echo in `x-csrf-token`. */
    issueCsrfToken(): string;
  }
}

function sign(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`csrf:${nonce}`).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Two layers (OWASP CSRF Prevention Cheat Sheet): a Fetch-Metadata/Origin check that refuses
 * cross-site unsafe requests outright, and a signed double-submit token (cookie + header, HMAC so
 * an attacker cannot mint a pair) for clients that send neither header.
 */
async function csrfPlugin(app: FastifyInstance, options: CsrfOptions): Promise<void> {
  const allowed = new Set(options.allowedOrigins);

  app.decorateReply('issueCsrfToken', function issueCsrfToken(this: FastifyReply): string {
    const nonce = randomBytes(18).toString('base64url');
    const token = `${nonce}.${sign(options.secret, nonce)}`;
    this.setCookie(options.cookies.csrf, token, cookieOptions(options.secureCookies, 'csrf'));
    return token;
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new AppError('permission_denied', 'cross-site request refused');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      throw new AppError('permission_denied', 'request origin not allowed');
    }
    const header = request.headers[CSRF_HEADER];
    const cookie = request.cookies[options.cookies.csrf];
    if (typeof header !== 'string' || !cookie || !safeEqual(header, cookie)) {
      throw new AppError('permission_denied', CSRF_MESSAGE, { details: { reason: 'csrf_token' } });
    }
    const [nonce, mac, extra] = header.split('.');
    if (!nonce || !mac || extra !== undefined || !safeEqual(mac, sign(options.secret, nonce))) {
      throw new AppError('permission_denied', CSRF_MESSAGE, { details: { reason: 'csrf_token' } });
    }
  });
}

export const csrf = fp(csrfPlugin, { name: 'lfusys-csrf', dependencies: ['@fastify/cookie'] });
