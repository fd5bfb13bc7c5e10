import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSessions, sha256Base64, startSessions, waitForStatus } from './harness.ts';

let s: RunningSessions;
beforeAll(async () => {
  // Browser URLs go to a public host; the workers' URLs must not (they reach storage internally).
  s = await startSessions({ S3_PUBLIC_ENDPOINT_URL: 'http://s3.public.test:4566' });
});
afterAll(() => s.close());

async function openRelay(userId: string, size: number) {
  return s.client.createUpload({ userId, fileName: 'relay.bin', size, transfer: 'relay' });
}

async function signedUrl(uploadId: string, userId: string, index: number, bytes: Buffer) {
  const { outcome } = await s.uploadsClient.preparePart({
    uploadId,
    userId,
    index,
    sha256: sha256Base64(bytes),
    length: bytes.length,
  });
  if (outcome?.$case !== 'signed') throw new Error(`expected a signed URL, got ${outcome?.$case}`);
  return outcome.value;
}

describe('PreparePart (relay workers) against the emulator', () => {
  it('signs for the internal endpoint, with the checksum and the length among the signed headers', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(1024);
    const upload = await openRelay(userId, 1500);
    const signed = await signedUrl(upload.uploadId, userId, 0, bytes);
    const url = new URL(signed.url);
    expect(url.origin).toBe(new URL(s.config.AWS_ENDPOINT_URL ?? '').origin);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(
      ['content-length', 'host', 'x-amz-checksum-sha256'].sort(),
    );
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
    expect(url.searchParams.get('partNumber')).toBe('1');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(900);
    expect(signed).toMatchObject({
      index: 0,
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': sha256Base64(bytes) },
    });
  });

  it('carries a relay upload to COMPLETED through signed PUTs, answering recorded indexes without signing', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(2048 + 300);
    const upload = await openRelay(userId, bytes.length);
    const chunks = [bytes.subarray(0, 1024), bytes.subarray(1024, 2048), bytes.subarray(2048)];
    for (const [index, chunk] of chunks.entries()) {
      const signed = await signedUrl(upload.uploadId, userId, index, chunk);
      const res = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: chunk });
      expect(res.status).toBe(200);
      const etag = res.headers.get('etag') ?? '';
      // Nothing is recorded until the worker says so.
      expect((await s.client.listParts({ uploadId: upload.uploadId, userId })).parts).toHaveLength(index);
      await s.uploadsClient.recordPart({
        uploadId: upload.uploadId,
        userId,
        index,
        size: chunk.length,
        sha256: sha256Base64(chunk),
        etag,
      });
      const again = await s.uploadsClient.preparePart({
        uploadId: upload.uploadId,
        userId,
        index,
        sha256: sha256Base64(chunk),
        length: chunk.length,
      });
      expect(again.outcome).toEqual({
        $case: 'recorded',
        value: { index, size: chunk.length, sha256: sha256Base64(chunk) },
      });
    }
    // A worker enqueues the assembly; here the status read's fallback does.
    const done = await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    expect(done.size).toBe(bytes.length);
  });

  it.each([
    ['another user', { userId: 'someone-else' }, 'not_found'],
    ['an index past the end', { index: 2 }, 'invalid_argument'],
    ['a shorter length', { length: 1000 }, 'invalid_argument'],
    ['a longer length', { length: 1025 }, 'payload_too_large'],
    ['a hex hash', { sha256: 'ab'.repeat(32) }, 'invalid_argument'],
  ])('refuses %s with %s', async (_name, change, code) => {
    const userId = randomUUID();
    const upload = await openRelay(userId, 1500);
    const request = { uploadId: upload.uploadId, userId, index: 0, sha256: sha256Base64(randomBytes(8)), length: 1024 };
    const err = await s.uploadsClient.preparePart({ ...request, ...change }).catch((e: unknown) => e);
    expect(AppError.isCode(err, code as 'not_found')).toBe(true);
  });

  it('refuses a cancelled upload as failed_precondition', async () => {
    const userId = randomUUID();
    const upload = await openRelay(userId, 1500);
    await s.client.cancelUpload({ uploadId: upload.uploadId, userId });
    const err = await s.uploadsClient
      .preparePart({ uploadId: upload.uploadId, userId, index: 0, sha256: sha256Base64(randomBytes(8)), length: 1024 })
      .catch((e: unknown) => e);
    expect(AppError.isCode(err, 'failed_precondition')).toBe(true);
  });
});
