import { createHash, randomUUID } from 'node:crypto';
import { type Upload, UploadStatus } from '@lfusys/proto/sessions';
import { describe, expect, it } from 'vitest';
import type { SessionsPort } from '../src/ports/sessions-port.ts';

/** A sessions port, and the two things a client (not a worker) does: open and cancel an upload. */
export interface SessionsUnderTest {
  sessions: SessionsPort;
  /** Opens a relayed upload of `size` bytes in 1 KiB chunks, as a client would. */
  open(userId: string, size: number): Promise<Upload>;
  /** Cancels it, as its owner would. */
  cancel(uploadId: string, userId: string): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');
const request = (upload: Upload, index: number, length: number, sha = sha256(`chunk ${index}`)) => ({
  uploadId: upload.uploadId,
  userId: upload.userId,
  index,
  sha256: sha,
  length,
});
const record = (upload: Upload, index: number, size: number, sha = sha256(`chunk ${index}`)) => ({
  uploadId: upload.uploadId,
  userId: upload.userId,
  index,
  size,
  sha256: sha,
  etag: `"etag-${index}"`,
});

/**
 * What the chunk path relies on from sessions, one suite for the memory sessions (unit) and the real
 * service over gRPC (integration): the answers and the codes (the workers pass them on to clients
 * as 4xx), owner checks, and parts counted once.
 */
export function sessionsPortContract(name: string, create: () => Promise<SessionsUnderTest>): void {
  describe(`SessionsPort contract: ${name}`, () => {
    it("reads an upload with its part target for its owner only (the token's user), never for another user", async () => {
      const s = await create();
      const upload = await s.open(randomUUID(), 2500);
      const read = await s.sessions.getUpload({ uploadId: upload.uploadId, userId: upload.userId });
      expect(read).toMatchObject({ userId: upload.userId, size: 2500, chunkSize: 1024, totalChunks: 3 });
      expect(read.status).toBe(UploadStatus.UPLOAD_STATUS_UPLOADING);
      expect(read.target?.multipartUploadId).not.toBe('');
      await expect(s.sessions.getUpload({ uploadId: upload.uploadId, userId: randomUUID() })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(s.sessions.getUpload({ uploadId: randomUUID(), userId: upload.userId })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('signs part index + 1 with the chunk checksum for a new chunk, and answers a recorded one instead', async () => {
      const s = await create();
      const upload = await s.open(randomUUID(), 2500);
      const prepared = await s.sessions.preparePart(request(upload, 1, 1024));
      expect(prepared.outcome?.$case).toBe('signed');
      if (prepared.outcome?.$case !== 'signed') return;
      expect(prepared.outcome.value.url).toContain('partNumber=2');
      expect(prepared.outcome.value.headers['x-amz-checksum-sha256']).toBe(sha256('chunk 1'));
      await s.sessions.recordPart(record(upload, 1, 1024));
      expect(await s.sessions.preparePart(request(upload, 1, 1024))).toEqual({
        outcome: { $case: 'recorded', value: { index: 1, size: 1024, sha256: sha256('chunk 1') } },
      });
    });

    it('refuses to prepare a malformed checksum, an index out of range, or a chunk of the wrong length', async () => {
      const s = await create();
      const upload = await s.open(randomUUID(), 2500);
      const refusals: Array<[ReturnType<typeof request>, string]> = [
        [request(upload, 0, 1024, 'not-a-digest'), 'invalid_argument'],
        [request(upload, 3, 452), 'invalid_argument'],
        [request(upload, 0, 1025), 'payload_too_large'],
        [request(upload, 2, 451), 'invalid_argument'],
        [{ ...request(upload, 0, 1024), userId: randomUUID() }, 'not_found'],
      ];
      for (const [req, code] of refusals) await expect(s.sessions.preparePart(req)).rejects.toMatchObject({ code });
      expect((await s.sessions.preparePart(request(upload, 2, 452))).outcome?.$case).toBe('signed');
    });

    it('counts a part once, refuses other bytes for a recorded index, and says when the set is complete', async () => {
      const s = await create();
      const upload = await s.open(randomUUID(), 1500);
      expect(await s.sessions.recordPart(record(upload, 1, 476))).toEqual({
        receivedChunks: 1,
        totalChunks: 2,
        complete: false,
        newlyRecorded: true,
      });
      expect(await s.sessions.recordPart(record(upload, 1, 476))).toMatchObject({
        receivedChunks: 1,
        newlyRecorded: false,
      });
      await expect(s.sessions.recordPart(record(upload, 1, 476, sha256('other')))).rejects.toMatchObject({
        code: 'aborted',
      });
      await expect(s.sessions.recordPart(record(upload, 0, 1000))).rejects.toMatchObject({ code: 'invalid_argument' });
      expect(await s.sessions.recordPart(record(upload, 0, 1024))).toMatchObject({ receivedChunks: 2, complete: true });
      const { parts } = await s.sessions.listParts({ uploadId: upload.uploadId, userId: upload.userId });
      expect(parts.map((p) => [p.index, p.size])).toEqual([
        [0, 1024],
        [1, 476],
      ]);
      await expect(s.sessions.listParts({ uploadId: upload.uploadId, userId: randomUUID() })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('refuses new parts of a cancelled upload, and still answers a repeat of a recorded one', async () => {
      const s = await create();
      const upload = await s.open(randomUUID(), 2500);
      await s.sessions.recordPart(record(upload, 0, 1024));
      await s.cancel(upload.uploadId, upload.userId);
      await expect(s.sessions.preparePart(request(upload, 1, 1024))).rejects.toMatchObject({
        code: 'failed_precondition',
      });
      await expect(s.sessions.recordPart(record(upload, 1, 1024))).rejects.toMatchObject({
        code: 'failed_precondition',
      });
      expect(await s.sessions.recordPart(record(upload, 0, 1024))).toMatchObject({ newlyRecorded: false });
      const read = await s.sessions.getUpload({ uploadId: upload.uploadId, userId: upload.userId });
      expect(read.status).toBe(UploadStatus.UPLOAD_STATUS_CANCELLED);
    });
  });
}
