import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateEd25519Jwk, publicJwkOf } from '../jwt/ed25519-jwk.ts';
import { type CallerService, createCallerTokenSigner } from './caller-token.ts';
import { createRefreshingCallerTokenVerifier } from './refreshing-caller-verifier.ts';

const call = { rpc: '/lfusys.sessions.v1.Sessions/GetUpload', user: 'u1', upload: 'up1' };

describe('createRefreshingCallerTokenVerifier', () => {
  it('accepts a caller that published its key after sessions started, reloading once', async () => {
    const uploads = await generateEd25519Jwk();
    let published: Partial<Record<CallerService, JWK[]>> = {};
    let loads = 0;
    let t = 0;
    const verify = await createRefreshingCallerTokenVerifier(
      async () => {
        loads++;
        return published;
      },
      { now: () => t },
    );
    published = { uploads: [publicJwkOf(uploads)] };
    t = 5000;
    const token = await (await createCallerTokenSigner('uploads', uploads))(call);
    await expect(verify(token)).resolves.toMatchObject({ service: 'uploads', user: 'u1' });
    await expect(verify(token)).resolves.toMatchObject({ service: 'uploads' });
    expect(loads).toBe(2);
  });

  it('refuses a key that is not the published one, and reloads at most once per interval', async () => {
    const gateway = await generateEd25519Jwk();
    const stranger = await generateEd25519Jwk();
    let t = 0;
    let loads = 0;
    const verify = await createRefreshingCallerTokenVerifier(
      async () => {
        loads++;
        return { gateway: [publicJwkOf(gateway)] };
      },
      { minIntervalMs: 5000, now: () => t },
    );
    const forged = await (await createCallerTokenSigner('gateway', stranger))(call);
    t = 6000;
    await expect(verify(forged)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(Promise.all([verify(forged), verify(forged)])).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(loads).toBe(2);
    t = 12_000;
    await expect(verify(forged)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(loads).toBe(3);
  });

  it('keeps the old keys when a reload fails', async () => {
    const gateway = await generateEd25519Jwk();
    const errors: unknown[] = [];
    let fail = false;
    const verify = await createRefreshingCallerTokenVerifier(
      async () => {
        if (fail) throw new Error('secrets unreachable');
        return { gateway: [publicJwkOf(gateway)] };
      },
      { minIntervalMs: 0, onLoadError: (err) => errors.push(err) },
    );
    fail = true;
    const sign = await createCallerTokenSigner('gateway', gateway);
    const unknown = await (await createCallerTokenSigner('gateway', await generateEd25519Jwk()))(call);
    await expect(verify(unknown)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(errors).toHaveLength(1);
    await expect(verify(await sign(call))).resolves.toMatchObject({ service: 'gateway' });
  });
});
