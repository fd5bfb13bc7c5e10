import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames, userUsageKey } from '@lfusys/commons';
import { type Stack, signUp, startStack, type TestClient } from '@lfusys/testkit';
import { inject } from 'vitest';
import { sendChunks, sha256Hex, type UploadPlan, waitForUpload } from './chunks.ts';

const MiB = 1024 * 1024;

/**
 * Gateway, sessions and one uploads worker against the test emulator, with 1 MiB chunks (moto runs
 * with a lowered part minimum) so that a file of a few MiB makes several and the test stays fast on a
 * small machine; `sessions` adds or overrides sessions' keys.
 */
export function startOneWorkerStack(sessions: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    endpoint: inject('awsEndpoint'),
    gateway: true,
    uploads: true,
    uploadsWorkers: 1,
    env: { sessions: { CHUNK_SIZE_BYTES: String(MiB), ...sessions } },
  });
}

/** A signed-in user who owns one completed file and one open upload: something to attack or fuzz. */
export interface SeededUser {
  client: TestClient;
  userId: string;
  email: string;
  password: string;
  fileId: string;
  open: UploadPlan;
  /** The user's login session (`GET /auth/sessions`, the current one). */
  sessionId: string;
}

/** Signs a user up, uploads a small file to completion and opens a second upload of `openSize` bytes. */
export async function seededUser(stack: Stack, openSize = 2 * MiB): Promise<SeededUser> {
  const { client, userId, creds } = await signUp(stack.gatewayApi);
  const file = randomBytes(MiB + 100);
  const plan = (await client.post('/uploads', { fileName: 'mine.bin', size: file.length, sha256: sha256Hex(file) }))
    .body as UploadPlan;
  await sendChunks(plan, file, [0, 1], 2);
  const done = await waitForUpload(client, plan.uploadId, 'completed');
  const open = (await client.post('/uploads', { fileName: 'open.bin', size: openSize })).body as UploadPlan;
  const { sessions } = (await client.get('/auth/sessions')).body as { sessions: Array<{ id: string }> };
  const sessionId = sessions[0]?.id ?? '';
  return {
    client,
    userId,
    email: creds.email,
    password: creds.password,
    fileId: done.upload.fileId ?? '',
    open,
    sessionId,
  };
}

/** The bytes a user's uploads and files hold against the quota, read straight from DynamoDB. */
export async function reservedBytes(endpoint: string, prefix: string, userId: string): Promise<number> {
  const db = createDocumentClient({ region: 'us-east-1', endpoint });
  const usage = await db.send(
    new GetCommand({
      TableName: resourceNames(prefix).uploadsTable,
      Key: userUsageKey(userId),
      ConsistentRead: true,
    }),
  );
  return Number(usage.Item?.reservedBytes ?? 0);
}
