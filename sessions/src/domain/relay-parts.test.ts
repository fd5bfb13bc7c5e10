import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64');
const A = hashOf('a');
const B = hashOf('b');

/** A relay upload of 2,500 bytes in 1 KiB parts: 1024, 1024, 452. */
async function relayUpload(limits = {}) {
  const s = memorySessions(limits);
  const upload = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'relay' });
  const chunk = (index: number, length: number, sha256 = A) => ({
    uploadId: upload.uploadId,
    userId: 'u1',
    index,
    sha256,
    length,
  });
  return { s, upload, chunk };
}

describe('RelayParts.prepare', () => {
  it('signs part index + 1 of the upload with the chunk SHA-256 and exact length, writing nothing', async () => {
    const { s, upload, chunk } = await relayUpload();
    const prepared = await s.relayParts.prepare(chunk(2, 452, B));
    expect(prepared).toEqual({
      kind: 'signed',
      url: expect.objectContaining({ method: 'PUT', headers: { 'x-amz-checksum-sha256': B } }),
    });
    expect(s.objects.presigned).toEqual([
      { key: upload.objectKey, partNumber: 3, sha256: B, expiresIn: 900, length: 452 },
    ]);
    // Unlike direct mode's SignParts: no per-index item, the worker records the part itself.
    expect(s.store.signed.size).toBe(0);
    expect(await s.repository.getPart(upload.uploadId, 2)).toBeNull();
  });

  it('lets a URL live 15 minutes at most, and never past the upload deadline', async () => {
    const { s, chunk } = await relayUpload({ ttlSeconds: 3600 });
    const first = await s.relayParts.prepare(chunk(0, 1024));
    expect(first.kind === 'signed' && first.url.expiresAt).toBe(new Date(s.clock.now() + 900_000).toISOString());
    s.clock.advance(3600_000 - 30_000);
    await s.relayParts.prepare(chunk(0, 1024));
    expect(s.objects.presigned.map((p) => p.expiresIn)).toEqual([900, 30]);
  });

  it('answers a recorded index with its sha256 and size, and signs nothing', async () => {
    const { s, upload, chunk } = await relayUpload();
    await s.uploads.recordPart(upload.uploadId, upload.userId, { index: 1, size: 1024, sha256: A, etag: '"e1"' });
    // Whatever the new chunk's hash: the worker compares and refuses different bytes (409).
    for (const sha256 of [A, B]) {
      await expect(s.relayParts.prepare(chunk(1, 1024, sha256))).resolves.toEqual({
        kind: 'recorded',
        part: expect.objectContaining({ index: 1, size: 1024, sha256: A }),
      });
    }
    expect(s.objects.presigned).toHaveLength(0);
  });

  it.each([
    ['a shorter length', 1, 1000, A, 'invalid_argument', { field: 'length', expected: 1024 }],
    ['a longer length', 1, 1025, A, 'payload_too_large', { field: 'length', expected: 1024 }],
    ['a wrong last length', 2, 451, A, 'invalid_argument', { field: 'length', expected: 452 }],
    ['an index past the end', 3, 1024, A, 'invalid_argument', { field: 'index', index: 3 }],
    ['a hex hash', 0, 1024, 'ab'.repeat(32), 'invalid_argument', { field: 'sha256' }],
  ])('refuses %s as %s, signing nothing', async (_name, index, length, sha256, code, details) => {
    const { s, chunk } = await relayUpload();
    await expect(s.relayParts.prepare(chunk(index, length, sha256))).rejects.toMatchObject({ code, details });
    expect(s.objects.presigned).toHaveLength(0);
  });

  it("answers not_found for another user's upload, even for a recorded index", async () => {
    const { s, upload, chunk } = await relayUpload();
    await s.uploads.recordPart(upload.uploadId, upload.userId, { index: 0, size: 1024, sha256: A, etag: '"e0"' });
    for (const index of [0, 1]) {
      await expect(s.relayParts.prepare({ ...chunk(index, 1024), userId: 'u2' })).rejects.toMatchObject({
        code: 'not_found',
      });
    }
    await expect(s.relayParts.prepare({ ...chunk(0, 1024), uploadId: 'missing' })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(s.objects.presigned).toHaveLength(0);
  });

  it('refuses once the upload is past its deadline, cancelled or assembling, but for a part it holds', async () => {
    const { s, chunk } = await relayUpload();
    s.clock.advance(3600_000);
    await expect(s.relayParts.prepare(chunk(0, 1024))).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { status: 'EXPIRED' },
    });
    const cancelled = await s.uploads.create({ ...openInput('u1', 2500), transfer: 'relay' });
    await s.uploads.cancel(cancelled.uploadId, 'u1');
    await expect(s.relayParts.prepare({ ...chunk(0, 1024), uploadId: cancelled.uploadId })).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { status: 'CANCELLED' },
    });
    const two = await s.uploads.create({ ...openInput('u1', 2048), transfer: 'relay' });
    await s.uploads.recordPart(two.uploadId, 'u1', { index: 0, size: 1024, sha256: A, etag: '"e0"' });
    await s.uploads.recordPart(two.uploadId, 'u1', { index: 1, size: 1024, sha256: B, etag: '"e1"' });
    expect(await s.repository.startAssembly(two.uploadId, 'now')).toMatchObject({ status: 'ASSEMBLING' });
    // A retry of a part it holds (its answer was lost) meets that part: the worker compares the bytes.
    await expect(s.relayParts.prepare({ ...chunk(1, 1024, B), uploadId: two.uploadId })).resolves.toEqual({
      kind: 'recorded',
      part: expect.objectContaining({ index: 1, sha256: B }),
    });
    // A cancelled upload's parts are not final: refused even for a part it holds.
    const held = await s.uploads.create({ ...openInput('u1', 2048), transfer: 'relay' });
    await s.uploads.recordPart(held.uploadId, 'u1', { index: 0, size: 1024, sha256: A, etag: '"e0"' });
    await s.uploads.cancel(held.uploadId, 'u1');
    await expect(s.relayParts.prepare({ ...chunk(0, 1024), uploadId: held.uploadId })).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { status: 'CANCELLED' },
    });
    expect(s.objects.presigned).toHaveLength(0);
  });
});
