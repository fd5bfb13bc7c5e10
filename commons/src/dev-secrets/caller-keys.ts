import type { JWK } from 'jose';
import { type CallerService, createCallerTokenSigner } from '../grpc/caller-token.ts';
import { generateEd25519Jwk, publicJwkOf } from '../jwt/ed25519-jwk.ts';

/** A fresh key per calling service, and the public map sessions verifies them with (GRPC_CALLER_PUBLIC_KEYS). */
export interface TestCallerKeys {
  gateway: JWK;
  uploads: JWK;
  /** The value of sessions' GRPC_CALLER_PUBLIC_KEYS for these keys. */
  publicKeys: string;
  /** A signer for one of the services (tests that call sessions as that service). */
  signer(service: CallerService): ReturnType<typeof createCallerTokenSigner>;
}

export async function newCallerKeys(): Promise<TestCallerKeys> {
  const [gateway, uploads] = await Promise.all([generateEd25519Jwk(), generateEd25519Jwk()]);
  const keys = { gateway, uploads };
  return {
    ...keys,
    publicKeys: JSON.stringify({ gateway: [publicJwkOf(gateway)], uploads: [publicJwkOf(uploads)] }),
    signer: (service) => createCallerTokenSigner(service, keys[service]),
  };
}
