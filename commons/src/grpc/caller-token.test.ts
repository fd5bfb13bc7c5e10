import { importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateEd25519Jwk, publicJwkOf } from '../jwt/ed25519-jwk.ts';
import { SIGNING_ALGORITHM } from '../jwt/jwks-verifier.ts';
import {
  CALLER_TOKEN_TYPE,
  callerPublicKeysSchema,
  createCallerTokenSigner,
  createCallerTokenVerifier,
  SESSIONS_AUDIENCE,
} from './caller-token.ts';

async function setup() {
  const [gateway, uploads] = await Promise.all([generateEd25519Jwk(), generateEd25519Jwk()]);
  const verify = await createCallerTokenVerifier({ gateway: [publicJwkOf(gateway)], uploads: [publicJwkOf(uploads)] });
  return { gateway, uploads, verify };
}

const RPC = '/lfusys.sessions.v1.SessionsService/GetUpload';

describe('caller tokens', () => {
  it('carry the service, RPC, user and upload the caller signed', async () => {
    const { uploads, verify } = await setup();
    const sign = await createCallerTokenSigner('uploads', uploads);
    expect(await verify(await sign({ rpc: RPC, user: 'alice', upload: 'u1' }))).toEqual({
      service: 'uploads',
      rpc: RPC,
      user: 'alice',
      upload: 'u1',
    });
  });

  it('refuse another audience, another type, and a token without an id', async () => {
    const { gateway, verify } = await setup();
    const key = await importJWK(gateway, SIGNING_ALGORITHM);
    const now = Math.floor(Date.now() / 1000);
    const base = () =>
      new SignJWT({ rpc: RPC, user: 'alice' })
        .setSubject('gateway')
        .setIssuedAt(now)
        .setExpirationTime(now + 30);
    const tokens = [
      // An access token's audience and type.
      base()
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: 'at+jwt', kid: gateway.kid as string })
        .setAudience('lfusys')
        .setJti('j'),
      base()
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: CALLER_TOKEN_TYPE, kid: gateway.kid as string })
        .setAudience('uploads')
        .setJti('j'),
      base()
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: CALLER_TOKEN_TYPE, kid: gateway.kid as string })
        .setAudience(SESSIONS_AUDIENCE),
    ];
    for (const token of tokens) {
      await expect(verify(await token.sign(key))).rejects.toMatchObject({ code: 'unauthenticated' });
    }
  });

  it('refuse a service key that signs for another service', async () => {
    const { gateway, verify } = await setup();
    const sign = await createCallerTokenSigner('uploads', gateway);
    await expect(verify(await sign({ rpc: RPC, user: 'alice', upload: 'u1' }))).rejects.toMatchObject({
      code: 'unauthenticated',
      message: expect.stringContaining('another service key'),
    });
  });
});

describe('GRPC_CALLER_PUBLIC_KEYS', () => {
  it('accepts public keys per service and refuses private ones, unknown services and shared kids', async () => {
    const key = await generateEd25519Jwk();
    const pub = publicJwkOf(key);
    expect(callerPublicKeysSchema.safeParse({ gateway: [pub] }).success).toBe(true);
    expect(callerPublicKeysSchema.safeParse({ gateway: [key] }).success).toBe(false);
    expect(callerPublicKeysSchema.safeParse({ browser: [pub] }).success).toBe(false);
    expect(callerPublicKeysSchema.safeParse({ gateway: [pub], uploads: [pub] }).success).toBe(false);
  });
});
