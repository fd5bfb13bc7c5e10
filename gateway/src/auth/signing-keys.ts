import { SIGNING_ALGORITHM } from '@lfusys/commons';
import { calculateJwkThumbprint, importJWK, type JWK, type KeyObject } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/** The active key signs; every key (active first, then those being retired) is published in the JWKS. */
export interface SigningKeyRing {
  active: SigningKey;
  jwks: { keys: JWK[] };
}

/**
 * Builds the key ring from private Ed25519 JWKs. Rotation: prepend the new key, keep the old one
 * second until every token it signed has expired (access TTL), then drop it.
 */
export async function loadSigningKeys(privateJwks: readonly JWK[]): Promise<SigningKeyRing> {
  const keys: SigningKey[] = [];
  for (const jwk of privateJwks) {
    const privateKey = (await importJWK(jwk, SIGNING_ALGORITHM)) as KeyObject;
    const { d: _private, ...publicPart } = jwk;
    const kid = jwk.kid ?? (await calculateJwkThumbprint(publicPart));
    keys.push({ kid, privateKey, publicJwk: { ...publicPart, kid, alg: SIGNING_ALGORITHM, use: 'sig' } });
  }
  const [active] = keys;
  if (!active) throw new Error('at least one signing key is required');
  return { active, jwks: { keys: keys.map((k) => k.publicJwk) } };
}
