import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SIGNING_ALGORITHM } from './jwks-verifier.ts';

/**
 * A new private Ed25519 JWK with a thumbprint `kid` (RFC 7638), in the form the gateway's
 * `JWT_PRIVATE_KEYS` takes: for `make dev`, `scripts/dev-keys.ts` and tests.
 */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _private, ...publicPart } = jwk;
  return { ...jwk, kid: await calculateJwkThumbprint(publicPart) };
}
