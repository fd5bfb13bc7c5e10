import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  createDocumentClient,
  createJwksVerifier,
  createLogger,
  createS3Client,
  createServiceMetrics,
  createSqsClient,
  dynamoLoginSessionLookup,
  type Logger,
  resourceNames,
  SessionLiveness,
  SqsAssemblyQueue,
  type TokenVerifier,
  UPLOAD_TOKEN_TYPE,
  UPLOADS_AUDIENCE,
} from '@lfusys/commons';
import { createSessionsClient } from '@lfusys/proto/sessions-client';
import { S3PartWriter } from './adapters/s3-part-writer.ts';
import type { UploadsConfig } from './config.ts';
import { ChunkReceiver } from './domain/chunk-receiver.ts';
import type { UploadsAppDeps } from './http/app.ts';

/** Wires a worker from config (shared by main.ts and integration tests). */
export async function createUploadsDeps(
  config: UploadsConfig,
  overrides: { logger?: Logger; verifyToken?: TokenVerifier; isShuttingDown?: () => boolean } = {},
): Promise<UploadsAppDeps & { close(): void }> {
  const aws = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    socketTimeoutMs: config.AWS_SOCKET_TIMEOUT_MS,
  };
  const names = resourceNames(config.RESOURCE_PREFIX);
  const sqs = createSqsClient(aws);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.assemblyQueue }));
  if (!QueueUrl) throw new Error(`queue ${names.assemblyQueue} not found`);
  const sessions = createSessionsClient(config.SESSIONS_ADDRESS);
  const logger = overrides.logger ?? createLogger({ service: 'uploads', level: config.LOG_LEVEL });
  const receiver = new ChunkReceiver(
    sessions,
    new S3PartWriter(createS3Client(aws)),
    new SqsAssemblyQueue(sqs, QueueUrl),
    config.SESSION_CACHE_MS,
    (uploadId, err) =>
      logger.warn({ err, uploadId }, 'could not enqueue assembly; the status read or the sweeper will'),
  );
  return {
    receiver,
    verifyToken:
      overrides.verifyToken ??
      createJwksVerifier(config.JWKS_URL, {
        issuer: config.JWT_ISSUER,
        audience: UPLOADS_AUDIENCE,
        type: UPLOAD_TOKEN_TYPE,
      }),
    liveness: new SessionLiveness({
      lookup: dynamoLoginSessionLookup(createDocumentClient(aws), names.refreshTokensTable),
      cacheMs: config.SESSION_LIVENESS_CACHE_MS,
    }),
    logger,
    metrics: createServiceMetrics('uploads'),
    readiness: [
      {
        name: 'sessions',
        check: async () => void (await sessions.listUploads({ userId: 'readiness-probe' }, { deadlineMs: 1000 })),
      },
    ],
    corsOrigins: config.CORS_ORIGINS,
    // The largest chunk sessions hands out: 10,000 parts of a 50 GiB file stay under this.
    maxChunkBytes: 5 * 1024 * 1024 * 1024,
    timeouts: {
      headersMs: config.HEADERS_TIMEOUT_MS,
      requestMs: config.REQUEST_TIMEOUT_MS,
      idleMs: config.IDLE_TIMEOUT_MS,
    },
    isShuttingDown: overrides.isShuttingDown ?? (() => false),
    close: () => sessions.close(),
  };
}
