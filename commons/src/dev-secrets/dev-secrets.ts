/** Every secret the services need to run locally (docker compose's keys file), generated fresh. */
import { randomBytes } from 'node:crypto';
import { generateSigningJwk } from '../jwt/signing-jwk.ts';

export interface DevSecrets {
  /** Gateway: the keys user tokens are signed with (a JSON array with one private Ed25519 JWK). */
  JWT_PRIVATE_KEYS: string;
  /** Gateway: signs its CSRF tokens (at least 32 characters). */
  CSRF_SECRET: string;
}

export async function generateDevSecrets(): Promise<DevSecrets> {
  return {
    JWT_PRIVATE_KEYS: JSON.stringify([await generateSigningJwk()]),
    CSRF_SECRET: randomBytes(32).toString('base64url'),
  };
}
