import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { partProblem } from './part-confirmation.ts';

const LENGTHS = [1024, 1024, 452];
/** Part `index`'s bytes (another `fill` makes other bytes of the same length). */
const bytesOf = (index: number, size = LENGTHS[index] ?? 0, fill = index) => Buffer.alloc(size, fill);
const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');
const H = [0, 1, 2].map((index) => hashOf(bytesOf(index)));

/** A direct upload of 2,500 bytes (parts of 1024, 1024, 452), all three parts signed. */
async function signedUpload() {
  const s = memorySessions();
  const upload = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'direct' });
  await s.partUrls.sign(
    upload.uploadId,
    'u1',
    [0, 1, 2].map((index) => ({ index, sha256: H[index] ?? '', length: LENGTHS[index] ?? 0 })),
  );
  /** What the client's PUT of part `index` leaves in storage. */
  const put = (index: number, size = LENGTHS[index] ?? 0, fill = index) =>
    s.objects.putPart(upload.multipartUploadId, index + 1, bytesOf(index, size, fill));
  return { s, upload, put };
}

describe('PartConfirmation.confirm', () => {
  it('records parts found in storage with the signed checksum and the storage ETag', async () => {
    const { s, upload, put } = await signedUpload();
    put(0);
    put(2);
    const out = await s.partConfirmation.confirm(upload.uploadId, 'u1', [2, 0]);
    expect(out).toEqual({ receivedChunks: 2, totalChunks: 3, complete: false });
    const recorded = await s.repository.listParts(upload.uploadId);
    expect(recorded).toEqual([
      { index: 0, size: 1024, sha256: H[0], etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
      { index: 2, size: 452, sha256: H[2], etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
    ]);
    expect(s.queue.sent).toEqual([]);
  });

  it('records the parts of one confirmation in one write, not one per part', async () => {
    const { s, upload, put } = await signedUpload();
    for (const i of [0, 1, 2]) put(i);
    const many = vi.spyOn(s.repository, 'recordParts');
    const one = vi.spyOn(s.repository, 'recordPart');
    const out = await s.partConfirmation.confirm(upload.uploadId, 'u1', [2, 0, 1]);
    expect(out).toEqual({ receivedChunks: 3, totalChunks: 3, complete: true });
    expect(many).toHaveBeenCalledOnce();
    expect(many.mock.calls[0]?.[1].map((p) => p.index)).toEqual([0, 1, 2]);
    expect(one).not.toHaveBeenCalled();
    expect((await s.repository.get(upload.uploadId))?.receivedBytes).toBe(2500);
    expect(s.queue.sent).toEqual([upload.uploadId]);
  });

  it('when the one write is refused (a part recorded meanwhile), records part by part and counts each once', async () => {
    const { s, upload, put } = await signedUpload();
    for (const i of [0, 1, 2]) put(i);
    const confirmed = s.partConfirmation.confirm(upload.uploadId, 'u1', [0, 1, 2]);
    // Another confirmation records part 1 between this one's checks and its write.
    vi.spyOn(s.repository, 'recordParts').mockImplementationOnce(async (u, parts) => {
      const one = parts.find((p) => p.index === 1);
      if (one) await s.repository.recordPart(u, one);
      return { kind: 'conflict' };
    });
    expect(await confirmed).toEqual({ receivedChunks: 3, totalChunks: 3, complete: true });
    const session = await s.repository.get(upload.uploadId);
    expect(session).toMatchObject({ receivedChunks: 3, receivedBytes: 2500 });
  });

  it('queues the assembly once the confirmation completes the set, and a repeat is a no-op', async () => {
    const { s, upload, put } = await signedUpload();
    for (const i of [0, 1, 2]) put(i);
    await s.partConfirmation.confirm(upload.uploadId, 'u1', [1]);
    const out = await s.partConfirmation.confirm(upload.uploadId, 'u1', [0, 2, 1]);
    expect(out).toEqual({ receivedChunks: 3, totalChunks: 3, complete: true });
    expect(s.queue.sent).toEqual([upload.uploadId]);
    const lists = s.objects.listCalls;
    await s.repository.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [0, 1, 2])).resolves.toEqual(out);
    expect(s.objects.listCalls).toBe(lists);
    expect((await s.repository.get(upload.uploadId))?.receivedChunks).toBe(3);
  });

  it.each([
    ['never sent', () => {}, 'missing'],
    ['of another length', (put: (i: number, size?: number) => void) => put(1, 1000), 'size_mismatch'],
    [
      'with other bytes',
      (put: (i: number, size?: number, fill?: number) => void) => put(1, 1024, 99),
      'checksum_mismatch',
    ],
  ])('refuses a part %s with aborted naming it, and records nothing', async (_name, arrange, reason) => {
    const { s, upload, put } = await signedUpload();
    put(0);
    arrange(put);
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [0, 1])).rejects.toMatchObject({
      code: 'aborted',
      details: { index: 1, reason },
    });
    expect(await s.repository.listParts(upload.uploadId)).toEqual([]);
    expect((await s.repository.get(upload.uploadId))?.receivedChunks).toBe(0);
  });

  it('checks presence and size only where storage reports no checksum (moto)', async () => {
    const { s, upload, put } = await signedUpload();
    s.objects.reportsChecksums = false;
    put(1, 1024, 99);
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [1])).resolves.toMatchObject({ receivedChunks: 1 });
    expect((await s.repository.getPart(upload.uploadId, 1))?.sha256).toBe(H[1]);
  });

  it('refuses a part that was never signed', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'direct' });
    s.objects.putPart(upload.multipartUploadId, 1, bytesOf(0));
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [0])).rejects.toMatchObject({
      code: 'aborted',
      details: { index: 0, reason: 'not_signed' },
    });
  });

  it('checks against the latest signature of an index', async () => {
    const { s, upload, put } = await signedUpload();
    put(0);
    await s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: hashOf(bytesOf(0, 1024, 7)), length: 1024 }]);
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [0])).rejects.toMatchObject({
      details: { index: 0, reason: 'checksum_mismatch' },
    });
  });

  it("answers not_found for another user's upload, before reading storage", async () => {
    const { s, upload, put } = await signedUpload();
    put(0);
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u2', [0])).rejects.toMatchObject({ code: 'not_found' });
    expect(s.objects.listCalls).toBe(0);
  });

  it('refuses indexes out of range, empty or oversized batches, and relayed uploads', async () => {
    const { s, upload } = await signedUpload();
    const confirm = (indexes: number[], id = upload.uploadId) => s.partConfirmation.confirm(id, 'u1', indexes);
    await expect(confirm([3])).rejects.toMatchObject({ code: 'invalid_argument', details: { index: 3 } });
    await expect(confirm([])).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'indexes' } });
    await expect(confirm(Array.from({ length: 101 }, () => 0))).rejects.toMatchObject({ code: 'invalid_argument' });
    const relay = await s.uploads.create(openInput('u1', 2500));
    await expect(confirm([0], relay.uploadId)).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'not_direct' },
    });
  });

  it('refuses unrecorded parts once the upload is cancelled', async () => {
    const { s, upload, put } = await signedUpload();
    put(0);
    await s.uploads.cancel(upload.uploadId, 'u1');
    await expect(s.partConfirmation.confirm(upload.uploadId, 'u1', [0])).rejects.toMatchObject({
      code: 'failed_precondition',
    });
  });
});

describe('partProblem', () => {
  const signed = { index: 0, size: 10, sha256: 'x' };
  it('names the first thing wrong', () => {
    expect(partProblem(undefined, { partNumber: 1, size: 10, etag: 'e' })).toBe('not_signed');
    expect(partProblem(signed, undefined)).toBe('missing');
    expect(partProblem(signed, { partNumber: 1, size: 9, etag: 'e', sha256: 'x' })).toBe('size_mismatch');
    expect(partProblem(signed, { partNumber: 1, size: 10, etag: 'e', sha256: 'y' })).toBe('checksum_mismatch');
    expect(partProblem(signed, { partNumber: 1, size: 10, etag: 'e' })).toBeNull();
    expect(partProblem(signed, { partNumber: 1, size: 10, etag: 'e', sha256: 'x' })).toBeNull();
  });
});
