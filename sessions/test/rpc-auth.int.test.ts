import { randomUUID } from 'node:crypto';
import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import {
  CALLER_TOKEN_TYPE,
  createCallerTokenSigner,
  generateEd25519Jwk,
  SESSIONS_AUDIENCE,
  SIGNING_ALGORITHM,
} from '@lfusys/commons';
import { GetUploadRequest, SessionsServiceClient, SessionsServiceService } from '@lfusys/proto/sessions';
import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSessions, startSessions } from './harness.ts';

let s: RunningSessions;
let raw: SessionsServiceClient;
beforeAll(async () => {
  s = await startSessions();
  raw = new SessionsServiceClient(s.address, credentials.createInsecure());
});
afterAll(async () => {
  raw.close();
  await s.close();
});

const GET_UPLOAD = SessionsServiceService.getUpload.path;

/** GetUpload over the wire with whatever `authorization` a test chooses; resolves to the gRPC status. */
function getUploadWith(uploadId: string, authorization?: string): Promise<number> {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return new Promise((resolve) => {
    raw.getUpload(GetUploadRequest.fromPartial({ uploadId }), metadata, (err: ServiceError | null) =>
      resolve(err ? err.code : status.OK),
    );
  });
}

/** A caller token with any claims and times, signed with any key (forgeries, expired credentials). */
async function tokenWith(key: JWK, claims: Record<string, unknown>, times: { iat: number; exp: number }) {
  return new SignJWT({ rpc: GET_UPLOAD, user: 'alice', ...claims })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: CALLER_TOKEN_TYPE, kid: key.kid as string })
    .setSubject('gateway')
    .setAudience(SESSIONS_AUDIENCE)
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp)
    .setJti(randomUUID())
    .sign(await importJWK(key, SIGNING_ALGORITHM));
}

const now = () => Math.floor(Date.now() / 1000);

async function openUpload(userId: string) {
  return s.client.createUpload({ userId, fileName: 'a.bin', size: 2048 });
}

describe('who may call sessions', () => {
  it('refuses a call without credentials, and one with a malformed credential, as UNAUTHENTICATED', async () => {
    const { uploadId } = await openUpload(randomUUID());
    expect(await getUploadWith(uploadId)).toBe(status.UNAUTHENTICATED);
    expect(await getUploadWith(uploadId, 'Bearer not-a-jwt')).toBe(status.UNAUTHENTICATED);
    expect(await getUploadWith(uploadId, 'Basic Z2F0ZXdheTpwYXNzd29yZA==')).toBe(status.UNAUTHENTICATED);
  });

  it('refuses a forged credential: an unknown key, or one service’s key speaking for another', async () => {
    const userId = randomUUID();
    const { uploadId } = await openUpload(userId);
    const times = { iat: now(), exp: now() + 30 };
    const stranger = await generateEd25519Jwk();
    expect(await getUploadWith(uploadId, `Bearer ${await tokenWith(stranger, { user: userId }, times)}`)).toBe(
      status.UNAUTHENTICATED,
    );
    // A stranger's key published under a trusted kid does not verify either.
    const borrowedKid = { ...stranger, kid: s.callerKeys.gateway.kid ?? '' };
    expect(await getUploadWith(uploadId, `Bearer ${await tokenWith(borrowedKid, { user: userId }, times)}`)).toBe(
      status.UNAUTHENTICATED,
    );
    // The uploads key signing a token that claims to be the gateway.
    expect(
      await getUploadWith(uploadId, `Bearer ${await tokenWith(s.callerKeys.uploads, { user: userId }, times)}`),
    ).toBe(status.UNAUTHENTICATED);
  });

  it('refuses an expired credential, and one that would live longer than 60 s', async () => {
    const userId = randomUUID();
    const { uploadId } = await openUpload(userId);
    const key = s.callerKeys.gateway;
    const expired = await tokenWith(key, { user: userId }, { iat: now() - 120, exp: now() - 60 });
    expect(await getUploadWith(uploadId, `Bearer ${expired}`)).toBe(status.UNAUTHENTICATED);
    const tooLong = await tokenWith(key, { user: userId }, { iat: now(), exp: now() + 3600 });
    expect(await getUploadWith(uploadId, `Bearer ${tooLong}`)).toBe(status.UNAUTHENTICATED);
    // The same key, claims and a proper lifetime pass: the refusals above are about time alone.
    const fresh = await tokenWith(key, { user: userId }, { iat: now(), exp: now() + 30 });
    expect(await getUploadWith(uploadId, `Bearer ${fresh}`)).toBe(status.OK);
  });

  it('refuses a credential signed for another RPC (no replay across methods)', async () => {
    const userId = randomUUID();
    const { uploadId } = await openUpload(userId);
    const sign = await s.callerKeys.signer('gateway');
    const forListFiles = await sign({ rpc: SessionsServiceService.listFiles.path, user: userId });
    expect(await getUploadWith(uploadId, `Bearer ${forListFiles}`)).toBe(status.UNAUTHENTICATED);
  });

  it('refuses an assertion for the empty user', async () => {
    const { uploadId } = await openUpload(randomUUID());
    const blank = await tokenWith(s.callerKeys.gateway, { user: '' }, { iat: now(), exp: now() + 30 });
    expect(await getUploadWith(uploadId, `Bearer ${blank}`)).toBe(status.UNAUTHENTICATED);
    await expect(s.client.deleteUserData({ userId: '' })).rejects.toMatchObject({
      code: 'internal',
      cause: { code: 'unauthenticated' },
    });
  });

  it('allows the uploads identity only its RPCs: a gateway-only RPC is PERMISSION_DENIED', async () => {
    const userId = randomUUID();
    const upload = await openUpload(userId);
    for (const call of [
      () => s.uploadsClient.listFiles({ userId, limit: 10, cursor: '' }),
      () => s.uploadsClient.deleteUserData({ userId }),
      () => s.uploadsClient.cancelUpload({ uploadId: upload.uploadId, userId }),
      () => s.uploadsClient.signParts({ uploadId: upload.uploadId, userId, parts: [] }),
      () => s.uploadsClient.createUpload({ userId, fileName: 'b.bin', size: 1 }),
    ]) {
      // On the wire PERMISSION_DENIED; the client reports it as its own fault, never as the user's.
      await expect(call()).rejects.toMatchObject({ code: 'internal', cause: { code: 'permission_denied' } });
    }
    // Nothing those calls asked for happened: the upload is still open.
    expect((await s.client.getUpload({ uploadId: upload.uploadId, userId })).status).toBe(upload.status);
    // …and the gateway may not record parts (the workers' RPC).
    await expect(
      s.client.recordPart({ uploadId: upload.uploadId, userId, index: 0, size: 1024, sha256: '', etag: '"e"' }),
    ).rejects.toMatchObject({ code: 'internal', cause: { code: 'permission_denied' } });
  });
});

describe('for whom sessions acts', () => {
  it('lets a gateway assertion for user A read nothing of user B (NOT_FOUND), and A’s deletion leaves B intact', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const bobs = await openUpload(bob);
    await expect(s.client.getUpload({ uploadId: bobs.uploadId, userId: alice })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(s.client.listParts({ uploadId: bobs.uploadId, userId: alice })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(s.client.cancelUpload({ uploadId: bobs.uploadId, userId: alice })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await s.client.listUploads({ userId: alice })).uploads).toEqual([]);
    await s.client.deleteUserData({ userId: alice });
    expect((await s.client.getUpload({ uploadId: bobs.uploadId, userId: bob })).status).toBe(bobs.status);
  });

  it('scopes an uploads credential to one upload of one user', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [alices, bobs] = [await openUpload(alice), await openUpload(bob)];
    // Alice's upload token cannot reach Bob's upload: the owner check is on sessions' side too.
    await expect(s.uploadsClient.getUpload({ uploadId: bobs.uploadId, userId: alice })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      s.uploadsClient.recordPart({
        uploadId: bobs.uploadId,
        userId: alice,
        index: 0,
        size: 1024,
        sha256: '',
        etag: '',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    // A credential bound to Alice's upload, replayed against another upload, is refused.
    const sign = await s.callerKeys.signer('uploads');
    const forAlices = await sign({ rpc: GET_UPLOAD, user: alice, upload: alices.uploadId });
    expect(await getUploadWith(bobs.uploadId, `Bearer ${forAlices}`)).toBe(status.PERMISSION_DENIED);
    expect(await getUploadWith(alices.uploadId, `Bearer ${forAlices}`)).toBe(status.OK);
    // An uploads credential that names no upload is refused.
    const unscoped = await sign({ rpc: GET_UPLOAD, user: alice });
    expect(await getUploadWith(alices.uploadId, `Bearer ${unscoped}`)).toBe(status.PERMISSION_DENIED);
  });

  it('tells where parts are written only to the uploads workers', async () => {
    const userId = randomUUID();
    const { uploadId } = await openUpload(userId);
    expect((await s.client.getUpload({ uploadId, userId })).target).toBeUndefined();
    expect((await s.uploadsClient.getUpload({ uploadId, userId })).target?.bucket).toBe(s.deps.bucket);
  });
});

describe('caller token signer', () => {
  it('refuses to mint tokens living longer than 60 s', async () => {
    await expect(createCallerTokenSigner('gateway', s.callerKeys.gateway, 61)).rejects.toThrow(/at most 60 s/);
  });
});
