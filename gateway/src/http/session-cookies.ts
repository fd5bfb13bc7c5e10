import type { FastifyReply } from 'fastify';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { IssuedSession } from '../domain/auth-service.ts';
import { type CookieNames, cookieOptions } from './cookies.ts';

export interface SessionCookieSettings {
  accessTokens: AccessTokens;
  cookies: CookieNames;
  secureCookies: boolean;
}

/** Sets the access and refresh cookies of a new or rotated login session (password or provider sign-in). */
export async function setSessionCookies(
  reply: FastifyReply,
  { accessTokens, cookies, secureCookies }: SessionCookieSettings,
  session: IssuedSession,
): Promise<void> {
  const access = await accessTokens.issue({ userId: session.user.id, sessionId: session.familyId });
  const now = Math.floor(Date.now() / 1000);
  reply.setCookie(cookies.access, access.token, cookieOptions(secureCookies, 'access', access.expiresAt - now));
  reply.setCookie(
    cookies.refresh,
    session.refreshToken,
    cookieOptions(secureCookies, 'refresh', session.expiresAt - now),
  );
}
