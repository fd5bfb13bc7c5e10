import { type Stack, startStack } from '@lfusys/commons/testing';
import type {} from '@lfusys/commons/vitest-global-setup';
import { createSessionsClient, type SessionsClient } from '@lfusys/proto/sessions-client';
import { afterAll, beforeAll, inject } from 'vitest';
import { sessionsPortContract } from './sessions-port-contract.ts';

// The real sessions process, reached over gRPC as the workers reach it (compose.ts).
let stack: Stack;
let client: SessionsClient;
beforeAll(async () => {
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    env: { sessions: { CHUNK_SIZE_BYTES: '1024', CHUNK_ALIGN_BYTES: '1024', LOG_LEVEL: 'warn' } },
  });
  client = createSessionsClient(stack.sessionsAddress, 30_000);
});
afterAll(async () => {
  client.close();
  await stack.stop();
});

sessionsPortContract('sessions over gRPC', async () => ({
  sessions: client,
  open: (userId, size) =>
    client.createUpload({ userId, fileName: 'f.bin', size, contentType: '', sha256: '', idempotencyKey: '' }),
  cancel: async (uploadId, userId) => void (await client.cancelUpload({ uploadId, userId })),
}));
