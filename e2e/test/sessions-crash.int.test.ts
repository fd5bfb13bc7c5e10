import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type FaultAction, type FaultProxy, type Stack, signUp, startFaultProxy, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sendChunks, sha256, sha256Hex, type UploadPlan, waitForUpload } from './chunks.ts';

/**
 * Sessions is SIGKILLed at the worst moments of an assembly and restarted; the upload must still
 * complete exactly once with the client's bytes. Sessions reaches the emulator through a fault
 * proxy that stalls the chosen request, so "mid-assembly" is a fact, not a timing guess.
 */
const MiB = 1024 * 1024;
let proxy: FaultProxy;
let stack: Stack;

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  proxy = await startFaultProxy(endpoint);
  stack = await startStack({
    endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: 1,
    env: {
      sessions: {
        AWS_ENDPOINT_URL: proxy.url,
        CHUNK_SIZE_BYTES: String(MiB),
        // The shortest redelivery sessions allows, so the restarted process gets the message soon.
        ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS: '10',
      },
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const isCompleteMultipartUpload = (req: IncomingMessage) =>
  req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '');
const isReceiveMessage = (req: IncomingMessage) => req.headers['x-amz-target'] === 'AmazonSQS.ReceiveMessage';

async function crashDuring(
  match: (req: IncomingMessage) => boolean,
  action: FaultAction,
  expectedStatus: string,
  restartFirst = false,
) {
  const { client, userId } = await signUp(stack.gatewayApi);
  const file = randomBytes(8 * MiB + 77);
  const opened = await client.post('/uploads', { fileName: 'crash.bin', size: file.length, sha256: sha256Hex(file) });
  expect(opened.status).toBe(201);
  const plan = opened.body as UploadPlan;

  proxy.setRule((req) => (match(req) ? action : 'forward'));
  const held = proxy.nextHeld();
  // A long poll already forwarded would still deliver: start sessions afresh under the rule.
  if (restartFirst) {
    await stack.processes.sessions.stop('SIGKILL');
    await stack.restartSessions();
  }
  await sendChunks(plan, file, [...Array(plan.totalChunks).keys()], 4);
  await held;
  const before = await client.get(`/uploads/${plan.uploadId}`);
  expect((before.body as { upload: { status: string } }).upload.status).toBe(expectedStatus);

  expect(await stack.processes.sessions.stop('SIGKILL')).toBeNull();
  proxy.setRule(() => 'forward');
  const restarted = await stack.restartSessions();

  const done = await waitForUpload(client, plan.uploadId, 'completed', 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\nrestarted sessions said:\n${restarted.output().slice(-4000)}`);
  });
  const files = (await client.get('/files')).body as { files: Array<{ id: string; size: number }> };
  expect(files.files).toEqual([expect.objectContaining({ id: done.upload.fileId, size: file.length })]);
  const { url } = (await client.get(`/files/${done.upload.fileId}/download`)).body as { url: string };
  expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha256(file));
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
  const open = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: resourceNames(stack.prefix).bucket, Prefix: `files/${userId}/` }),
  );
  expect(open.Uploads ?? []).toEqual([]);
  // The restarted process assembled it once; nothing else did.
  const assembled = restarted
    .output()
    .split('\n')
    .filter((line) => line.includes('upload assembled') && line.includes(plan.uploadId));
  expect(assembled).toHaveLength(1);
  expect(JSON.parse(assembled[0] ?? '{}')).toMatchObject({ completed: true });
}

describe('sessions killed and restarted', () => {
  it('before S3 completes the multipart upload: the redelivered message completes it once', async () => {
    await crashDuring(isCompleteMultipartUpload, 'hold', 'assembling');
  }, 150_000);

  it('after S3 completed the object but before the file was recorded: the retry verifies and records it once', async () => {
    await crashDuring(isCompleteMultipartUpload, 'hold-response', 'assembling');
  }, 150_000);

  it('with the assembly message still in the queue: the restarted consumer picks it up', async () => {
    await crashDuring(isReceiveMessage, 'hold', 'uploading', true);
  }, 150_000);
});
