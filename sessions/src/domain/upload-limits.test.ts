import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { sweepOnce } from '../workers/sweeper.ts';
import { TOO_MANY_UPLOADS_RETRY_SECONDS } from './upload-service.ts';

describe('uploads in progress per user (UPLOADS_IN_PROGRESS_MAX)', () => {
  it('refuses the open beyond the cap with too_many_uploads, a retry hint and the limit in the message', async () => {
    const s = memorySessions({ maxInProgress: 5 });
    for (let i = 0; i < 5; i++) await s.uploads.create(openInput('alice'));
    await expect(s.uploads.create(openInput('alice'))).rejects.toMatchObject({
      code: 'too_many_uploads',
      retryAfterSeconds: TOO_MANY_UPLOADS_RETRY_SECONDS,
      message: expect.stringContaining('5 uploads in progress'),
    });
    expect(s.store.usageOf('alice').uploadsInProgress).toBe(5);
    // A refused open costs no multipart upload.
    expect(s.objects.created).toBe(5);
    // Another user is not affected.
    await expect(s.uploads.create(openInput('bob'))).resolves.toMatchObject({ status: 'UPLOADING' });
  });

  it('counts an idempotent replay once, and still answers it at the cap', async () => {
    const s = memorySessions({ maxInProgress: 3 });
    const first = await s.uploads.create({ ...openInput('alice'), idempotencyKey: 'file-1' });
    for (let i = 0; i < 3; i++) {
      expect((await s.uploads.create({ ...openInput('alice'), idempotencyKey: 'file-1' })).uploadId).toBe(
        first.uploadId,
      );
    }
    expect(s.store.usageOf('alice').uploadsInProgress).toBe(1);
    await s.uploads.create(openInput('alice'));
    await s.uploads.create(openInput('alice'));
    await expect(s.uploads.create(openInput('alice'))).rejects.toMatchObject({ code: 'too_many_uploads' });
    await expect(s.uploads.create({ ...openInput('alice'), idempotencyKey: 'file-1' })).resolves.toMatchObject({
      uploadId: first.uploadId,
    });
  });

  it('gives the slot back when an upload is cancelled, expires, fails or completes', async () => {
    const s = memorySessions({ maxInProgress: 4 });
    const [cancelled, expired, failed, completed] = await Promise.all(
      [1, 2, 3, 4].map(() => s.uploads.create(openInput('alice'))),
    );
    if (!cancelled || !expired || !failed || !completed) throw new Error('four uploads expected');
    await expect(s.uploads.create(openInput('alice'))).rejects.toMatchObject({ code: 'too_many_uploads' });

    await s.uploads.cancel(cancelled.uploadId, 'alice');
    await s.assembler.fail(failed.uploadId, 'test');
    await s.repository.transition(completed.uploadId, ['UPLOADING'], 'ASSEMBLING');
    await s.repository.complete(completed.uploadId, {
      fileId: completed.uploadId,
      userId: 'alice',
      name: 'f.bin',
      size: completed.size,
      contentType: completed.contentType,
      objectKey: completed.objectKey,
      createdAt: new Date(s.clock.now()).toISOString(),
      sha256: '',
      uploadId: completed.uploadId,
    });
    expect(s.store.usageOf('alice').uploadsInProgress).toBe(1);
    s.clock.advance(2 * 3600 * 1000);
    await sweepOnce(s.sweeper);
    expect(s.store.sessions.get(expired.uploadId)?.status).toBe('EXPIRED');
    expect(s.store.usageOf('alice')).toEqual({ uploadsInProgress: 0, reservedBytes: completed.size });
    // Ending twice (a retried cancel, a second sweeper) gives nothing back twice.
    await s.uploads.cancel(cancelled.uploadId, 'alice');
    await sweepOnce(s.sweeper);
    expect(s.store.usageOf('alice').uploadsInProgress).toBe(0);
  });

  it('refuses in the transaction what the read before it missed, and aborts the multipart upload it made', async () => {
    const s = memorySessions({ maxInProgress: 1 });
    // Two opens read the usage before either writes: both pass the pre-check, one transaction wins.
    const results = await Promise.allSettled([
      s.uploads.create(openInput('alice')),
      s.uploads.create(openInput('alice')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'too_many_uploads' } });
    expect(s.objects.created).toBe(2);
    expect(s.objects.open.size).toBe(1);
  });

  it('refuses a file larger than the whole quota before touching storage, naming the quota', async () => {
    const s = memorySessions({ quotaBytes: 1000 });
    await expect(s.uploads.create(openInput('alice', 1001))).rejects.toMatchObject({
      code: 'permission_denied',
      message: expect.stringContaining('quota of 1000 bytes'),
      details: { reason: 'quota_exceeded', quotaBytes: 1000 },
    });
    expect(s.objects.open.size).toBe(0);
  });

  it("applies the caller's smaller quota cap (an unverified account) and never a larger one", async () => {
    const s = memorySessions({ quotaBytes: 10_000 });
    await s.uploads.create({ ...openInput('alice', 600), quotaBytes: 1000 });
    await expect(s.uploads.create({ ...openInput('alice', 600), quotaBytes: 1000 })).rejects.toMatchObject({
      code: 'permission_denied',
      details: { reason: 'quota_exceeded' },
    });
    // Without a cap (a verified account) the configured quota applies again.
    await s.uploads.create({ ...openInput('alice', 600), quotaBytes: 0 });
    await expect(s.uploads.create({ ...openInput('bob', 10_001), quotaBytes: 1_000_000 })).rejects.toMatchObject({
      details: { reason: 'quota_exceeded' },
    });
  });
});

describe('listing uploads in progress', () => {
  it('reads only uploads in progress: 120 finished and 3 open list exactly 3', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    for (let i = 0; i < 120; i++) {
      const upload = await s.uploads.create(openInput('alice'));
      await s.uploads.cancel(upload.uploadId, 'alice');
    }
    const open = [];
    for (let i = 0; i < 3; i++) {
      s.clock.advance(1000);
      open.push((await s.uploads.create(openInput('alice'))).uploadId);
    }
    const page = await s.uploads.list('alice', 0, '');
    expect(page.uploads.map((u) => u.uploadId)).toEqual(open.reverse());
    expect(page.nextCursor).toBe('');
  });

  it('pages through many uploads in progress, newest first, each once', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    for (let i = 0; i < 250; i++) {
      s.clock.advance(10);
      await s.uploads.create(openInput('alice'));
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor = '';
    do {
      const page = await s.uploads.list('alice', 100, cursor);
      sizes.push(page.uploads.length);
      seen.push(...page.uploads.map((u) => u.createdAt));
      cursor = page.nextCursor;
    } while (cursor !== '');
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it.each([101, 1000, -1, 1.5])('refuses limit %d', async (limit) => {
    const s = memorySessions();
    await expect(s.uploads.list('alice', limit, '')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
