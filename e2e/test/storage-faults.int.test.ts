import { randomBytes, randomUUID } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createS3Client, createSqsClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import type {} from '@lfusys/commons/vitest-global-setup';
import {
  type FaultAction,
  type FaultProxy,
  type Stack,
  signUp,
  startFaultProxy,
  startStack,
  type TestClient,
} from '@lfusys/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkOf, putChunk, putWithRetry, sha256, sha256Hex, type UploadPlan, waitForUpload } from './chunks.ts';
import { reservedBytes } from './fixtures.ts';

/**
 * S3 failing under the services: every AWS call of sessions and the uploads workers goes through a
 * fault proxy. Failing part writes reach the client as retryable 503s and its retry lands the part
 * once; a failing CompleteMultipartUpload is retried; one that never succeeds ends FAILED, visible to
 * the user, with its message in the DLQ, its multipart upload aborted and its quota released.
 */
const MiB = 1024 * 1024;
const MAX_RECEIVES = 2;
let proxy: FaultProxy;
let stack: Stack;
let dlqUrl: string;

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  proxy = await startFaultProxy(endpoint);
  const prefix = `t-${randomUUID().slice(0, 12)}`;
  const queues = await bootstrapPrefix(prefix, endpoint);
  dlqUrl = queues.dlqUrl;
  // A short redrive so a permanently failing assembly reaches the DLQ within the test.
  const sqs = createSqsClient({ region: 'us-east-1', endpoint });
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queues.queueUrl,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: MAX_RECEIVES }),
      },
    }),
  );
  stack = await startStack({
    endpoint,
    prefix,
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    env: {
      sessions: {
        CHUNK_SIZE_BYTES: String(MiB),
        AWS_ENDPOINT_URL: proxy.url,
        ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS: '10',
        ASSEMBLY_MAX_RECEIVES: String(MAX_RECEIVES),
      },
      uploads: { AWS_ENDPOINT_URL: proxy.url, AWS_SOCKET_TIMEOUT_MS: '2000' },
    },
  });
}, 120_000);
afterEach(() => proxy.setRule(() => 'forward'));
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const isUploadPart = (url = '') => url.includes('partNumber=');
const isComplete = (method = '', url = '') => method === 'POST' && /[?&]uploadId=/.test(url);

async function open(file: Buffer): Promise<{ client: TestClient; userId: string; plan: UploadPlan }> {
  const { client, userId } = await signUp(stack.gatewayApi);
  const res = await client.post('/uploads', { fileName: 'storage.bin', size: file.length, sha256: sha256Hex(file) });
  expect(res.status).toBe(201);
  return { client, userId, plan: res.body as UploadPlan };
}

async function openMultipartUploads(userId: string): Promise<unknown[]> {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
  const out = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: resourceNames(stack.prefix).bucket, Prefix: `files/${userId}/` }),
  );
  return out.Uploads ?? [];
}

async function storedSha(client: TestClient, fileId: string): Promise<string> {
  const { url } = (await client.get(`/files/${fileId}/download`)).body as { url: string };
  return sha256(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

describe('S3 failing under the uploads workers', () => {
  it.each<[string, FaultAction]>([
    ['503 Service Unavailable', 'fail'],
    ['connection reset', 'reset'],
    ['a stalled connection (the worker abandons it after AWS_SOCKET_TIMEOUT_MS)', 'hold'],
  ])(
    'UploadPart failing with %s: the chunk answers 503, the retry lands it once',
    async (_name, fault) => {
      const file = randomBytes(2 * MiB + 7);
      const { client, userId, plan } = await open(file);
      let faulted = 0;
      proxy.setRule((req) => {
        if (!isUploadPart(req.url) || faulted >= 2) return 'forward';
        faulted += 1;
        return fault;
      });
      // Chunk 0's first two part writes fail; the client's backoff and retry land it.
      const { statuses: first } = await putWithRetry(plan, file, 0);
      expect(first.at(-1)).toBe(200);
      expect(first.slice(0, -1).every((s) => s === 503)).toBe(true);
      expect(faulted).toBe(2);
      for (const index of [1, 2]) expect((await putWithRetry(plan, file, index)).statuses.at(-1)).toBe(200);
      const done = await waitForUpload(client, plan.uploadId, 'completed');
      expect(done.upload.receivedChunks).toBe(3);
      expect(await storedSha(client, done.upload.fileId ?? '')).toBe(sha256(file));
      expect(await openMultipartUploads(userId)).toEqual([]);
    },
    90_000,
  );
});

describe('S3 failing under the assembly', () => {
  it('CompleteMultipartUpload failing twice: retried with backoff, the file completes once', async () => {
    const file = randomBytes(2 * MiB + 3);
    const { client, userId, plan } = await open(file);
    let failures = 0;
    proxy.setRule((req) => {
      if (!isComplete(req.method, req.url) || failures >= 2) return 'forward';
      failures += 1;
      return 'fail';
    });
    for (const index of [0, 1, 2]) expect((await putWithRetry(plan, file, index)).statuses.at(-1)).toBe(200);
    const done = await waitForUpload(client, plan.uploadId, 'completed', 60_000);
    expect(failures).toBe(2);
    expect(await storedSha(client, done.upload.fileId ?? '')).toBe(sha256(file));
    const files = (await client.get('/files')).body as { files: Array<{ id: string }> };
    expect(files.files.map((f) => f.id)).toEqual([done.upload.fileId]);
    expect(await openMultipartUploads(userId)).toEqual([]);
  }, 90_000);

  it('CompleteMultipartUpload failing for good: FAILED and visible, message in the DLQ, nothing left open, quota released', async () => {
    const file = randomBytes(MiB + 11);
    const { client, userId, plan } = await open(file);
    proxy.setRule((req) => (isComplete(req.method, req.url) ? 'fail' : 'forward'));
    for (const index of [0, 1]) expect((await putWithRetry(plan, file, index)).statuses.at(-1)).toBe(200);

    const failed = await waitForUpload(client, plan.uploadId, 'failed', 60_000);
    expect(failed.upload.failureReason).toMatch(/kept failing/);
    // No file is listed, the multipart upload was aborted, the reserved bytes are free again.
    expect(((await client.get('/files')).body as { files: unknown[] }).files).toEqual([]);
    expect(await openMultipartUploads(userId)).toEqual([]);
    expect(await reservedBytes(stack.endpoint, stack.prefix, userId)).toBe(0);
    // Chunks for a failed upload are refused with a clear conflict, not stored.
    expect((await putChunk(plan, 0, chunkOf(file, plan, 0))).status).toBe(409);

    // The message went to the DLQ once the queue's receive limit passed.
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: stack.endpoint });
    const deadline = Date.now() + 45_000;
    let parked: string[] = [];
    while (parked.length === 0 && Date.now() < deadline) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 5 }));
      parked = (out.Messages ?? []).map((m) => m.Body ?? '');
    }
    expect(parked.some((body) => body.includes(plan.uploadId))).toBe(true);
  }, 120_000);
});
