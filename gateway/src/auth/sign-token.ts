import { randomUUID } from 'node:crypto';
import { SIGNING_ALGORITHM } from '@lfusys/commons';
import { type JWTPayload, SignJWT } from 'jose';
import type { Clock } from '../ports/clock.ts';
import type { SigningKeyRing } from './signing-keys.ts';

/**
 * Signs one of our JWTs with the active key: explicit `typ` (RFC 8725), issuer, audience,
 * subject, issued-at/not-before/expiry from the clock, and a unique `jti`.
 */
export async function signToken(
  options: { keys: SigningKeyRing; issuer: string; clock: Clock },
  token: { type: string; audience: string; subject: string; ttlSeconds: number; claims: JWTPayload },
): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(options.clock.now() / 1000);
  const expiresAt = now + token.ttlSeconds;
  const jwt = await new SignJWT(token.claims)
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: options.keys.active.kid, typ: token.type })
    .setIssuer(options.issuer)
    .setAudience(token.audience)
    .setSubject(token.subject)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(options.keys.active.privateKey);
  return { token: jwt, expiresAt };
}
