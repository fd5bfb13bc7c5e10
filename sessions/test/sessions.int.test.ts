import { randomBytes, randomUUID } from 'node:crypto';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createS3Client, resourceNames } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentUploadId } from '../src/domain/upload-service.ts';
import { sweepOnce } from '../src/workers/sweeper.ts';
import { type RunningSessions, sendPart, sha256Base64, startSessions, waitForStatus } from './harness.ts';

let s: RunningSessions;
beforeAll(async () => {
  s = await startSessions();
});
afterAll(() => s.close());

async function openMultipartUploads(): Promise<number> {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: s.deps.bucket }));
  return out.Uploads?.length ?? 0;
}

function chunksOf(bytes: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return chunks;
}

describe('an upload over gRPC, assembled from the FIFO queue', () => {
  it('completes once, with the exact bytes, whatever the order and duplicates of its parts', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(10 * 1024 + 123);
    const upload = await s.client.createUpload({
      userId,
      fileName: 'report.pdf',
      size: bytes.length,
      contentType: 'application/pdf',
      sha256: '',
      idempotencyKey: '',
    });
    expect(upload).toMatchObject({ chunkSize: 1024, totalChunks: 11, status: UploadStatus.UPLOAD_STATUS_UPLOADING });
    expect(upload.target).toBeUndefined();
    const chunks = chunksOf(bytes, upload.chunkSize);
    const order = [...chunks.keys()].sort(() => Math.random() - 0.5);
    const results = [];
    // Two chunks are sent twice (a client retry after a lost response) before the set completes.
    const sequence = [...order.slice(0, 5), order[0] as number, order[1] as number, ...order.slice(5)];
    for (const i of sequence) results.push(await sendPart(s, upload, i, chunks[i] as Buffer));
    expect(results.filter((r) => r.newlyRecorded)).toHaveLength(11);
    expect(results.filter((r) => !r.newlyRecorded)).toHaveLength(2);
    expect(results.at(-1)).toMatchObject({ receivedChunks: 11, complete: true, newlyRecorded: true });
    await s.deps.sweeper.queue.enqueue(upload.uploadId);

    const done = await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    const { files } = await s.client.listFiles({ userId, limit: 10, cursor: '' });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ fileId: done.fileId, name: 'report.pdf', size: bytes.length });
    const { url } = await s.client.getDownloadUrl({ fileId: done.fileId, userId });
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(sha256Base64(downloaded)).toBe(sha256Base64(bytes));
    expect(decodeURIComponent(new URL(url).searchParams.get('response-content-disposition') ?? '')).toContain(
      `filename*=UTF-8''report.pdf`,
    );
    expect(await openMultipartUploads()).toBe(0);
  });

  // This test once failed intermittently: moto's threaded TransactWriteItems rollback erased
  // concurrent writes. The emulator launcher now serialises DynamoDB requests (moto_serialised.py).
  it('assembles a file of more than 1,000 parts', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(1024 * 1001 + 5);
    const upload = await s.client.createUpload({
      userId,
      fileName: 'many.bin',
      size: bytes.length,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    expect(upload.totalChunks).toBe(1002);
    const chunks = chunksOf(bytes, upload.chunkSize);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < chunks.length) {
          const i = next++;
          await sendPart(s, upload, i, chunks[i] as Buffer);
        }
      }),
    );
    await s.deps.sweeper.queue.enqueue(upload.uploadId);
    const done = await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED, 60_000);
    const { url } = await s.client.getDownloadUrl({ fileId: done.fileId, userId });
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(downloaded.length).toBe(bytes.length);
    expect(sha256Base64(downloaded)).toBe(sha256Base64(bytes));
  }, 120_000);

  it('records the last two parts concurrently and still assembles exactly one file', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(4 * 1024);
    const upload = await s.client.createUpload({
      userId,
      fileName: 'race.bin',
      size: bytes.length,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    const chunks = chunksOf(bytes, upload.chunkSize);
    await sendPart(s, upload, 0, chunks[0] as Buffer);
    await sendPart(s, upload, 1, chunks[1] as Buffer);
    const last = await Promise.all([
      sendPart(s, upload, 2, chunks[2] as Buffer),
      sendPart(s, upload, 3, chunks[3] as Buffer),
    ]);
    expect(last.some((r) => r.complete)).toBe(true);
    // Both workers may believe they completed the set; both enqueue, as the uploads workers do.
    await Promise.all(last.filter((r) => r.complete).map(() => s.deps.sweeper.queue.enqueue(upload.uploadId)));
    await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    // A redelivered message, and two delivered at once, for the finished upload change nothing.
    expect(await s.deps.assembler.assemble(upload.uploadId)).toBe('already_done');
    expect(
      await Promise.all([s.deps.assembler.assemble(upload.uploadId), s.deps.assembler.assemble(upload.uploadId)]),
    ).toEqual(['already_done', 'already_done']);
    const { files } = await s.client.listFiles({ userId, limit: 10, cursor: '' });
    expect(files).toHaveLength(1);
  });

  it('refuses different bytes for a recorded index, and parts of a cancelled upload', async () => {
    const userId = randomUUID();
    const upload = await s.client.createUpload({
      userId,
      fileName: 'x.bin',
      size: 2048,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    await sendPart(s, upload, 0, Buffer.alloc(1024, 1));
    await expect(sendPart(s, upload, 0, Buffer.alloc(1024, 2))).rejects.toMatchObject({ code: 'aborted' });
    await expect(s.client.getUpload({ uploadId: upload.uploadId, userId: randomUUID() })).rejects.toMatchObject({
      code: 'not_found',
    });
    const cancelled = await s.client.cancelUpload({ uploadId: upload.uploadId, userId });
    expect(cancelled.status).toBe(UploadStatus.UPLOAD_STATUS_CANCELLED);
    await expect(
      s.uploadsClient.recordPart({
        uploadId: upload.uploadId,
        userId,
        index: 1,
        size: 1024,
        sha256: sha256Base64(Buffer.alloc(1024)),
        etag: '"x"',
      }),
    ).rejects.toMatchObject({ code: 'failed_precondition' });
  });

  it('an idempotent create: retries (also concurrent ones, and after a crash that left a multipart upload) get one upload, one multipart upload, one reservation', async () => {
    const small = await startSessions({ USER_QUOTA_BYTES: '10000' });
    try {
      const userId = randomUUID();
      const s3 = createS3Client({ region: 'us-east-1', endpoint: small.config.AWS_ENDPOINT_URL });
      const openFor = async (uploadId: string) =>
        (
          await s3.send(
            new ListMultipartUploadsCommand({ Bucket: small.deps.bucket, Prefix: `files/${userId}/${uploadId}` }),
          )
        ).Uploads ?? [];
      const base = { userId, fileName: 'same.bin', size: 4000, contentType: '', sha256: '' };
      // Two first attempts racing, then a late retry.
      const [first, concurrent] = await Promise.all([
        small.client.createUpload({ ...base, idempotencyKey: 'file-1' }),
        small.client.createUpload({ ...base, idempotencyKey: 'file-1' }),
      ]);
      const again = await small.client.createUpload({ ...base, idempotencyKey: 'file-1' });
      expect([concurrent.uploadId, again.uploadId]).toEqual([first.uploadId, first.uploadId]);
      expect(await openFor(first.uploadId)).toHaveLength(1);
      // Reserved once: 4000 of 10000 bytes, so one more 4000-byte upload fits and a third does not.
      await small.client.createUpload({ ...base, idempotencyKey: 'file-2' });
      await expect(small.client.createUpload({ ...base, idempotencyKey: 'file-3' })).rejects.toMatchObject({
        code: 'permission_denied',
      });
      // The same key with other parameters is refused, not silently answered with the old upload.
      await expect(small.client.createUpload({ ...base, size: 10, idempotencyKey: 'file-1' })).rejects.toMatchObject({
        code: 'aborted',
      });
      await expect(small.client.createUpload({ ...base, idempotencyKey: 'bad key!' })).rejects.toMatchObject({
        code: 'invalid_argument',
      });

      // A first attempt that opened the multipart upload and died before writing the session:
      // the retry adopts that multipart upload instead of leaving it behind.
      await small.client.cancelUpload({ uploadId: first.uploadId, userId });
      const crashedId = idempotentUploadId(userId, 'file-4');
      const leftOver = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: small.deps.bucket, Key: `files/${userId}/${crashedId}` }),
      );
      const retried = await small.client.createUpload({ ...base, idempotencyKey: 'file-4' });
      expect(retried.uploadId).toBe(crashedId);
      expect((await openFor(crashedId)).map((u) => u.UploadId)).toEqual([leftOver.UploadId]);
    } finally {
      await small.close();
    }
  });

  it('enforces the size limit and the quota, and releases quota on cancel', async () => {
    const small = await startSessions({ MAX_FILE_BYTES: '5000', USER_QUOTA_BYTES: '6000' });
    try {
      const userId = randomUUID();
      const base = { userId, fileName: 'f', contentType: '', sha256: '', idempotencyKey: '' };
      await expect(small.client.createUpload({ ...base, size: 5001 })).rejects.toMatchObject({
        code: 'payload_too_large',
      });
      await expect(small.client.createUpload({ ...base, size: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
      const first = await small.client.createUpload({ ...base, size: 4000 });
      await expect(small.client.createUpload({ ...base, size: 4000 })).rejects.toMatchObject({
        code: 'permission_denied',
      });
      await small.client.cancelUpload({ uploadId: first.uploadId, userId });
      // A retried cancel succeeds again and gives nothing back twice.
      await expect(small.client.cancelUpload({ uploadId: first.uploadId, userId })).resolves.toMatchObject({
        status: UploadStatus.UPLOAD_STATUS_CANCELLED,
      });
      await expect(small.client.createUpload({ ...base, size: 4000 })).resolves.toMatchObject({
        status: UploadStatus.UPLOAD_STATUS_UPLOADING,
      });
      await expect(small.client.createUpload({ ...base, size: 4000 })).rejects.toMatchObject({
        code: 'permission_denied',
      });
    } finally {
      await small.close();
    }
  });

  it('expires an abandoned upload: multipart upload aborted, quota released, chunks refused', async () => {
    const userId = randomUUID();
    const upload = await s.client.createUpload({
      userId,
      fileName: 'x.bin',
      size: 3000,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    await sendPart(s, upload, 0, randomBytes(1024));
    const later = Date.now() + 2 * 24 * 3600 * 1000;
    const swept = await sweepOnce({ ...s.deps.sweeper, clock: { now: () => later } });
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect((await s.client.getUpload({ uploadId: upload.uploadId, userId })).status).toBe(
      UploadStatus.UPLOAD_STATUS_EXPIRED,
    );
    const late = randomBytes(1024);
    await expect(
      s.uploadsClient.recordPart({
        uploadId: upload.uploadId,
        userId,
        index: 1,
        size: 1024,
        sha256: sha256Base64(late),
        etag: '"x"',
      }),
    ).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(await reservedBytes(userId)).toBe(0);
    expect(await openMultipartUploads()).toBe(0);
    // A second sweep (another replica) changes nothing.
    await sweepOnce({ ...s.deps.sweeper, clock: { now: () => later } });
    expect(await reservedBytes(userId)).toBe(0);
  });

  it('ends an upload whose parts S3 refuses in FAILED with a reason, and releases its quota', async () => {
    const userId = randomUUID();
    const upload = await s.client.createUpload({
      userId,
      fileName: 'x.bin',
      size: 1024,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    // Recorded, but never written to S3: CompleteMultipartUpload answers InvalidPart.
    const bytes = randomBytes(1024);
    const recorded = await s.uploadsClient.recordPart({
      uploadId: upload.uploadId,
      userId,
      index: 0,
      size: 1024,
      sha256: sha256Base64(bytes),
      etag: '"0123456789abcdef0123456789abcdef"',
    });
    expect(recorded.complete).toBe(true);
    await s.deps.sweeper.queue.enqueue(upload.uploadId);
    const failed = await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_FAILED, 60_000);
    expect(failed.failureReason).toContain('InvalidPart');
    expect(await reservedBytes(userId)).toBe(0);
    expect((await s.client.listFiles({ userId, limit: 10, cursor: '' })).files).toEqual([]);
  });
});

async function reservedBytes(userId: string): Promise<number> {
  const db = createDocumentClient({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
  const { Item } = await db.send(
    new GetCommand({
      TableName: resourceNames(s.config.RESOURCE_PREFIX).uploadsTable,
      Key: { pk: `USER#${userId}`, sk: 'USAGE' },
      ConsistentRead: true,
    }),
  );
  return Number(Item?.reservedBytes ?? 0);
}
