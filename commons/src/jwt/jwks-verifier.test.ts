import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { createJwksVerifier } from './jwks-verifier.ts';

const expect_ = { issuer: 'lfusys', audience: 'uploads', type: 'upload+jwt' };
let server: Server;
let jwksUrl: string;
const published: { keys: JWK[] } = { keys: [] };
let fetches = 0;

async function newKey() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicJwk: { ...jwk, kid, alg: 'EdDSA' } };
}

function sign(
  key: Awaited<ReturnType<typeof newKey>>,
  overrides: { aud?: string; typ?: string; expSeconds?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: key.publicJwk.kid, typ: overrides.typ ?? 'upload+jwt' })
    .setIssuer('lfusys')
    .setAudience(overrides.aud ?? 'uploads')
    .setSubject('user-1')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (overrides.expSeconds ?? 300))
    .sign(key.privateKey);
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(published));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('createJwksVerifier', () => {
  it('verifies tokens against the fetched key set and caches it', async () => {
    const key = await newKey();
    published.keys = [key.publicJwk];
    const verify = createJwksVerifier(jwksUrl, expect_);
    const before = fetches;
    expect((await verify(await sign(key))).sub).toBe('user-1');
    expect((await verify(await sign(key))).sub).toBe('user-1');
    expect(fetches - before).toBe(1);
  });

  it('picks up a rotated key by refetching on an unknown kid', async () => {
    const oldKey = await newKey();
    published.keys = [oldKey.publicJwk];
    const verify = createJwksVerifier(jwksUrl, expect_, { cooldownMs: 10 });
    await verify(await sign(oldKey));
    const newKey_ = await newKey();
    published.keys = [newKey_.publicJwk, oldKey.publicJwk];
    await new Promise((r) => setTimeout(r, 20));
    expect((await verify(await sign(newKey_))).sub).toBe('user-1');
  });

  it('rejects wrong audience, wrong type, expiry and unknown signers as unauthenticated', async () => {
    const key = await newKey();
    published.keys = [key.publicJwk];
    const verify = createJwksVerifier(jwksUrl, expect_);
    const stranger = await newKey();
    for (const token of [
      await sign(key, { aud: 'gateway' }),
      await sign(key, { typ: 'at+jwt' }),
      await sign(key, { expSeconds: -120 }),
      await sign(stranger),
      'not.a.jwt',
    ]) {
      const err = await verify(token).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('unauthenticated');
    }
  });
});
