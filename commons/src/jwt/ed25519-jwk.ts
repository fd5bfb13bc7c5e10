import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';
import { SIGNING_ALGORITHM } from './jwks-verifier.ts';

/** A new private Ed25519 JWK with its RFC 7638 thumbprint as `kid` (user tokens and service credentials alike). */
export async function generateEd25519Jwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(publicJwkOf(jwk)) };
}

/** The public half of a JWK: everything but the private scalar `d`. */
export function publicJwkOf(jwk: JWK): JWK {
  const { d: _private, ...publicPart } = jwk;
  return publicPart;
}

/** The shape of a public Ed25519 JWK in config (a private one is refused where only public keys belong). */
export const ed25519PublicJwkSchema = z
  .looseObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().min(1),
    kid: z.string().min(1).max(128),
  })
  .refine((jwk) => !('d' in jwk), 'must be a public key (no "d")');

/** The shape of a private Ed25519 JWK in config. */
export const ed25519PrivateJwkSchema = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(128),
});

/** A JSON env value parsed, then checked against `schema`; bad JSON is one clear config issue. */
export const jsonEnv = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${what} (JSON)` });
        return z.NEVER;
      }
    })
    .pipe(schema);
