import { createHash, randomUUID } from 'node:crypto';
import { createLogger } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { createSessionsClient, type SessionsClient } from '@lfusys/proto/sessions-client';
import { type Stack, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, inject } from 'vitest';
import { SignedUrlPartWriter } from '../src/adapters/signed-url-part-writer.ts';
import { partWriterContract } from './part-writer-contract.ts';
import { sessionsPortContract } from './sessions-port-contract.ts';

// The real sessions process, reached over gRPC as the workers reach it (compose.ts), and the part
// URLs it signs, written with the workers' writer to S3 on the emulator.
let stack: Stack;
/** The uploads workers' identity: the port under test. */
let client: SessionsClient;
/** The gateway's, for what only it may do (open and cancel uploads). */
let gateway: SessionsClient;
beforeAll(async () => {
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    env: { sessions: { CHUNK_SIZE_BYTES: '1024', CHUNK_ALIGN_BYTES: '1024', LOG_LEVEL: 'warn' } },
  });
  client = createSessionsClient({
    address: stack.sessionsAddress,
    sign: await stack.callerKeys.signer('uploads'),
    tlsCaPem: stack.sessionsTlsCaPem,
    deadlineMs: 30_000,
  });
  gateway = createSessionsClient({
    address: stack.sessionsAddress,
    sign: await stack.callerKeys.signer('gateway'),
    tlsCaPem: stack.sessionsTlsCaPem,
    deadlineMs: 30_000,
  });
});
afterAll(async () => {
  client.close();
  gateway.close();
  await stack.stop();
});

sessionsPortContract('sessions over gRPC', async () => ({
  sessions: client,
  open: (userId, size) =>
    gateway.createUpload({ userId, fileName: 'f.bin', size, contentType: '', sha256: '', idempotencyKey: '' }),
  cancel: async (uploadId, userId) => void (await gateway.cancelUpload({ uploadId, userId })),
}));

const writer = new SignedUrlPartWriter({
  maxSockets: 4,
  socketTimeoutMs: 30_000,
  logger: createLogger({ service: 'test', level: 'silent' }),
});

/** The upload (and owner) of each multipart upload the contract opened, to cancel it. */
const opened = new Map<string, { uploadId: string; userId: string }>();

partWriterContract('signed URLs against S3', async () => ({
  writer,
  destination: async (bytes) => {
    const userId = randomUUID();
    const upload = await gateway.createUpload({
      userId,
      fileName: 'f.bin',
      size: bytes.length,
      contentType: '',
      sha256: '',
      idempotencyKey: '',
    });
    const sha256 = createHash('sha256').update(bytes).digest('base64');
    const prepared = await client.preparePart({
      uploadId: upload.uploadId,
      userId,
      index: 0,
      sha256,
      length: bytes.length,
    });
    const target = (await client.getUpload({ uploadId: upload.uploadId, userId })).target;
    if (prepared.outcome?.$case !== 'signed' || !target) throw new Error('sessions signed no part URL');
    const { url, headers } = prepared.outcome.value;
    opened.set(target.multipartUploadId, { uploadId: upload.uploadId, userId });
    return { target, partNumber: 1, signed: { url, headers } };
  },
  end: async (destination) => {
    const upload = opened.get(destination.target.multipartUploadId);
    if (upload) await gateway.cancelUpload(upload);
  },
}));
