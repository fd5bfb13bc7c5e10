import { randomBytes } from 'node:crypto';
import { generateSigningJwk } from '../gateway/src/auth/signing-keys.ts';
import type { SecretGenerator } from './env-file.ts';

/**
 * Every secret the services need to run locally (docker compose's keys file), each made only when
 * missing. In AWS, Secrets Manager holds them and each task receives only its own.
 */
export const LOCAL_SECRETS = {
  /** The gateway's signing keys: a JSON array with one private Ed25519 JWK. */
  JWT_PRIVATE_KEYS: async () => JSON.stringify([await generateSigningJwk()]),
  /** Signs the gateway's CSRF tokens (at least 32 characters). */
  CSRF_SECRET: () => randomBytes(32).toString('base64url'),
} satisfies Record<string, SecretGenerator>;
