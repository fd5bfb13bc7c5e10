import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opened, part, type Repositories, sessionFor } from './repository-fixtures.ts';

/**
 * The parts half of the UploadRepository contract (upload-repository-contract.ts has the rest),
 * run against both adapters: a part is recorded once, a batch all or nothing, and the counters
 * move exactly once per part.
 */
export function uploadPartsContract(name: string, create: () => Promise<Repositories>): void {
  describe(`UploadRepository contract: ${name}, parts`, () => {
    it('counts a part once: a repeat of its index is a duplicate with the first record, counters unmoved', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      const first = await uploads.recordPart(upload, part(1, 1024));
      expect(first).toMatchObject({ kind: 'recorded', upload: { receivedChunks: 1, receivedBytes: 1024 } });
      const repeats = await Promise.all([
        uploads.recordPart(upload, { ...part(1), etag: '"other"' }),
        uploads.recordPart(upload, part(1)),
      ]);
      for (const repeat of repeats) {
        expect(repeat).toMatchObject({ kind: 'duplicate', existing: part(1), upload: { receivedChunks: 1 } });
      }
      expect(await uploads.get(upload.uploadId)).toMatchObject({ receivedChunks: 1, receivedBytes: 1024 });
    });

    it('counts every one of many parts recorded at once in parallel', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads, { totalChunks: 3, size: 3000 });
      await Promise.all([
        uploads.recordPart(upload, part(0)),
        uploads.recordPart(upload, part(1)),
        uploads.recordPart(upload, part(2, 952)),
      ]);
      expect(await uploads.get(upload.uploadId)).toMatchObject({ receivedChunks: 3, receivedBytes: 3000 });
      expect(await uploads.listParts(upload.uploadId)).toEqual([part(0), part(1), part(2, 952)]);
    });

    it('refuses a part once the session left UPLOADING, or its owner was deleted', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
      expect(await uploads.recordPart(upload, part(0))).toMatchObject({
        kind: 'not_uploading',
        upload: { status: 'ASSEMBLING' },
      });
      expect(await uploads.recordPart(sessionFor(upload.userId), part(0))).toEqual({
        kind: 'not_uploading',
        upload: null,
      });
      const other = await opened(uploads);
      await uploads.markUserDeleted(other.userId, 2_000_000_000);
      expect(await uploads.recordPart(other, part(0))).toEqual({ kind: 'user_deleted' });
      expect(await uploads.recordParts(other, [part(1)])).toEqual({ kind: 'conflict' });
      expect(await uploads.listParts(upload.uploadId)).toEqual([]);
      expect(await uploads.get(other.uploadId)).toMatchObject({ receivedChunks: 0 });
    });

    it('records a batch of parts all or nothing: one recorded already means none of the others', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      await uploads.recordPart(upload, part(1));
      const read = await uploads.get(upload.uploadId);
      if (!read) throw new Error('the upload should exist');
      expect(await uploads.recordParts(read, [part(0), part(1), part(2, 952)])).toEqual({ kind: 'conflict' });
      expect(await uploads.listParts(upload.uploadId)).toEqual([part(1)]);
      expect(await uploads.get(upload.uploadId)).toMatchObject({ receivedChunks: 1, receivedBytes: 1024 });
      const batch = await uploads.recordParts(read, [part(0), part(2, 952)]);
      // The answer is the upload as a read right after returns it, without that read.
      expect(batch).toEqual({ kind: 'recorded', upload: { ...read, receivedChunks: 3, receivedBytes: 3000 } });
      expect(await uploads.get(upload.uploadId)).toEqual(batch.kind === 'recorded' ? batch.upload : null);
    });

    it('refuses a batch counted from a stale read: parts recorded meanwhile by another confirmation', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      expect(await uploads.recordParts(upload, [part(0)])).toMatchObject({ kind: 'recorded' });
      // `upload` still says no part is in: its count is not the stored one any more.
      expect(await uploads.recordParts(upload, [part(1)])).toEqual({ kind: 'conflict' });
      expect(await uploads.listParts(upload.uploadId)).toEqual([part(0)]);
      expect(await uploads.get(upload.uploadId)).toMatchObject({ receivedChunks: 1, receivedBytes: 1024 });
    });

    it('never counts a batch that names one index twice', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      // A caller's bug (the domain removes repeats first): refused, whichever way, with nothing written.
      await uploads.recordParts(upload, [part(0), part(0)]).catch(() => undefined);
      expect(await uploads.get(upload.uploadId)).toMatchObject({ receivedChunks: 0, receivedBytes: 0 });
      expect(await uploads.listParts(upload.uploadId)).toEqual([]);
    });

    it('reads back recorded parts by index, and the latest signature of each signed index', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      await uploads.recordParts(upload, [part(0), part(2, 952)]);
      expect(await uploads.getPart(upload.uploadId, 2)).toEqual(part(2, 952));
      expect(await uploads.getPart(upload.uploadId, 1)).toBeNull();
      const parts = await uploads.readPartBatch(upload.uploadId, [0, 1, 2], false);
      expect(parts.recorded).toEqual(
        new Map([
          [0, part(0)],
          [2, part(2, 952)],
        ]),
      );
      expect(parts.upload).toMatchObject({ uploadId: upload.uploadId, receivedChunks: 2, status: 'UPLOADING' });
      expect(parts.signed).toEqual(new Map());
      await uploads.saveSignedParts(upload, [
        { index: 0, size: 1024, sha256: 'x' },
        { index: 1, size: 1024, sha256: 'y' },
      ]);
      await uploads.saveSignedParts(upload, [{ index: 1, size: 1024, sha256: 'z' }]);
      const both = await uploads.readPartBatch(upload.uploadId, [1, 2], true);
      expect(both.signed).toEqual(new Map([[1, { index: 1, size: 1024, sha256: 'z' }]]));
      expect([...both.recorded.keys()]).toEqual([2]);
      expect(await uploads.readPartBatch(randomUUID(), [0], true)).toEqual({
        upload: null,
        recorded: new Map(),
        signed: new Map(),
      });
    });

    it('saves and reads back the signatures of a whole call, however many (a call signs up to 100)', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      const signed = Array.from({ length: 100 }, (_, index) => ({ index, size: 1024, sha256: `s${index}` }));
      await uploads.saveSignedParts(upload, signed);
      await uploads.recordParts(upload, [part(0), part(99)]);
      const indexes = signed.map((s) => s.index);
      // 1 session + 100 parts + 100 signatures: more keys than one BatchGetItem reads.
      const view = await uploads.readPartBatch(upload.uploadId, indexes, true);
      expect(view.signed).toEqual(new Map(signed.map((s) => [s.index, s])));
      expect([...view.recorded.keys()].sort((a, b) => a - b)).toEqual([0, 99]);
      expect(view.upload?.uploadId).toBe(upload.uploadId);
    });
  });
}
