import { env } from '../config/fields.ts';
import { ed25519PrivateJwkSchema, jsonEnv } from '../jwt/ed25519-jwk.ts';

/** Config keys of every service that calls sessions (gateway, uploads): its own key and sessions' CA. */
export const sessionsCallerConfigShape = {
  /**
   * This service's private Ed25519 JWK (with `kid`): it signs the short-lived token every call to
   * sessions carries. Sessions lists the public half under this service in GRPC_CALLER_PUBLIC_KEYS.
   */
  SESSIONS_CALLER_KEY: jsonEnv(ed25519PrivateJwkSchema, 'a private Ed25519 JWK with a kid'),
  /** PEM of the CA that issued sessions' TLS certificate; unset = plaintext gRPC (sessions without TLS). */
  SESSIONS_TLS_CA_PEM: env.pem('CERTIFICATE').optional(),
};
