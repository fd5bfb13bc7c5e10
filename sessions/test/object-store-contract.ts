import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PermanentAssemblyError } from '../src/domain/assembler.ts';
import type { ObjectStore } from '../src/ports/object-store.ts';

/** A store and what writes its parts (the uploads workers or a browser, not sessions, do that). */
export interface StoreUnderTest {
  store: ObjectStore;
  /** UploadPart with the part's SHA-256 declared; resolves with the ETag storage answered. */
  putPart(key: string, multipartUploadId: string, partNumber: number, bytes: Uint8Array): Promise<string>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The behaviour the assembler, the sweeper and the part checks rely on, one suite for the memory
 * store (unit) and S3 on the emulator (integration): multipart uploads completed once and then
 * gone, part lists refused for good, reuse of an open upload, reads and idempotent deletes.
 * Parts are 1 KiB, the emulator's smallest non-final part in tests.
 */
export function objectStoreContract(name: string, create: () => Promise<StoreUnderTest>): void {
  const key = () => `files/contract/${randomUUID()}`;

  describe(`ObjectStore contract: ${name}`, () => {
    it('lists the parts written, completes them in order into one object, and forgets the upload', async () => {
      const { store, putPart } = await create();
      const k = key();
      const id = await store.createMultipart(k, 'application/pdf');
      const [one, two] = [randomBytes(1024), randomBytes(100)];
      const etags = [await putPart(k, id, 1, one), await putPart(k, id, 2, two)];
      const listed = await store.listUploadedParts(k, id);
      expect(listed.map(({ partNumber, size, etag }) => ({ partNumber, size, etag }))).toEqual([
        { partNumber: 1, size: 1024, etag: etags[0] },
        { partNumber: 2, size: 100, etag: etags[1] },
      ]);
      // Storage that reports part checksums reports the declared ones.
      for (const [i, p] of listed.entries())
        if (p.sha256 !== undefined) expect(p.sha256).toBe(sha256([one, two][i] as Buffer));

      const etag = await store.completeMultipart(k, id, listed);
      expect(etag).toMatch(/^"[0-9a-f]{32}-2"$/);
      expect(await store.head(k)).toEqual({ size: 1124, etag });
      expect(await readAll(await store.read(k))).toEqual(Buffer.concat([one, two]));
      await expect(store.listUploadedParts(k, id)).rejects.toMatchObject({ code: 'failed_precondition' });
      // Not asserted: a repeat of the completion (moto answers it with success again; the
      // assembler does not rely on either answer, it checks the object).
    });

    it('lists only the part numbers within a range, and the latest bytes of a part written twice', async () => {
      const { store, putPart } = await create();
      const k = key();
      const id = await store.createMultipart(k, 'application/octet-stream');
      for (const n of [1, 2, 3, 4]) await putPart(k, id, n, randomBytes(1024));
      const latest = await putPart(k, id, 3, randomBytes(1024));
      const ranged = await store.listUploadedParts(k, id, { from: 2, to: 3 });
      expect(ranged.map((p) => p.partNumber)).toEqual([2, 3]);
      expect(ranged[1]?.etag).toBe(latest);
    });

    it('refuses for good a part list naming a part never written or with another ETag', async () => {
      const { store, putPart } = await create();
      const k = key();
      const id = await store.createMultipart(k, 'application/octet-stream');
      const etag = await putPart(k, id, 1, randomBytes(1024));
      const wrongTag = [{ partNumber: 1, etag: `"${'0'.repeat(32)}"` }];
      await expect(store.completeMultipart(k, id, wrongTag)).rejects.toBeInstanceOf(PermanentAssemblyError);
      const missing = [
        { partNumber: 1, etag },
        { partNumber: 2, etag },
      ];
      await expect(store.completeMultipart(k, id, missing)).rejects.toBeInstanceOf(PermanentAssemblyError);
      expect(await store.head(k)).toBeNull();
      expect(await store.listUploadedParts(k, id)).toHaveLength(1);
    });

    it('forgets an aborted upload and its parts, and aborting again succeeds', async () => {
      const { store, putPart } = await create();
      const k = key();
      const id = await store.createMultipart(k, 'application/octet-stream');
      await putPart(k, id, 1, randomBytes(1024));
      await store.abortMultipart(k, id);
      await store.abortMultipart(k, id);
      await expect(store.listUploadedParts(k, id)).rejects.toMatchObject({ code: 'failed_precondition' });
      expect(await store.createMultipart(k, 'application/octet-stream', { reuseOpen: true })).not.toBe(id);
      // Not asserted: completing it (S3 answers NoSuchUpload, which the adapter turns into null;
      // moto answers a 500).
      expect(await store.head(k)).toBeNull();
    });

    it('reuses the upload open for exactly that key when asked to, and only then', async () => {
      const { store } = await create();
      const k = key();
      const first = await store.createMultipart(k, 'application/octet-stream');
      expect(await store.createMultipart(k, 'application/octet-stream', { reuseOpen: true })).toBe(first);
      expect(await store.createMultipart(`${k}-sibling`, 'application/octet-stream', { reuseOpen: true })).not.toBe(
        first,
      );
      expect(await store.createMultipart(k, 'application/octet-stream')).not.toBe(first);
    });

    it('answers an absent object with null (head) and not_found (read), and deletes idempotently', async () => {
      const { store, putPart } = await create();
      const k = key();
      expect(await store.head(k)).toBeNull();
      await expect(store.read(k)).rejects.toMatchObject({ code: 'not_found' });
      await store.delete(k);
      const id = await store.createMultipart(k, 'application/octet-stream');
      const etag = await putPart(k, id, 1, randomBytes(10));
      await store.completeMultipart(k, id, [{ partNumber: 1, etag }]);
      expect(await store.head(k)).toMatchObject({ size: 10 });
      await store.delete(k);
      await store.delete(k);
      expect(await store.head(k)).toBeNull();
    });
  });
}
