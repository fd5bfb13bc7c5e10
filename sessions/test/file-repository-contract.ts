import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UploadSession } from '../src/domain/upload.ts';
import { everyPage, fileOf, type Repositories, sessionFor } from './repository-fixtures.ts';

/**
 * The behaviour every FileRepository adapter must have, with the UploadRepository over the same
 * store (files come into being by completing an upload): reads, owner listings, rename, and a
 * delete that gives the bytes back to the owner's quota exactly once.
 */
export function fileRepositoryContract(name: string, create: () => Promise<Repositories>): void {
  /** A completed upload of `size` bytes created at `createdAt`; its file. */
  async function completed({ uploads }: Repositories, userId: string, createdAt: string, size = 3000) {
    const upload: UploadSession = sessionFor(userId, { size });
    await uploads.create(upload, { quotaBytes: 1_000_000, maxInProgress: 10 });
    await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
    const file = fileOf(upload, createdAt);
    expect(await uploads.complete(upload.uploadId, file)).toBe('completed');
    return file;
  }

  describe(`FileRepository contract: ${name}`, () => {
    it("pages an owner's files newest first, each once, and no one else's", async () => {
      const repos = await create();
      const userId = randomUUID();
      const older = await completed(repos, userId, '2026-12-01T10:00:00.000Z');
      const newer = await completed(repos, userId, '2026-12-01T11:00:00.000Z');
      await completed(repos, randomUUID(), '2026-12-01T12:00:00.000Z');
      const listed = await everyPage(async (cursor) => {
        const page = await repos.files.listByOwner(userId, 1, cursor);
        return { items: page.files, nextCursor: page.nextCursor };
      });
      expect(listed).toEqual([newer, older]);
      expect(await repos.files.get(older.fileId)).toEqual(older);
      expect(await repos.files.get(randomUUID())).toBeNull();
    });

    it("refuses a listing cursor it did not issue, or issued for another owner's files", async () => {
      const repos = await create();
      const userId = randomUUID();
      await completed(repos, userId, '2026-12-01T10:00:00.000Z');
      await completed(repos, userId, '2026-12-01T11:00:00.000Z');
      const { nextCursor } = await repos.files.listByOwner(userId, 1, '');
      await expect(repos.files.listByOwner(randomUUID(), 1, nextCursor)).rejects.toMatchObject({
        code: 'invalid_argument',
      });
      await expect(repos.files.listByOwner(userId, 1, '%%%')).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    it('renames a file, and answers not_found for one that does not exist', async () => {
      const repos = await create();
      const file = await completed(repos, randomUUID(), '2026-12-01T10:00:00.000Z');
      expect(await repos.files.rename(file.fileId, 'new.bin')).toEqual({ ...file, name: 'new.bin' });
      expect(await repos.files.get(file.fileId)).toMatchObject({ name: 'new.bin' });
      await expect(repos.files.rename(randomUUID(), 'x')).rejects.toMatchObject({ code: 'not_found' });
    });

    it("deletes a file once and gives its bytes back to the owner's quota once", async () => {
      const repos = await create();
      const userId = randomUUID();
      const file = await completed(repos, userId, '2026-12-01T10:00:00.000Z', 700);
      expect(await repos.uploads.usage(userId)).toMatchObject({ reservedBytes: 700, uploadsInProgress: 0 });
      const deletes = await Promise.all([repos.files.delete(file), repos.files.delete(file)]);
      expect(deletes.sort()).toEqual([false, true]);
      expect(await repos.files.get(file.fileId)).toBeNull();
      expect(await repos.uploads.usage(userId)).toMatchObject({ reservedBytes: 0 });
    });
  });
}
