import { randomBytes, randomUUID } from 'node:crypto';
import { ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSessions, sha256Base64, startSessions, waitForStatus } from './harness.ts';

let s: RunningSessions;
beforeAll(async () => {
  // Browsers reach storage on another host than the service (compose): URLs are signed for it.
  s = await startSessions({ S3_PUBLIC_ENDPOINT_URL: 'http://s3.public.test:4566', PART_URL_TTL_SECONDS: '600' });
});
afterAll(() => s.close());

/** The endpoint the tests reach storage on, in place of the public host the URL was signed for. */
function reachable(url: string): string {
  const signed = new URL(url);
  const local = new URL(s.config.AWS_ENDPOINT_URL ?? '');
  signed.protocol = local.protocol;
  signed.host = local.host;
  return signed.toString();
}

function chunksOf(bytes: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return chunks;
}

async function openDirect(userId: string, size: number) {
  return s.client.createUpload({ userId, fileName: 'direct.bin', size, transfer: 'direct' });
}

describe('direct transfer against the emulator', () => {
  it('signs part URLs with the checksum as a signed header, for the public host, within the TTL', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(1500);
    const upload = await openDirect(userId, bytes.length);
    expect(upload.transfer).toBe('direct');
    const { parts } = await s.client.signParts({
      uploadId: upload.uploadId,
      userId,
      parts: [{ index: 0, sha256: sha256Base64(bytes.subarray(0, 1024)), length: 1024 }],
    });
    const url = new URL(parts[0]?.url ?? '');
    expect(url.host).toBe('s3.public.test:4566');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-checksum-sha256');
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
    expect(url.searchParams.get('partNumber')).toBe('1');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(600);
    expect(parts[0]?.headers).toEqual({ 'x-amz-checksum-sha256': sha256Base64(bytes.subarray(0, 1024)) });
    // No flexible-checksum extras the browser could not reproduce.
    expect([...url.searchParams.keys()].filter((k) => /checksum|sdk/i.test(k))).toEqual([]);
  });

  it('creates every multipart upload with SHA-256 part checksums', async () => {
    const userId = randomUUID();
    const upload = await openDirect(userId, 10);
    const s3 = createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
    const open = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: s.deps.bucket, Prefix: `files/${userId}/${upload.uploadId}` }),
    );
    expect(open.Uploads?.[0]?.ChecksumAlgorithm).toBe('SHA256');
  });

  it('uploads shuffled parts through presigned PUTs, confirms them against storage and assembles the file', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(5 * 1024 + 300);
    const upload = await openDirect(userId, bytes.length);
    const chunks = chunksOf(bytes, upload.chunkSize);
    const order = [...chunks.keys()].sort(() => Math.random() - 0.5);
    const { parts } = await s.client.signParts({
      uploadId: upload.uploadId,
      userId,
      parts: order.map((index) => ({
        index,
        sha256: sha256Base64(chunks[index] as Buffer),
        length: (chunks[index] as Buffer).length,
      })),
    });
    for (const part of parts) {
      const res = await fetch(reachable(part.url), {
        method: 'PUT',
        headers: part.headers,
        body: chunks[part.index] as Buffer,
      });
      expect(res.status).toBe(200);
    }
    const { recorded: stored } = await s.deps.repository.readPartBatch(upload.uploadId, [0], false);
    expect(stored.size).toBe(0);
    const listed = await s.deps.uploads.get(upload.uploadId, userId);
    const inStorage = await s.deps.sweeper.objects.listUploadedParts(listed.objectKey, listed.multipartUploadId, {
      from: 2,
      to: 4,
    });
    expect(inStorage.map((p) => [p.partNumber, p.size])).toEqual([
      [2, 1024],
      [3, 1024],
      [4, 1024],
    ]);

    const first = await s.client.confirmParts({ uploadId: upload.uploadId, userId, indexes: order.slice(0, 3) });
    expect(first).toEqual({ receivedChunks: 3, totalChunks: 6, complete: false });
    // The batch read finds exactly the indexes asked for, recorded and signed.
    const { recorded } = await s.deps.repository.readPartBatch(upload.uploadId, [0, 1, 2, 3, 4, 5], false);
    expect([...recorded.keys()].sort()).toEqual(order.slice(0, 3).sort());
    const { signed } = await s.deps.repository.readPartBatch(upload.uploadId, [1, 4], true);
    expect([...signed.values()].map((p) => [p.index, p.size])).toEqual([
      [1, 1024],
      [4, 1024],
    ]);
    const last = await s.client.confirmParts({ uploadId: upload.uploadId, userId, indexes: order });
    expect(last).toEqual({ receivedChunks: 6, totalChunks: 6, complete: true });

    const done = await waitForStatus(s, upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    const { url } = await s.client.getDownloadUrl({ fileId: done.fileId, userId });
    expect(new URL(url).host).toBe('s3.public.test:4566');
    const downloaded = Buffer.from(await (await fetch(reachable(url))).arrayBuffer());
    expect(sha256Base64(downloaded)).toBe(sha256Base64(bytes));
  });

  it('finds parts above a gap: a confirmation of late parts while earlier ones are still missing', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(6 * 1024);
    const upload = await openDirect(userId, bytes.length);
    const chunks = chunksOf(bytes, upload.chunkSize);
    const late = [2, 4, 5];
    const { parts } = await s.client.signParts({
      uploadId: upload.uploadId,
      userId,
      parts: late.map((index) => ({ index, sha256: sha256Base64(chunks[index] as Buffer), length: 1024 })),
    });
    for (const part of parts) {
      const res = await fetch(reachable(part.url), {
        method: 'PUT',
        headers: part.headers,
        body: chunks[part.index] ?? null,
      });
      expect(res.status).toBe(200);
    }
    // ListParts' marker is a part number: parts 5 and 6 are above marker 4 although parts 1, 2
    // and 4 do not exist (moto used to slice by position and answered nothing here).
    const listed = await s.deps.uploads.get(upload.uploadId, userId);
    const found = await s.deps.sweeper.objects.listUploadedParts(listed.objectKey, listed.multipartUploadId, {
      from: 5,
      to: 6,
    });
    expect(found.map((p) => p.partNumber)).toEqual([5, 6]);
    const confirmed = await s.client.confirmParts({ uploadId: upload.uploadId, userId, indexes: [5, 4] });
    expect(confirmed).toEqual({ receivedChunks: 2, totalChunks: 6, complete: false });
  });

  it('refuses to confirm a part that is not in storage, recording nothing', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(2048);
    const upload = await openDirect(userId, bytes.length);
    const chunks = chunksOf(bytes, upload.chunkSize);
    await s.client.signParts({
      uploadId: upload.uploadId,
      userId,
      parts: chunks.map((c, index) => ({ index, sha256: sha256Base64(c), length: c.length })),
    });
    const s3 = createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
    const target = (await s.uploadsClient.getUpload({ uploadId: upload.uploadId, userId })).target;
    if (!target) throw new Error('no part target');
    await s3.send(
      new UploadPartCommand({
        Bucket: target.bucket,
        Key: target.objectKey,
        UploadId: target.multipartUploadId,
        PartNumber: 1,
        Body: chunks[0] as Buffer,
        ChecksumSHA256: sha256Base64(chunks[0] as Buffer),
      }),
    );
    await expect(s.client.confirmParts({ uploadId: upload.uploadId, userId, indexes: [0, 1] })).rejects.toMatchObject({
      code: 'aborted',
      details: { index: 1, reason: 'missing' },
    });
    expect((await s.client.getUpload({ uploadId: upload.uploadId, userId })).receivedChunks).toBe(0);
  });
});

describe('a deployment without direct transfer', () => {
  it('refuses an explicit direct open with transfer_unavailable, and relays by default', async () => {
    const relayOnly = await startSessions({
      RESOURCE_PREFIX: s.config.RESOURCE_PREFIX,
      DIRECT_TRANSFER_ENABLED: 'false',
    });
    try {
      const userId = randomUUID();
      await expect(
        relayOnly.client.createUpload({ userId, fileName: 'd.bin', size: 10, transfer: 'direct' }),
      ).rejects.toMatchObject({ code: 'failed_precondition', details: { reason: 'transfer_unavailable' } });
      const relayed = await relayOnly.client.createUpload({ userId, fileName: 'r.bin', size: 10 });
      expect(relayed.transfer).toBe('relay');
      expect((await relayOnly.client.listUploads({ userId })).uploads).toHaveLength(1);
    } finally {
      await relayOnly.close();
    }
  });
});
