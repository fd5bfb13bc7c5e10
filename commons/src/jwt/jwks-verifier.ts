import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { AppError } from '../errors/app-error.ts';

/** The only algorithm our issuer signs with; pinned so `alg: none`/HS256 confusion can never verify. */
export const SIGNING_ALGORITHM = 'EdDSA';

export interface TokenExpectations {
  issuer: string;
  audience: string;
  /** The JWT `typ` header (RFC 8725 §3.11 explicit typing), e.g. `at+jwt`. */
  type: string;
  /** Allowed clock skew in seconds. */
  clockToleranceSeconds?: number;
}

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/** Verifies a compact JWT against a key set with every expectation enforced; failures are `unauthenticated`. */
export function createTokenVerifier(keys: JWTVerifyGetKey, expect: TokenExpectations): TokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [SIGNING_ALGORITHM],
        issuer: expect.issuer,
        audience: expect.audience,
        typ: expect.type,
        clockTolerance: expect.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout) {
        throw new AppError('unavailable', 'cannot fetch signing keys', { cause: err });
      }
      if (err instanceof joseErrors.JOSEError) {
        const reason = err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
        throw new AppError('unauthenticated', reason, { cause: err });
      }
      throw new AppError('unavailable', 'cannot verify token', { cause: err });
    }
  };
}

/**
 * A verifier that fetches the issuer's JWKS over HTTP and caches it; an unknown `kid` triggers a
 * refetch (at most once per cooldown), which is how key rotation reaches verifiers. Rotation
 * therefore publishes a new key in the JWKS before signing with it (see docs/security.md).
 */
export function createJwksVerifier(
  jwksUrl: string,
  expect: TokenExpectations,
  cache: { cooldownMs?: number; maxAgeMs?: number } = {},
): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: cache.cooldownMs ?? 30_000,
    cacheMaxAge: cache.maxAgeMs ?? 10 * 60_000,
  });
  return createTokenVerifier(keys, expect);
}
