/** Every secret the services need to run locally (`make dev`, docker compose's keys file), generated fresh. */
import { randomBytes } from 'node:crypto';
import { generateEd25519Jwk, publicJwkOf } from '../jwt/ed25519-jwk.ts';
import { generateDevTls } from './dev-tls.ts';

export interface DevSecrets {
  /** Gateway: the keys user tokens are signed with. */
  JWT_PRIVATE_KEYS: string;
  CSRF_SECRET: string;
  /** The gateway's and the uploads workers' SESSIONS_CALLER_KEY (each its own key). */
  GATEWAY_SESSIONS_CALLER_KEY: string;
  UPLOADS_SESSIONS_CALLER_KEY: string;
  /** Sessions: the public halves of the two caller keys. */
  GRPC_CALLER_PUBLIC_KEYS: string;
  /** Sessions serves TLS with these; the callers trust SESSIONS_TLS_CA_PEM. One line each (newlines written `\n`). */
  GRPC_TLS_CERT_PEM: string;
  GRPC_TLS_KEY_PEM: string;
  SESSIONS_TLS_CA_PEM: string;
}

/** PEM on one line, its newlines written `\n`: env files hold one line per value, and the PEM keys accept it. */
const oneLine = (pem: string) => pem.trimEnd().replaceAll('\n', '\\n');

export async function generateDevSecrets(): Promise<DevSecrets> {
  const [signing, gateway, uploads] = await Promise.all([
    generateEd25519Jwk(),
    generateEd25519Jwk(),
    generateEd25519Jwk(),
  ]);
  const tls = await generateDevTls();
  return {
    JWT_PRIVATE_KEYS: JSON.stringify([signing]),
    CSRF_SECRET: randomBytes(32).toString('base64url'),
    GATEWAY_SESSIONS_CALLER_KEY: JSON.stringify(gateway),
    UPLOADS_SESSIONS_CALLER_KEY: JSON.stringify(uploads),
    GRPC_CALLER_PUBLIC_KEYS: JSON.stringify({ gateway: [publicJwkOf(gateway)], uploads: [publicJwkOf(uploads)] }),
    GRPC_TLS_CERT_PEM: oneLine(tls.certPem),
    GRPC_TLS_KEY_PEM: oneLine(tls.keyPem),
    SESSIONS_TLS_CA_PEM: oneLine(tls.caPem),
  };
}
