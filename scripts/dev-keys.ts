/**
 * Prints fresh secrets for docker compose or any deployment:
 * - without arguments, a JWT_PRIVATE_KEYS value (one Ed25519 private JWK);
 * - with `--env`, every secret the services need as `KEY=value` lines (scripts/dev-secrets.ts):
 *   user-token keys, CSRF secret, each caller's key for sessions and their public map, TLS material.
 */
import { generateEd25519Jwk } from '@lfusys/commons';
import { generateDevSecrets, toEnvLines } from './dev-secrets.ts';

if (process.argv.includes('--env')) console.log(toEnvLines(await generateDevSecrets()));
else console.log(JSON.stringify([await generateEd25519Jwk()]));
