import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UploadSession } from '../src/domain/upload.ts';
import {
  CONTRACT_LIMITS,
  everyPage,
  fileOf,
  opened,
  part,
  type Repositories,
  sessionFor,
} from './repository-fixtures.ts';

/**
 * The behaviour every UploadRepository adapter must have, one suite for the memory adapter (unit)
 * and DynamoDB against the emulator (integration): each state change is conditional, each
 * transaction all-or-nothing, and the counters move exactly once per part, open and end.
 */
export function uploadRepositoryContract(name: string, create: () => Promise<Repositories>): void {
  describe(`UploadRepository contract: ${name}, opening`, () => {
    it('writes the session and reserves its bytes and a slot; a replay of the id writes nothing more', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      expect(await uploads.get(upload.uploadId)).toEqual(upload);
      expect(await uploads.usage(upload.userId)).toEqual({ reservedBytes: 3000, uploadsInProgress: 1, deleted: false });
      expect(await uploads.create(upload, CONTRACT_LIMITS)).toBe('exists');
      expect(await uploads.usage(upload.userId)).toEqual({ reservedBytes: 3000, uploadsInProgress: 1, deleted: false });
    });

    it('refuses an open beyond the uploads in progress, or beyond the quota, and writes nothing', async () => {
      const { uploads } = await create();
      const userId = randomUUID();
      for (let i = 0; i < CONTRACT_LIMITS.maxInProgress; i++)
        await uploads.create(sessionFor(userId, { size: 100 }), CONTRACT_LIMITS);
      const fourth = sessionFor(userId, { size: 100 });
      expect(await uploads.create(fourth, CONTRACT_LIMITS)).toBe('too_many_uploads');
      expect(await uploads.get(fourth.uploadId)).toBeNull();

      const other = randomUUID();
      await uploads.create(sessionFor(other, { size: 6000 }), CONTRACT_LIMITS);
      const tooBig = sessionFor(other, { size: 4001 });
      expect(await uploads.create(tooBig, CONTRACT_LIMITS)).toBe('quota_exceeded');
      expect(await uploads.create(sessionFor(other, { size: 4000 }), CONTRACT_LIMITS)).toBe('created');
      expect(await uploads.get(tooBig.uploadId)).toBeNull();
      expect(await uploads.usage(other)).toMatchObject({ reservedBytes: 10_000, uploadsInProgress: 2 });
    });

    it('refuses an open for a deleted user, whose tombstone reads back', async () => {
      const { uploads } = await create();
      const userId = randomUUID();
      await uploads.markUserDeleted(userId, 2_000_000_000);
      await uploads.markUserDeleted(userId, 2_000_000_000);
      const upload = sessionFor(userId);
      expect(await uploads.create(upload, CONTRACT_LIMITS)).toBe('user_deleted');
      expect(await uploads.get(upload.uploadId)).toBeNull();
      expect(await uploads.usage(userId)).toEqual({ reservedBytes: 0, uploadsInProgress: 0, deleted: true });
      expect(await uploads.usage(randomUUID())).toMatchObject({ deleted: false });
    });
  });

  describe(`UploadRepository contract: ${name}, state changes`, () => {
    it('moves a session only from the states named, and refuses once the state has moved', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      const moved = await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING', { updatedAt: 'later' });
      // The answer is the upload as written: what a read right after would return.
      expect(moved).toEqual({ ...upload, status: 'ASSEMBLING', updatedAt: 'later' });
      expect(await uploads.get(upload.uploadId)).toEqual(moved);
      expect(await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING')).toBeNull();
      expect(await uploads.transition(randomUUID(), ['UPLOADING'], 'ASSEMBLING')).toBeNull();
    });

    it('starts assembling only an UPLOADING upload whose every part is recorded, and answers it as written', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads, { totalChunks: 2, size: 2048 });
      expect(await uploads.startAssembly(upload.uploadId, 'later')).toBeNull();
      expect(await uploads.recordParts(upload, [part(0)])).toMatchObject({ kind: 'recorded' });
      expect(await uploads.startAssembly(upload.uploadId, 'later')).toBeNull();
      expect(await uploads.get(upload.uploadId)).toMatchObject({ status: 'UPLOADING', receivedChunks: 1 });
      const read = await uploads.get(upload.uploadId);
      if (!read) throw new Error('the upload should exist');
      expect(await uploads.recordParts(read, [part(1)])).toMatchObject({ kind: 'recorded' });
      const started = await uploads.startAssembly(upload.uploadId, 'later');
      expect(started).toMatchObject({ status: 'ASSEMBLING', updatedAt: 'later', receivedChunks: 2, totalChunks: 2 });
      expect(await uploads.get(upload.uploadId)).toEqual(started);
      // Once: a second start (a redelivery, another consumer) changes nothing.
      expect(await uploads.startAssembly(upload.uploadId, 'even later')).toBeNull();
      expect(await uploads.startAssembly(randomUUID(), 'later')).toBeNull();
    });

    it('ends a session once: the bytes and the slot go back once, a racing second end changes nothing', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads);
      const ends = await Promise.all([
        uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'CANCELLED', { updatedAt: '2026-12-01T12:00:00.000Z' }),
        uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'EXPIRED', { updatedAt: '2026-12-01T12:00:00.000Z' }),
      ]);
      expect(ends.sort()).toEqual([false, true]);
      expect(await uploads.usage(upload.userId)).toEqual({ reservedBytes: 0, uploadsInProgress: 0, deleted: false });
      const ended = await uploads.get(upload.uploadId);
      expect(['CANCELLED', 'EXPIRED']).toContain(ended?.status);
      expect(await uploads.listInProgress(upload.userId, 10, '')).toEqual({ uploads: [], nextCursor: '' });
    });

    it('completes an ASSEMBLING session once with its file: the slot goes back, the file keeps the bytes', async () => {
      const { uploads, files } = await create();
      const upload = await opened(uploads);
      const file = fileOf(upload);
      expect(await uploads.complete(upload.uploadId, file)).toBe('not_assembling');
      await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
      const [first, second] = await Promise.all([
        uploads.complete(upload.uploadId, file),
        uploads.complete(upload.uploadId, { ...file, fileId: randomUUID() }),
      ]);
      expect([first, second].sort()).toEqual(['completed', 'not_assembling']);
      const done = await uploads.get(upload.uploadId);
      expect(done).toMatchObject({ status: 'COMPLETED' });
      expect(await files.get(done?.fileId ?? '')).toMatchObject({ uploadId: upload.uploadId, size: 3000 });
      expect(await uploads.usage(upload.userId)).toEqual({ reservedBytes: 3000, uploadsInProgress: 0, deleted: false });
      expect(await uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'FAILED', {})).toBe(false);
    });

    it('refuses to complete the upload of a deleted user, writing no file', async () => {
      const { uploads, files } = await create();
      const upload = await opened(uploads);
      await uploads.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
      await uploads.markUserDeleted(upload.userId, 2_000_000_000);
      const file = fileOf(upload);
      expect(await uploads.complete(upload.uploadId, file)).toBe('user_deleted');
      expect(await files.get(file.fileId)).toBeNull();
      expect(await uploads.get(upload.uploadId)).toMatchObject({ status: 'ASSEMBLING' });
      expect(await uploads.usage(upload.userId)).toMatchObject({ uploadsInProgress: 1 });
    });

    it('takes a declared SHA-256 only while UPLOADING with parts missing, and never a second value', async () => {
      const { uploads } = await create();
      const upload = await opened(uploads, { totalChunks: 2, size: 2048 });
      expect(await uploads.declareSha256(upload.uploadId, 'a'.repeat(64))).toBe(true);
      expect(await uploads.declareSha256(upload.uploadId, 'a'.repeat(64))).toBe(true);
      expect(await uploads.declareSha256(upload.uploadId, 'b'.repeat(64))).toBe(false);
      expect(await uploads.get(upload.uploadId)).toMatchObject({ sha256: 'a'.repeat(64) });

      const full = await opened(uploads, { totalChunks: 2, size: 2048 });
      await uploads.recordParts(full, [part(0), part(1)]);
      expect(await uploads.declareSha256(full.uploadId, 'c'.repeat(64))).toBe(false);
      const assembling = await opened(uploads);
      await uploads.transition(assembling.uploadId, ['UPLOADING'], 'ASSEMBLING');
      expect(await uploads.declareSha256(assembling.uploadId, 'c'.repeat(64))).toBe(false);
      expect(await uploads.get(assembling.uploadId)).toMatchObject({ sha256: '' });
    });
  });

  describe(`UploadRepository contract: ${name}, listings`, () => {
    it("pages a user's uploads in progress newest first, each once, and leaves ended ones out", async () => {
      const { uploads } = await create();
      const userId = randomUUID();
      const made = [];
      for (const hour of ['10', '11', '12']) {
        const upload = sessionFor(userId, { createdAt: `2026-12-01T${hour}:00:00.000Z`, size: 10 });
        await uploads.create(upload, CONTRACT_LIMITS);
        made.push(upload);
      }
      await uploads.end(made[1] as UploadSession, ['UPLOADING'], 'CANCELLED', {
        updatedAt: '2026-12-01T13:00:00.000Z',
      });
      const listed = await everyPage(async (cursor) => {
        const page = await uploads.listInProgress(userId, 1, cursor);
        return { items: page.uploads, nextCursor: page.nextCursor };
      });
      expect(listed.map((u) => u.uploadId)).toEqual([made[2]?.uploadId, made[0]?.uploadId]);
    });

    it("refuses a listing cursor it did not issue, or issued for another user's listing", async () => {
      const { uploads } = await create();
      const userId = randomUUID();
      for (let i = 0; i < 2; i++) await uploads.create(sessionFor(userId, { size: 10 }), CONTRACT_LIMITS);
      const { nextCursor } = await uploads.listInProgress(userId, 1, '');
      await expect(uploads.listInProgress(randomUUID(), 1, nextCursor)).rejects.toMatchObject({
        code: 'invalid_argument',
      });
      await expect(uploads.listInProgress(userId, 1, 'not-a-cursor')).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    });

    it('lists the sessions of a status that expired before a time, oldest first, a page at a time', async () => {
      const { uploads } = await create();
      // Years no other test uses, so a shared table holds only these before 2001.
      const old = ['2000-03-01', '2000-01-01', '2000-02-01'].map((day) =>
        sessionFor(randomUUID(), { expiresAt: `${day}T00:00:00.000Z` }),
      );
      for (const upload of old) await uploads.create(upload, CONTRACT_LIMITS);
      await uploads.transition(old[0]?.uploadId ?? '', ['UPLOADING'], 'ASSEMBLING');
      const before = '2001-01-01T00:00:00.000Z';
      const listed = await everyPage(async (cursor) => {
        const page = await uploads.listByStatus('UPLOADING', before, 1, cursor);
        return { items: page.uploadIds, nextCursor: page.nextCursor };
      });
      expect(listed).toEqual([old[1]?.uploadId, old[2]?.uploadId]);
      expect((await uploads.listByStatus('ASSEMBLING', before, 10, '')).uploadIds).toEqual([old[0]?.uploadId]);
      expect((await uploads.listByStatus('UPLOADING', '2000-01-15T00:00:00.000Z', 10, '')).uploadIds).toEqual([
        old[1]?.uploadId,
      ]);
    });
  });
}
