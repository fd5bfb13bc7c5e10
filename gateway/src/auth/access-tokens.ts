import { AppError, createTokenVerifier, SESSION_ID_CLAIM, type TokenVerifier } from '@lfusys/commons';
import { createLocalJWKSet } from 'jose';
import type { Clock } from '../ports/clock.ts';
import { signToken } from './sign-token.ts';
import type { SigningKeyRing } from './signing-keys.ts';

/** RFC 9068 media type for JWT access tokens; explicit typing stops other token kinds passing as access tokens. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const GATEWAY_AUDIENCE = 'lfusys-gateway';

export interface AccessClaims {
  userId: string;
  /** The login session (refresh-token family) the token was issued in. */
  sessionId: string;
}

export interface AccessTokens {
  issue(claims: AccessClaims): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<AccessClaims>;
}

export function createAccessTokens(options: {
  keys: SigningKeyRing;
  issuer: string;
  ttlSeconds: number;
  clock: Clock;
}): AccessTokens {
  const verifyJwt: TokenVerifier = createTokenVerifier(createLocalJWKSet(options.keys.jwks), {
    issuer: options.issuer,
    audience: GATEWAY_AUDIENCE,
    type: ACCESS_TOKEN_TYPE,
  });
  return {
    issue: ({ userId, sessionId }) =>
      signToken(options, {
        type: ACCESS_TOKEN_TYPE,
        audience: GATEWAY_AUDIENCE,
        subject: userId,
        ttlSeconds: options.ttlSeconds,
        claims: { [SESSION_ID_CLAIM]: sessionId },
      }),
    async verify(token) {
      const payload = await verifyJwt(token);
      if (typeof payload.sub !== 'string' || typeof payload[SESSION_ID_CLAIM] !== 'string') {
        throw new AppError('unauthenticated', 'invalid token');
      }
      return { userId: payload.sub, sessionId: payload[SESSION_ID_CLAIM] };
    },
  };
}
