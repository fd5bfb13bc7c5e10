import { randomBytes } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import { describe, expect, it, vi } from 'vitest';
import { memorySessions, silentLogger, uploaded } from '../../test/fakes.ts';
import { Assembler, PermanentAssemblyError } from './assembler.ts';

/** One assembly attempt that completes the object in storage, then fails to record the file. */
async function crashAfterCompletingTheObject(s: ReturnType<typeof memorySessions>, uploadId: string) {
  const complete = s.repository.complete.bind(s.repository);
  s.repository.complete = async () => {
    throw new AppError('unavailable', 'storage unavailable (complete upload)');
  };
  await expect(s.assembler.assemble(uploadId)).rejects.toMatchObject({ code: 'unavailable' });
  s.repository.complete = complete;
}

describe('Assembler, races and failures', () => {
  it('makes one file, counted once, when two assemblers take the same upload at once', async () => {
    // The second starts 0..40 microtask turns after the first: every interleaving of their steps.
    for (let lag = 0; lag <= 40; lag++) {
      const s = memorySessions();
      const file = randomBytes(3000);
      const upload = await uploaded(s, file, '');
      const other = new Assembler({ uploads: s.repository, objects: s.objects, clock: s.clock, logger: silentLogger });
      const first = s.assembler.assemble(upload.uploadId);
      for (let turn = 0; turn < lag; turn++) await Promise.resolve();
      const results = await Promise.all([first, other.assemble(upload.uploadId)]);
      expect(results.filter((r) => r === 'completed')).toHaveLength(1);
      expect(s.store.files.size).toBe(1);
      expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 3000, uploadsInProgress: 0 });
      expect(Buffer.from(s.objects.objects.get(upload.objectKey)?.bytes ?? [])).toEqual(file);
    }
  });

  it('ends a complete upload either cancelled with no file or completed with the cancel refused, never both', async () => {
    const seen = new Set<string>();
    // The assembly starts 0..40 microtask turns after the cancel: every interleaving of their steps.
    for (let lag = 0; lag <= 40; lag++) {
      const s = memorySessions();
      const upload = await uploaded(s, randomBytes(2048), '');
      const cancel = s.uploads.cancel(upload.uploadId, 'alice').then(
        () => 'cancelled',
        (err: unknown) => (err as AppError).code,
      );
      for (let turn = 0; turn < lag; turn++) await Promise.resolve();
      const [cancelled, assembled] = await Promise.all([cancel, s.assembler.assemble(upload.uploadId)]);
      const status = (await s.repository.get(upload.uploadId))?.status ?? 'missing';
      seen.add(status);
      if (status === 'CANCELLED') {
        expect([cancelled, assembled]).toEqual(['cancelled', 'skipped']);
        expect(s.store.files.size).toBe(0);
        expect(s.objects.objects.has(upload.objectKey)).toBe(false);
        expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
      } else {
        expect([status, cancelled, assembled]).toEqual(['COMPLETED', 'failed_precondition', 'completed']);
        expect(s.store.files.size).toBe(1);
        expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 2048, uploadsInProgress: 0 });
      }
    }
    expect([...seen].sort()).toEqual(['CANCELLED', 'COMPLETED']);
  });

  it('skips an upload cancelled before its message arrives, and leaves no object behind', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    await s.uploads.cancel(upload.uploadId, 'alice');
    expect(await s.assembler.assemble(upload.uploadId)).toBe('skipped');
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(s.objects.open.size).toBe(0);
  });

  it('answers an upload with parts missing as not ready, changing nothing', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create({ userId: 'alice', fileName: 'f', size: 2048, contentType: '', sha256: '' });
    expect(await s.assembler.assemble(upload.uploadId)).toBe('not_ready');
    expect((await s.repository.get(upload.uploadId))?.status).toBe('UPLOADING');
  });

  it('leaves a storage outage to the retry (not permanent), and the retry completes once', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    const complete = s.objects.completeMultipart.bind(s.objects);
    s.objects.completeMultipart = async () => {
      throw new AppError('unavailable', 'object storage unavailable (complete multipart upload)');
    };
    const err = await s.assembler.assemble(upload.uploadId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(err).not.toBeInstanceOf(PermanentAssemblyError);
    expect((await s.repository.get(upload.uploadId))?.status).toBe('ASSEMBLING');
    s.objects.completeMultipart = complete;
    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');
    expect(await s.assembler.assemble(upload.uploadId)).toBe('already_done');
  });

  it('completes after a crash between completing the object and recording the file', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    await crashAfterCompletingTheObject(s, upload.uploadId);
    // The multipart upload is gone now: the retry finds the object instead.
    expect(s.objects.open.size).toBe(0);
    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');
    expect(s.store.files.size).toBe(1);
  });

  it('leaves to the redelivery an upload whose last part came in between its refused move and its read', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    // As if the move had run a moment before the last part was recorded.
    vi.spyOn(s.repository, 'startAssembly').mockResolvedValueOnce(null);
    await expect(s.assembler.assemble(upload.uploadId)).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(await s.repository.get(upload.uploadId)).toMatchObject({ status: 'UPLOADING' });
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');
  });

  it('refuses for good an object an earlier attempt completed with another size than the upload', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    await crashAfterCompletingTheObject(s, upload.uploadId);
    // No ETag to compare with what was recorded on this path: the object itself is read back.
    const stored = s.objects.objects.get(upload.objectKey);
    if (!stored) throw new Error('the first attempt should have completed the object');
    s.objects.objects.set(upload.objectKey, { ...stored, bytes: stored.bytes.subarray(0, 2000) });
    const err = await s.assembler.assemble(upload.uploadId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentAssemblyError);
    expect((err as Error).message).toBe('assembled object has 2000 bytes, expected 2048');
    expect(s.store.files.size).toBe(0);
  });

  it('discards a complete upload whose owner was deleted before its message arrived: cancelled, nothing stored', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    await s.repository.markUserDeleted('alice', 1e10);
    expect(await s.assembler.assemble(upload.uploadId)).toBe('discarded');
    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'CANCELLED' });
    expect(s.store.files.size).toBe(0);
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(s.objects.open.size).toBe(0);
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
  });

  it('refuses for good parts storage does not hold as recorded, and failing then frees quota and storage', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    // Part 2 rewritten in storage after it was recorded: its ETag no longer matches the record.
    s.objects.putPart(upload.multipartUploadId, 2, randomBytes(1024));
    const err = await s.assembler.assemble(upload.uploadId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentAssemblyError);
    await s.assembler.fail(upload.uploadId, (err as Error).message);
    expect(await s.repository.get(upload.uploadId)).toMatchObject({ status: 'FAILED', failureCode: '' });
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
    expect(s.objects.open.size).toBe(0);
    await s.assembler.fail(upload.uploadId, 'again');
    expect(s.store.usageOf('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0 });
  });
});
