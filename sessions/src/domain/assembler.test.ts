import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import { describe, expect, it, vi } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { sha256OfStream } from './sha256-stream.ts';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

type Sessions = ReturnType<typeof memorySessions>;

/** Opens an upload of `file` (chunks of 1 KiB), writes every part to storage and records it. */
async function uploaded(s: Sessions, file: Buffer, sha256: string, userId = 'alice') {
  const upload = await s.uploads.create({ ...openInput(userId, file.length), sha256 });
  for (let index = 0; index < upload.totalChunks; index++) {
    const bytes = file.subarray(index * upload.chunkSize, (index + 1) * upload.chunkSize);
    const etag = s.objects.putPart(upload.multipartUploadId, index + 1, bytes);
    await s.uploads.recordPart(upload.uploadId, upload.userId, {
      index,
      size: bytes.length,
      sha256: base64(bytes),
      etag,
    });
  }
  return upload;
}

/** A stream that yields its first chunk, then fails as a reset connection would. */
async function* brokenStream(first: Uint8Array): AsyncIterable<Uint8Array> {
  yield first;
  throw new AppError('unavailable', 'object storage unavailable (read object body)');
}

describe('Assembler, whole-file SHA-256 (DESIGN §9.2)', () => {
  it('completes an upload whose bytes match the declared hash and gives the file that verified hash', async () => {
    const s = memorySessions();
    const file = randomBytes(2500);
    const upload = await uploaded(s, file, hex(file).toUpperCase());

    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');

    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'COMPLETED', failureCode: '' });
    expect(s.store.files.get(upload.uploadId)?.sha256).toBe(hex(file));
    expect((await sha256OfStream(await s.objects.read(upload.objectKey))).sha256).toBe(hex(file));
    expect(await s.repository.usage('alice')).toEqual({ reservedBytes: 2500, uploadsInProgress: 0, deleted: false });
  });

  it('ends a mismatching upload FAILED with checksum_mismatch, deletes the object and gives the quota back', async () => {
    const s = memorySessions();
    const file = randomBytes(2500);
    const declared = hex(Buffer.from('another file'));
    const upload = await uploaded(s, file, declared);

    expect(await s.assembler.assemble(upload.uploadId)).toBe('failed');

    const ended = s.store.sessions.get(upload.uploadId);
    expect(ended).toMatchObject({ status: 'FAILED', failureCode: 'checksum_mismatch' });
    expect(ended?.failureReason).toContain(`declared ${declared}`);
    expect(ended?.failureReason).toContain(`received ${hex(file)}`);
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(s.objects.open.size).toBe(0);
    expect(s.store.files.size).toBe(0);
    expect(await s.repository.usage('alice')).toEqual({ reservedBytes: 0, uploadsInProgress: 0, deleted: false });
    // The failure is final: a redelivered message changes nothing and gives nothing back twice.
    expect(await s.assembler.assemble(upload.uploadId)).toBe('skipped');
    expect(await s.repository.usage('alice')).toMatchObject({ reservedBytes: 0, uploadsInProgress: 0 });
  });

  it('completes an upload without a declared hash, and its file carries none', async () => {
    const s = memorySessions();
    const upload = await uploaded(s, randomBytes(2048), '');
    const read = vi.spyOn(s.objects, 'read');

    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');

    expect(s.store.files.get(upload.uploadId)?.sha256).toBe('');
    expect(read).not.toHaveBeenCalled();
  });

  it('verifies again after a crash part-way through the verification, then completes once', async () => {
    const s = memorySessions();
    const file = randomBytes(3000);
    const upload = await uploaded(s, file, hex(file));
    vi.spyOn(s.objects, 'read').mockImplementationOnce(async () => brokenStream(file.subarray(0, 100)));

    await expect(s.assembler.assemble(upload.uploadId)).rejects.toMatchObject({ code: 'unavailable' });
    // The object is assembled but nothing was decided: still ASSEMBLING, no verdict, no file.
    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'ASSEMBLING', failureCode: '' });
    expect(s.objects.open.size).toBe(0);
    expect(s.store.files.size).toBe(0);

    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');
    expect(s.store.files.get(upload.uploadId)?.sha256).toBe(hex(file));
    expect(await s.repository.usage('alice')).toEqual({ reservedBytes: 3000, uploadsInProgress: 0, deleted: false });
  });

  it('finishes a recorded mismatch after a crash without reading the object again', async () => {
    const s = memorySessions();
    const file = randomBytes(2048);
    const upload = await uploaded(s, file, hex(Buffer.from('not these bytes')));
    vi.spyOn(s.objects, 'delete').mockRejectedValueOnce(new AppError('unavailable', 'object storage unavailable'));

    await expect(s.assembler.assemble(upload.uploadId)).rejects.toMatchObject({ code: 'unavailable' });
    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({
      status: 'ASSEMBLING',
      failureCode: 'checksum_mismatch',
    });
    expect(await s.repository.usage('alice')).toMatchObject({ reservedBytes: 2048, uploadsInProgress: 1 });

    const read = vi.spyOn(s.objects, 'read');
    expect(await s.assembler.assemble(upload.uploadId)).toBe('failed');
    expect(read).not.toHaveBeenCalled();
    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'FAILED', failureCode: 'checksum_mismatch' });
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(await s.repository.usage('alice')).toMatchObject({ reservedBytes: 0, uploadsInProgress: 0 });
  });

  it('acknowledges a redelivery of a completed upload without verifying or writing again', async () => {
    const s = memorySessions();
    const file = randomBytes(1500);
    const upload = await uploaded(s, file, hex(file));
    expect(await s.assembler.assemble(upload.uploadId)).toBe('completed');
    const before = { ...s.store.files.get(upload.uploadId) };
    const read = vi.spyOn(s.objects, 'read');
    s.clock.advance(60_000);

    expect(await s.assembler.assemble(upload.uploadId)).toBe('already_done');

    expect(read).not.toHaveBeenCalled();
    expect(s.store.files.get(upload.uploadId)).toEqual(before);
    expect(await s.repository.usage('alice')).toEqual({ reservedBytes: 1500, uploadsInProgress: 0, deleted: false });
  });

  it('discards the upload of a user deleted during the verification: no file, no object, cancelled', async () => {
    const s = memorySessions();
    const file = randomBytes(2048);
    const upload = await uploaded(s, file, hex(file));
    const read = s.objects.read.bind(s.objects);
    vi.spyOn(s.objects, 'read').mockImplementationOnce(async (key) => {
      await s.repository.markUserDeleted('alice', 1e10);
      return read(key);
    });

    expect(await s.assembler.assemble(upload.uploadId)).toBe('discarded');

    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'CANCELLED' });
    expect(s.store.files.size).toBe(0);
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
  });

  it('gives up on a verification that keeps failing: FAILED, object deleted, quota back', async () => {
    const s = memorySessions();
    const file = randomBytes(2048);
    const upload = await uploaded(s, file, hex(file));
    vi.spyOn(s.objects, 'read').mockImplementation(async () => brokenStream(file.subarray(0, 10)));
    await expect(s.assembler.assemble(upload.uploadId)).rejects.toMatchObject({ code: 'unavailable' });

    await s.assembler.fail(upload.uploadId, 'assembly kept failing; giving up');

    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'FAILED', failureCode: '' });
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(await s.repository.usage('alice')).toMatchObject({ reservedBytes: 0, uploadsInProgress: 0 });
  });
});
