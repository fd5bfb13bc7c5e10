import { randomBytes, randomUUID } from 'node:crypto';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createS3Client, resourceNames } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOnce } from '../src/workers/sweeper.ts';
import { type RunningSessions, sendPart, startSessions, waitForStatus } from './harness.ts';

const RETENTION = 3600;
let s: RunningSessions;
beforeAll(async () => {
  s = await startSessions({ UPLOADS_IN_PROGRESS_MAX: '10', FINISHED_UPLOAD_RETENTION_SECONDS: String(RETENTION) });
});
afterAll(() => s.close());

const open = (userId: string, size = 1024, idempotencyKey = '') =>
  s.client.createUpload({ userId, fileName: 'f.bin', size, contentType: '', sha256: '', idempotencyKey });

async function item(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const db = createDocumentClient({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
  const { Item } = await db.send(
    new GetCommand({
      TableName: resourceNames(s.config.RESOURCE_PREFIX).uploadsTable,
      Key: { pk, sk },
      ConsistentRead: true,
    }),
  );
  return Item;
}

const usage = async (userId: string) => (await item(`USER#${userId}`, 'USAGE')) ?? {};
const session = (uploadId: string) => item(`UPLOAD#${uploadId}`, 'SESSION');

async function listAll(userId: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  do {
    const page = await s.client.listUploads({ userId, limit, cursor });
    ids.push(...page.uploads.map((u) => u.uploadId));
    cursor = page.nextCursor;
  } while (cursor !== '');
  return ids;
}

async function openMultipartUploadsOf(userId: string): Promise<number> {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: s.deps.bucket, Prefix: `files/${userId}/` }));
  return out.Uploads?.length ?? 0;
}

describe('uploads in progress per user', () => {
  it('50 concurrent opens near the cap never exceed it; the refusals are too_many_uploads with a retry hint', async () => {
    const userId = randomUUID();
    for (let i = 0; i < 7; i++) await open(userId);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => open(userId)));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(47);
    for (const err of refused) {
      expect(err).toMatchObject({ code: 'too_many_uploads', retryAfterSeconds: 60 });
      expect(err.message).toContain('10 uploads in progress');
    }
    expect(await usage(userId)).toMatchObject({ uploadsInProgress: 10, reservedBytes: 10 * 1024 });
    expect(await listAll(userId, 100)).toHaveLength(10);
    // Refused opens leave no multipart upload behind.
    expect(await openMultipartUploadsOf(userId)).toBe(10);
  }, 60_000);

  it('an idempotent replay at the cap is answered and counted once; a cancel frees a slot', async () => {
    const userId = randomUUID();
    const first = await open(userId, 1024, 'file-1');
    for (let i = 0; i < 9; i++) await open(userId);
    const replays = await Promise.all([1, 2, 3].map(() => open(userId, 1024, 'file-1')));
    expect(replays.map((u) => u.uploadId)).toEqual([first.uploadId, first.uploadId, first.uploadId]);
    expect(await usage(userId)).toMatchObject({ uploadsInProgress: 10 });
    await expect(open(userId)).rejects.toMatchObject({ code: 'too_many_uploads' });
    await s.client.cancelUpload({ uploadId: first.uploadId, userId });
    await expect(open(userId)).resolves.toMatchObject({ status: UploadStatus.UPLOAD_STATUS_UPLOADING });

    // The transaction alone (without the read that usually refuses first) tells the limits apart.
    const repository = s.deps.userData.repository;
    const template = await repository.get(first.uploadId);
    if (!template) throw new Error('upload missing');
    const fresh = { ...template, uploadId: randomUUID(), status: 'UPLOADING' as const };
    expect(await repository.create(fresh, { quotaBytes: 1e12, maxInProgress: 10 })).toBe('too_many_uploads');
    expect(await repository.create(fresh, { quotaBytes: 10 * 1024, maxInProgress: 100 })).toBe('quota_exceeded');
    expect(await usage(userId)).toMatchObject({ uploadsInProgress: 10, reservedBytes: 10 * 1024 });
  });
});

describe('finished uploads', () => {
  it('expire: ending or completing sets the retention TTL and leaves the in-progress index', async () => {
    const userId = randomUUID();
    const cancelled = await open(userId, 2048);
    await sendPart(s, cancelled, 0, randomBytes(1024));
    const part = await item(`UPLOAD#${cancelled.uploadId}`, 'PART#00000');
    expect(part?.ttl).toBe(Math.floor(Date.parse(cancelled.expiresAt) / 1000) + RETENTION);
    expect(await session(cancelled.uploadId)).toMatchObject({ inProgressUserId: userId });
    await s.client.cancelUpload({ uploadId: cancelled.uploadId, userId });
    const ended = await session(cancelled.uploadId);
    expect(ended).not.toHaveProperty('inProgressUserId');
    expect(ended?.ttl).toBe(Math.floor(Date.parse(String(ended?.updatedAt)) / 1000) + RETENTION);

    const completed = await open(userId, 1024);
    await sendPart(s, completed, 0, randomBytes(1024));
    await s.deps.sweeper.queue.enqueue(completed.uploadId);
    await waitForStatus(s, completed.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    const done = await session(completed.uploadId);
    expect(done).not.toHaveProperty('inProgressUserId');
    expect(done?.ttl).toBe(Math.floor(Date.parse(String(done?.updatedAt)) / 1000) + RETENTION);
    // Still readable until DynamoDB removes it.
    await expect(s.client.getUpload({ uploadId: completed.uploadId, userId })).resolves.toMatchObject({
      status: UploadStatus.UPLOAD_STATUS_COMPLETED,
    });
    expect(await usage(userId)).toMatchObject({ uploadsInProgress: 0, reservedBytes: 1024 });
    expect(await listAll(userId, 100)).toEqual([]);
  });

  it('refuses a cursor that is not ours or not a cursor', async () => {
    const userId = randomUUID();
    await open(userId);
    await open(userId);
    const page = await s.client.listUploads({ userId, limit: 1, cursor: '' });
    expect(page.nextCursor).not.toBe('');
    await expect(
      s.client.listUploads({ userId: randomUUID(), limit: 1, cursor: page.nextCursor }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(s.client.listUploads({ userId, limit: 1, cursor: 'bm90LWpzb24' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(s.client.listUploads({ userId, limit: 101, cursor: '' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});

describe('the sweeper and the in-progress listing at scale', () => {
  let big: RunningSessions;
  const userId = randomUUID();
  beforeAll(async () => {
    big = await startSessions({ UPLOADS_IN_PROGRESS_MAX: '1000' });
  });
  afterAll(() => big.close());

  it('drains 110 expired uploads in one sweep; the account then lists exactly its 3 open uploads', async () => {
    const create = () =>
      big.client.createUpload({ userId, fileName: 'f', size: 10, contentType: '', sha256: '', idempotencyKey: '' });
    for (let batch = 0; batch < 11; batch++) await Promise.all(Array.from({ length: 10 }, create));
    const later = Date.now() + 2 * 24 * 3600 * 1000;
    const swept = await sweepOnce({ ...big.deps.sweeper, clock: { now: () => later } });
    expect(swept).toEqual({ expired: 110, requeued: 0, truncated: false });
    const opened = [];
    for (let i = 0; i < 3; i++) opened.push((await create()).uploadId);
    const ids: string[] = [];
    let cursor = '';
    const pages: number[] = [];
    do {
      const page = await big.client.listUploads({ userId, limit: 2, cursor });
      pages.push(page.uploads.length);
      ids.push(...page.uploads.map((u) => u.uploadId));
      cursor = page.nextCursor;
    } while (cursor !== '');
    expect(ids.sort()).toEqual(opened.sort());
    expect(pages[0]).toBe(2);
    expect((await big.client.listUploads({ userId, limit: 0, cursor: '' })).uploads).toHaveLength(3);
  }, 120_000);
});

describe('a deleted user', () => {
  it('cannot open or record anything racing the deletion, and is left with no upload in progress', async () => {
    const userId = randomUUID();
    const inFlight = await open(userId, 2048);
    await sendPart(s, inFlight, 0, randomBytes(1024));
    // Opens racing the deletion: each either lands before the tombstone (and is cancelled) or is refused.
    const racing = Array.from({ length: 6 }, () => open(userId).catch((err: unknown) => err));
    const deleted = await s.client.deleteUserData({ userId });
    const raced = await Promise.all(racing);
    for (const outcome of raced) {
      if (outcome instanceof Error) expect(outcome).toMatchObject({ code: 'failed_precondition' });
    }
    expect(deleted.uploadsCancelled).toBeGreaterThanOrEqual(1);
    expect(await listAll(userId, 100)).toEqual([]);
    expect(await openMultipartUploadsOf(userId)).toBe(0);
    expect(await usage(userId)).toMatchObject({ uploadsInProgress: 0, reservedBytes: 0 });
    await expect(open(userId)).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'user_deleted' },
    });
  });

  it('a chunk recorded between the tombstone and the cancel is refused, and an assembling upload makes no file', async () => {
    const userId = randomUUID();
    const uploading = await open(userId, 2048);
    await sendPart(s, uploading, 0, randomBytes(1024));
    const assembling = await open(userId, 1024);
    await sendPart(s, assembling, 0, randomBytes(1024));
    await s.deps.userData.repository.transition(assembling.uploadId, ['UPLOADING'], 'ASSEMBLING');
    // The moment after the tombstone is written, before deleteUserData reaches the uploads.
    await s.deps.userData.repository.markUserDeleted(userId, Math.floor(Date.now() / 1000) + 3600);
    await expect(sendPart(s, uploading, 1, randomBytes(1024))).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'user_deleted' },
    });
    expect((await s.client.getUpload({ uploadId: uploading.uploadId, userId })).receivedChunks).toBe(1);
    await s.client.deleteUserData({ userId });
    await s.deps.sweeper.queue.enqueue(assembling.uploadId);
    await waitForStatus(s, assembling.uploadId, userId, UploadStatus.UPLOAD_STATUS_CANCELLED);
    expect((await s.client.listFiles({ userId, limit: 10, cursor: '' })).files).toEqual([]);
    expect(await openMultipartUploadsOf(userId)).toBe(0);
    const s3 = createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: s.deps.bucket, Key: `files/${userId}/${assembling.uploadId}` })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});
