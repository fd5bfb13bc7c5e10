import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64');
const A = hashOf('a');
const B = hashOf('b');

/** A direct upload of 2,500 bytes in 1 KiB parts: 1024, 1024, 452. */
async function directUpload(limits = {}) {
  const s = memorySessions(limits);
  const upload = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'direct' });
  return { s, upload };
}

describe('PartUrls.sign', () => {
  it('signs each part with its SHA-256 and remembers what it signed', async () => {
    const { s, upload } = await directUpload();
    const urls = await s.partUrls.sign(upload.uploadId, 'u1', [
      { index: 0, sha256: A, length: 1024 },
      { index: 2, sha256: B, length: 452 },
    ]);
    expect(urls).toEqual([
      expect.objectContaining({ index: 0, method: 'PUT', headers: { 'x-amz-checksum-sha256': A } }),
      expect.objectContaining({ index: 2, method: 'PUT', headers: { 'x-amz-checksum-sha256': B } }),
    ]);
    expect(s.objects.presigned.map((p) => [p.partNumber, p.sha256, p.length])).toEqual([
      [1, A, 1024],
      [3, B, 452],
    ]);
    const { signed } = await s.repository.readPartBatch(upload.uploadId, [0, 1, 2], true);
    expect([...signed.values()]).toEqual([
      { index: 0, size: 1024, sha256: A },
      { index: 2, size: 452, sha256: B },
    ]);
  });

  it('lets URLs live 15 minutes at most, and never past the upload deadline', async () => {
    const { s, upload } = await directUpload({ ttlSeconds: 3600 });
    const [first] = await s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: A, length: 1024 }]);
    expect(s.objects.presigned[0]?.expiresIn).toBe(900);
    expect(first?.expiresAt).toBe(new Date(s.clock.now() + 900_000).toISOString());
    s.clock.advance(3600_000 - 120_000);
    await s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: A, length: 1024 }]);
    expect(s.objects.presigned[1]?.expiresIn).toBe(120);
  });

  it('replaces the remembered signature when an index is signed again, with a fresh URL', async () => {
    const { s, upload } = await directUpload();
    const [first] = await s.partUrls.sign(upload.uploadId, 'u1', [{ index: 1, sha256: A, length: 1024 }]);
    const [second] = await s.partUrls.sign(upload.uploadId, 'u1', [{ index: 1, sha256: B, length: 1024 }]);
    expect(second?.url).not.toBe(first?.url);
    expect((await s.repository.readPartBatch(upload.uploadId, [1], true)).signed.get(1)?.sha256).toBe(B);
  });

  it.each([
    ['a wrong length', [{ index: 0, sha256: A, length: 1023 }], { field: 'length', index: 0, expected: 1024 }],
    ['a wrong last length', [{ index: 2, sha256: A, length: 1024 }], { field: 'length', index: 2, expected: 452 }],
    ['an index past the end', [{ index: 3, sha256: A, length: 1024 }], { field: 'index', index: 3 }],
    ['a negative index', [{ index: -1, sha256: A, length: 1024 }], { field: 'index', index: -1 }],
    ['a hex hash', [{ index: 0, sha256: 'ab'.repeat(32), length: 1024 }], { field: 'sha256', index: 0 }],
    ['no parts', [], { field: 'parts' }],
    [
      'an index twice',
      [
        { index: 0, sha256: A, length: 1024 },
        { index: 0, sha256: B, length: 1024 },
      ],
      { field: 'parts' },
    ],
  ])('refuses %s as invalid_argument, signing nothing', async (_name, parts, details) => {
    const { s, upload } = await directUpload();
    await expect(s.partUrls.sign(upload.uploadId, 'u1', parts)).rejects.toMatchObject({
      code: 'invalid_argument',
      details,
    });
    expect(s.objects.presigned).toHaveLength(0);
    expect(s.store.signed.size).toBe(0);
  });

  it('refuses more than 100 parts at once', async () => {
    const { s, upload } = await directUpload({ maxFileBytes: 10_000_000 });
    const parts = Array.from({ length: 101 }, (_, index) => ({ index, sha256: A, length: 1024 }));
    await expect(s.partUrls.sign(upload.uploadId, 'u1', parts)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it("answers not_found for another user's upload", async () => {
    const { s, upload } = await directUpload();
    await expect(s.partUrls.sign(upload.uploadId, 'u2', [{ index: 0, sha256: A, length: 1024 }])).rejects.toMatchObject(
      { code: 'not_found' },
    );
    expect(s.objects.presigned).toHaveLength(0);
  });

  it('refuses an index already recorded with another hash, and signs the same hash again', async () => {
    const { s, upload } = await directUpload();
    await s.uploads.recordPart(upload.uploadId, upload.userId, { index: 0, size: 1024, sha256: A, etag: '"e0"' });
    await expect(s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: B, length: 1024 }])).rejects.toMatchObject(
      { code: 'already_exists', details: { index: 0 } },
    );
    await expect(s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: A, length: 1024 }])).resolves.toHaveLength(
      1,
    );
  });

  it('refuses once the upload is cancelled or past its deadline', async () => {
    const { s, upload } = await directUpload();
    s.clock.advance(3600_000);
    await expect(s.partUrls.sign(upload.uploadId, 'u1', [{ index: 0, sha256: A, length: 1024 }])).rejects.toMatchObject(
      { code: 'failed_precondition', details: { status: 'EXPIRED' } },
    );
    const other = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'direct' });
    await s.uploads.cancel(other.uploadId, 'u1');
    await expect(s.partUrls.sign(other.uploadId, 'u1', [{ index: 0, sha256: A, length: 1024 }])).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { status: 'CANCELLED' },
    });
  });
});
