import { z } from 'zod';
import { env } from '../config/fields.ts';
import { ed25519PrivateJwkSchema, jsonEnv } from '../jwt/ed25519-jwk.ts';

/**
 * Where a caller of sessions finds its keys in AWS (commons/src/secrets/service-keys.ts): secret
 * ids (names or ARNs). Each is read only when the plain value it stands for is unset.
 */
export const sessionsCallerSecretsShape = {
  /** This service's private caller key; created on the first start when it has no value. Stands for SESSIONS_CALLER_KEY. */
  SESSIONS_CALLER_KEY_SECRET_ID: z.string().min(1).optional(),
  /** Where this service publishes the public half of its caller key, for sessions. */
  SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID: z.string().min(1).optional(),
  /** Where sessions publishes the CA of its TLS certificate; waited for at start. Stands for SESSIONS_TLS_CA_PEM. */
  SESSIONS_TLS_CA_SECRET_ID: z.string().min(1).optional(),
};

/** Config keys of every service that calls sessions (gateway, uploads): its own key and sessions' CA. */
export const sessionsCallerConfigShape = {
  /**
   * This service's private Ed25519 JWK (with `kid`): it signs the short-lived token every call to
   * sessions carries. Sessions lists the public half under this service in GRPC_CALLER_PUBLIC_KEYS.
   * Required, unless SESSIONS_CALLER_KEY_SECRET_ID names the secret it is read from at start.
   */
  SESSIONS_CALLER_KEY: jsonEnv(ed25519PrivateJwkSchema, 'a private Ed25519 JWK with a kid'),
  /** PEM of the CA that issued sessions' TLS certificate; unset = plaintext gRPC (sessions without TLS). */
  SESSIONS_TLS_CA_PEM: env.pem('CERTIFICATE').optional(),
  ...sessionsCallerSecretsShape,
};
