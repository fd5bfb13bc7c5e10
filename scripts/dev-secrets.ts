/** Every secret the services need to run locally (`make dev`, docker compose), generated fresh. */
import { randomBytes } from 'node:crypto';
import { generateEd25519Jwk, publicJwkOf } from '@lfusys/commons';
import { generateDevTls } from '@lfusys/commons/testing';

export interface DevSecrets {
  /** Gateway: the keys user tokens are signed with. */
  JWT_PRIVATE_KEYS: string;
  CSRF_SECRET: string;
  /** The gateway's and the uploads workers' SESSIONS_CALLER_KEY (each its own key). */
  GATEWAY_SESSIONS_CALLER_KEY: string;
  UPLOADS_SESSIONS_CALLER_KEY: string;
  /** Sessions: the public halves of the two caller keys. */
  GRPC_CALLER_PUBLIC_KEYS: string;
  /** Sessions serves TLS with these; the callers trust SESSIONS_TLS_CA_PEM. */
  GRPC_TLS_CERT_PEM: string;
  GRPC_TLS_KEY_PEM: string;
  SESSIONS_TLS_CA_PEM: string;
}

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
    GRPC_TLS_CERT_PEM: tls.certPem,
    GRPC_TLS_KEY_PEM: tls.keyPem,
    SESSIONS_TLS_CA_PEM: tls.caPem,
  };
}

/**
 * One `KEY=value` line per secret, readable by docker compose's env_file and by a shell's `source`:
 * JSON single-quoted (literal in both), PEM double-quoted with its newlines written `\n` (compose
 * turns them back into newlines; the services' PEM keys accept either form).
 */
export function toEnvLines(secrets: DevSecrets): string {
  return Object.entries(secrets)
    .map(([key, value]) => (value.includes('\n') ? `${key}="${value.replaceAll('\n', '\\n')}"` : `${key}='${value}'`))
    .join('\n');
}
