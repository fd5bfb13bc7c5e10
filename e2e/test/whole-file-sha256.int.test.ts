import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, type TestClient } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendChunks, sha256, sha256Hex, shuffled, type UploadPlan, waitForUpload } from './chunks.ts';
import { reservedBytes, startOneWorkerStack } from './fixtures.ts';

/**
 * DESIGN §9.2 over real processes, relay mode: the SHA-256 a client declares when it opens an
 * upload is checked against the assembled object before the upload may complete. A right one is
 * the file's verified checksum; a wrong one ends the upload `failed` (`checksum_mismatch`) with
 * nothing left in storage and the quota given back.
 */
const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startOneWorkerStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const indexes = (plan: UploadPlan) => shuffled([...Array(plan.totalChunks).keys()]);

async function upload(client: TestClient, file: Buffer, declared: string): Promise<UploadPlan> {
  const res = await client.post('/uploads', { fileName: 'verified.bin', size: file.length, sha256: declared });
  expect(res.status).toBe(201);
  const plan = res.body as UploadPlan;
  await sendChunks(plan, file, indexes(plan), 3);
  return plan;
}

/** Everything S3 holds for a user: objects and open multipart uploads under their prefix. */
async function storedUnder(userId: string): Promise<{ objects: number; multipart: number }> {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
  const Bucket = resourceNames(stack.prefix).bucket;
  const Prefix = `files/${userId}/`;
  const [objects, multipart] = await Promise.all([
    s3.send(new ListObjectsV2Command({ Bucket, Prefix })),
    s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix })),
  ]);
  return { objects: objects.KeyCount ?? 0, multipart: multipart.Uploads?.length ?? 0 };
}

describe('a whole-file SHA-256 declared at POST /uploads (relay mode)', () => {
  it('is verified: the file lists that hash, and the downloaded bytes have it', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(3 * MiB + 123);
    // Any case is accepted; the verified hash is shown in lower case, as sha256sum prints it.
    const plan = await upload(client, file, sha256Hex(file).toUpperCase());

    const done = await waitForUpload(client, plan.uploadId, 'completed');
    const listed = (await client.get('/files')).body as { files: Array<{ id: string; sha256?: string }> };
    expect(listed.files).toEqual([expect.objectContaining({ id: done.upload.fileId, sha256: sha256Hex(file) })]);
    const { url } = (await client.get(`/files/${done.upload.fileId}/download`)).body as { url: string };
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(createHash('sha256').update(downloaded).digest('hex')).toBe(sha256Hex(file));
  });

  it('fails the upload on a mismatch: checksum_mismatch, no object left, quota back, no file', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(2 * MiB + 5);
    const declared = sha256Hex(Buffer.concat([file, Buffer.from('!')]));
    const before = await reservedBytes(stack.endpoint, stack.prefix, userId);
    const plan = await upload(client, file, declared);

    const failed = await waitForUpload(client, plan.uploadId, 'failed');
    const view = failed.upload as typeof failed.upload & { failureCode?: string };
    expect(view.failureCode).toBe('checksum_mismatch');
    expect(view.failureReason).toContain(declared);
    expect(view.fileId).toBeUndefined();
    expect(await storedUnder(userId)).toEqual({ objects: 0, multipart: 0 });
    expect(await reservedBytes(stack.endpoint, stack.prefix, userId)).toBe(before);
    expect(((await client.get('/files')).body as { files: unknown[] }).files).toEqual([]);
    expect((await client.get(`/files/${plan.uploadId}`)).status).toBe(404);
  });

  it('refuses a declared hash that is not 64 hex characters (a base64 digest included), opening nothing', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(10);
    for (const declared of [sha256(file), sha256Hex(file).slice(1), `${sha256Hex(file).slice(1)}z`]) {
      const res = await client.post('/uploads', { fileName: 'bad.bin', size: file.length, sha256: declared });
      expect(res.status).toBe(400);
    }
    expect(((await client.get('/uploads')).body as { uploads: unknown[] }).uploads).toEqual([]);
    expect(await reservedBytes(stack.endpoint, stack.prefix, userId)).toBe(0);
  });
});
