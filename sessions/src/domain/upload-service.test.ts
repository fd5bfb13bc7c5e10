import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { sweepOnce } from '../workers/sweeper.ts';
import { idempotentUploadId } from './upload-service.ts';

const keyed = (userId: string, key: string, size = 2048) => ({ ...openInput(userId, size), idempotencyKey: key });

describe('UploadService: idempotency keys', () => {
  it('answers a replay of a key with the same upload, one multipart upload and one reservation', async () => {
    const s = memorySessions();
    const first = await s.uploads.create(keyed('alice', 'k1'));
    const again = await s.uploads.create(keyed('alice', 'k1'));
    expect(again).toEqual(first);
    expect(first.uploadId).toBe(idempotentUploadId('alice', 'k1'));
    expect(s.objects.created).toBe(1);
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 2048, uploadsInProgress: 1 });
  });

  it('answers parallel opens with one key with one upload, and aborts the multipart uploads of the losers', async () => {
    const s = memorySessions();
    const opened = await Promise.all([1, 2, 3].map(() => s.uploads.create(keyed('alice', 'k1'))));
    expect(new Set(opened.map((u) => u.uploadId)).size).toBe(1);
    expect(new Set(opened.map((u) => u.multipartUploadId)).size).toBe(1);
    expect([...s.objects.open.keys()]).toEqual([opened[0]?.multipartUploadId]);
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 2048, uploadsInProgress: 1 });
  });

  it('refuses a key reused for another file with 409, and keeps the first upload', async () => {
    const s = memorySessions();
    const first = await s.uploads.create(keyed('alice', 'k1'));
    await expect(s.uploads.create(keyed('alice', 'k1', 4096))).rejects.toMatchObject({ code: 'aborted' });
    expect(await s.repository.get(first.uploadId)).toMatchObject({ size: 2048 });
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 2048, uploadsInProgress: 1 });
  });

  it("keeps users' keys apart: the same key of two users opens two uploads", async () => {
    const s = memorySessions();
    const alice = await s.uploads.create(keyed('alice', 'k1'));
    const bob = await s.uploads.create(keyed('bob', 'k1'));
    expect(bob.uploadId).not.toBe(alice.uploadId);
    expect(bob.objectKey).toContain('bob');
  });

  it('reuses the multipart upload an attempt left open when it died, instead of leaking a second', async () => {
    const s = memorySessions();
    const create = s.repository.create.bind(s.repository);
    const abort = s.objects.abortMultipart.bind(s.objects);
    // The attempt dies between opening the multipart upload and writing the session: no clean-up.
    s.repository.create = async () => {
      throw new AppError('unavailable', 'storage unavailable (create upload)');
    };
    s.objects.abortMultipart = async () => {
      throw new Error('the process is gone');
    };
    await expect(s.uploads.create(keyed('alice', 'k1'))).rejects.toMatchObject({ code: 'unavailable' });
    const [leftover] = [...s.objects.open.keys()];
    s.repository.create = create;
    s.objects.abortMultipart = abort;
    const upload = await s.uploads.create(keyed('alice', 'k1'));
    expect(upload.multipartUploadId).toBe(leftover);
    expect(s.objects.open.size).toBe(1);
  });

  it('aborts the multipart upload of an open whose session write failed (no key: nothing to reuse)', async () => {
    const s = memorySessions();
    s.repository.create = async () => {
      throw new AppError('unavailable', 'storage unavailable (create upload)');
    };
    await expect(s.uploads.create(openInput('alice'))).rejects.toMatchObject({ code: 'unavailable' });
    expect(s.objects.created).toBe(1);
    expect(s.objects.open.size).toBe(0);
  });
});

describe('UploadService: quota accounting', () => {
  it('reserves the size of each open upload and refuses the one that would pass the quota, before storage', async () => {
    const s = memorySessions({ quotaBytes: 5000 });
    await s.uploads.create(openInput('alice', 2000));
    await s.uploads.create(openInput('alice', 2000));
    const err = await s.uploads.create(openInput('alice', 1001)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'permission_denied', details: { reason: 'quota_exceeded' } });
    expect(s.objects.created).toBe(2);
    expect(await s.uploads.create(openInput('alice', 1000))).toMatchObject({ size: 1000 });
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 5000, uploadsInProgress: 3 });
  });

  it('gives the bytes back once on cancel, even when the cancel is repeated', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice', 3000));
    await s.uploads.cancel(upload.uploadId, 'alice');
    await s.uploads.cancel(upload.uploadId, 'alice');
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
    expect(s.objects.open.size).toBe(0);
  });

  it('gives the bytes back once when an upload expires, and aborts its multipart upload', async () => {
    const s = memorySessions({ ttlSeconds: 60 });
    const upload = await s.uploads.create(openInput('alice', 3000));
    expect(Date.parse(upload.expiresAt) - s.clock.now()).toBe(60_000);
    s.clock.advance(60_001);
    await sweepOnce(s.sweeper);
    await sweepOnce(s.sweeper);
    expect(await s.repository.get(upload.uploadId)).toMatchObject({ status: 'EXPIRED' });
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
    expect(s.objects.open.size).toBe(0);
    await expect(s.uploads.cancel(upload.uploadId, 'alice')).rejects.toMatchObject({ code: 'failed_precondition' });
  });
});

describe('UploadService: ownership', () => {
  it("answers another user's upload as not found on every path, and changes nothing", async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice'));
    await expect(s.uploads.get(upload.uploadId, 'mallory')).rejects.toMatchObject({ code: 'not_found' });
    await expect(s.uploads.cancel(upload.uploadId, 'mallory')).rejects.toMatchObject({ code: 'not_found' });
    await expect(s.uploads.listParts(upload.uploadId, 'mallory')).rejects.toMatchObject({ code: 'not_found' });
    expect(await s.uploads.get(upload.uploadId, 'alice')).toMatchObject({ status: 'UPLOADING' });
    expect(s.objects.open.size).toBe(1);
  });

  it('reads an upload only for its owner: an empty user is no internal pass, and reads nothing', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice', 1024));
    await s.uploads.recordPart(upload.uploadId, 'alice', {
      index: 0,
      size: 1024,
      sha256: `${'A'.repeat(43)}=`,
      etag: '"e"',
    });
    // The owner's read of a complete upload queues its assembly again (a lost message is not final).
    expect(await s.uploads.get(upload.uploadId, 'alice')).toMatchObject({ userId: 'alice', receivedChunks: 1 });
    expect(s.queue.sent).toEqual([upload.uploadId]);
    await expect(s.uploads.get(upload.uploadId, '')).rejects.toMatchObject({ code: 'not_found' });
    await expect(s.uploads.get(upload.uploadId, 'bob')).rejects.toMatchObject({ code: 'not_found' });
    expect(s.queue.sent).toEqual([upload.uploadId]);
  });

  it('refuses a recorded part of the wrong size or outside the upload, and counts nothing', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice', 2048));
    const part = { index: 0, size: 1024, sha256: `${'A'.repeat(43)}=`, etag: '"e"' };
    await expect(s.uploads.recordPart(upload.uploadId, 'alice', { ...part, size: 1000 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(s.uploads.recordPart(upload.uploadId, 'alice', { ...part, index: 2 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(s.uploads.recordPart(upload.uploadId, 'alice', { ...part, sha256: 'x' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await s.repository.get(upload.uploadId)).toMatchObject({ receivedChunks: 0 });
  });
});
