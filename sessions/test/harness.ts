import { createHash, randomUUID } from 'node:crypto';
import { type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Client, loadConfig } from '@lfusys/commons';
import { newCallerKeys, type TestCallerKeys } from '@lfusys/commons/dev-secrets';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { PartTarget, Upload } from '@lfusys/proto/sessions';
import { createSessionsClient, type SessionsClient } from '@lfusys/proto/sessions-client';
import { inject } from 'vitest';
import { SqsAssemblyInbox } from '../src/adapters/sqs-assembly-inbox.ts';
import { createSessionsDeps, type SessionsDeps } from '../src/compose.ts';
import { type SessionsConfig, sessionsConfigSchema } from '../src/config.ts';
import { startRpcServer } from '../src/rpc/server.ts';
import { AssemblyConsumer } from '../src/workers/assembly-consumer.ts';

export interface RunningSessions {
  /** Calls as the gateway does (for the user each request names). */
  client: SessionsClient;
  /** Calls as the uploads workers do (scoped to the upload each request names). */
  uploadsClient: SessionsClient;
  /** The callers' keys sessions trusts here (tests that forge or mint their own credentials). */
  callerKeys: TestCallerKeys;
  deps: SessionsDeps;
  config: SessionsConfig;
  address: string;
  consumer: AssemblyConsumer;
  close(): Promise<void>;
}

/** A real sessions service (gRPC on loopback + the SQS consumer) against the test emulator. */
export async function startSessions(env: Record<string, string> = {}): Promise<RunningSessions> {
  const endpoint = inject('awsEndpoint');
  const prefix = env.RESOURCE_PREFIX ?? `t-${randomUUID().slice(0, 12)}`;
  await bootstrapPrefix(prefix, endpoint);
  const callerKeys = await newCallerKeys();
  const config = loadConfig(sessionsConfigSchema, {
    AWS_ENDPOINT_URL: endpoint,
    RESOURCE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    CHUNK_SIZE_BYTES: '1024',
    CHUNK_ALIGN_BYTES: '1024',
    GRPC_CALLER_PUBLIC_KEYS: callerKeys.publicKeys,
    ...env,
  });
  const deps = await createSessionsDeps(config);
  const { server, port } = await startRpcServer(deps, {
    address: '127.0.0.1:0',
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
  });
  const consumer = new AssemblyConsumer({
    inbox: new SqsAssemblyInbox(deps.sqs, deps.queueUrl, 1),
    assembler: deps.assembler,
    logger: deps.logger,
    concurrency: 2,
    // Short, so a failed attempt is redelivered within a test's wait (the heartbeat extends it while working).
    visibilityTimeoutSeconds: 6,
    maxReceiveCount: 5,
  });
  consumer.start();
  const address = `127.0.0.1:${port}`;
  // A generous deadline: moto on a loaded 2-core CI machine can take seconds per transaction.
  const client = createSessionsClient({ address, sign: await callerKeys.signer('gateway'), deadlineMs: 30_000 });
  const uploadsClient = createSessionsClient({ address, sign: await callerKeys.signer('uploads'), deadlineMs: 30_000 });
  return {
    client,
    uploadsClient,
    callerKeys,
    deps,
    config,
    address,
    consumer,
    close: async () => {
      client.close();
      uploadsClient.close();
      await consumer.stop();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** What an uploads worker does for one chunk: UploadPart, then RecordPart. */
const targets = new Map<string, PartTarget>();
let s3: S3Client | undefined;

export async function sendPart(
  s: RunningSessions,
  { uploadId, userId }: Pick<Upload, 'uploadId' | 'userId'>,
  index: number,
  bytes: Uint8Array,
) {
  let target = targets.get(uploadId);
  if (!target) {
    target = (await s.uploadsClient.getUpload({ uploadId, userId })).target;
    if (!target) throw new Error('no part target');
    targets.set(uploadId, target);
  }
  s3 ??= createS3Client({ region: 'us-east-1', endpoint: s.config.AWS_ENDPOINT_URL });
  const { ETag } = await s3.send(
    new UploadPartCommand({
      Bucket: target.bucket,
      Key: target.objectKey,
      UploadId: target.multipartUploadId,
      PartNumber: index + 1,
      Body: bytes,
      ContentLength: bytes.length,
      // As the uploads workers do: multipart uploads are created with SHA-256 part checksums.
      ChecksumSHA256: sha256Base64(bytes),
    }),
  );
  return s.uploadsClient.recordPart({
    uploadId,
    userId,
    index,
    size: bytes.length,
    sha256: sha256Base64(bytes),
    etag: ETag ?? '',
  });
}

export async function waitForStatus(
  s: RunningSessions,
  uploadId: string,
  userId: string,
  status: number,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const upload = await s.client.getUpload({ uploadId, userId });
    if (upload.status === status) return upload;
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} stayed in status ${upload.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
