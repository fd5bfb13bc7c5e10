import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  createCallerTokenSigner,
  createDocumentClient,
  createJwksVerifier,
  createLogger,
  createServiceMetrics,
  createSqsClient,
  dynamoLoginSessionLookup,
  type Logger,
  registerLiveGauge,
  resourceNames,
  SessionLiveness,
  SqsAssemblyQueue,
  type TokenVerifier,
  UPLOAD_TOKEN_TYPE,
  UPLOADS_AUDIENCE,
} from '@lfusys/commons';
import { createSessionsClient } from '@lfusys/proto/sessions-client';
import { SignedUrlPartWriter } from './adapters/signed-url-part-writer.ts';
import type { UploadsConfig } from './config.ts';
import { BodyRateGuard } from './domain/body-rate-guard.ts';
import { ChunkReceiver } from './domain/chunk-receiver.ts';
import { InFlightPerUser } from './domain/in-flight-per-user.ts';
import { PartTransfer } from './domain/part-transfer.ts';
import { SlotLimiter } from './domain/slot-limiter.ts';
import type { UploadsAppDeps } from './http/app.ts';
import { systemClock } from './ports/clock.ts';

/** Wires a worker from config (shared by main.ts and integration tests). */
export async function createUploadsDeps(
  config: UploadsConfig,
  overrides: { logger?: Logger; verifyToken?: TokenVerifier } = {},
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
  const sessions = createSessionsClient({
    address: config.SESSIONS_ADDRESS,
    sign: await createCallerTokenSigner('uploads', config.SESSIONS_CALLER_KEY),
    tlsCaPem: config.SESSIONS_TLS_CA_PEM,
  });
  const logger = overrides.logger ?? createLogger({ service: 'uploads', level: config.LOG_LEVEL });
  // One slot per pooled storage socket: the limiter, not the agent's unbounded queue, decides who waits.
  const slots = new SlotLimiter(config.S3_MAX_SOCKETS, config.S3_SLOT_WAIT_MS, systemClock);
  const inFlight = new InFlightPerUser(config.CHUNKS_IN_FLIGHT_PER_USER);
  const bodyRate = { graceMs: config.BODY_GRACE_MS, minBytesPerSecond: config.BODY_MIN_BYTES_PER_SECOND };
  const receiver = new ChunkReceiver({
    sessions,
    transfer: new PartTransfer(
      new SignedUrlPartWriter({
        maxSockets: config.S3_MAX_SOCKETS,
        socketTimeoutMs: config.AWS_SOCKET_TIMEOUT_MS,
        logger,
      }),
      slots,
      () => new BodyRateGuard(bodyRate, systemClock),
    ),
    queue: new SqsAssemblyQueue(sqs, QueueUrl),
    inFlight,
    cacheMs: config.SESSION_CACHE_MS,
    onEnqueueFailure: (uploadId, err) =>
      logger.warn({ err, uploadId }, 'could not enqueue assembly; the status read or the sweeper will'),
  });
  const metrics = createServiceMetrics('uploads');
  registerLiveGauge(
    metrics.registry,
    'uploads_s3_slots_in_use',
    'S3 requests running in this process',
    () => slots.inUse,
  );
  registerLiveGauge(metrics.registry, 'uploads_s3_slot_waiters', 'Chunks waiting for an S3 slot', () => slots.waiting);
  registerLiveGauge(
    metrics.registry,
    'uploads_chunks_in_flight',
    'Chunk requests in flight in this process',
    () => inFlight.total,
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
    metrics,
    readiness: [
      {
        name: 'sessions',
        // The standard health check: every RPC a worker may call is scoped to one upload.
        check: () => sessions.checkServing(1000),
      },
    ],
    corsOrigins: config.CORS_ORIGINS,
    // The largest chunk sessions hands out: 10,000 parts of a 50 GiB file stay under this.
    maxChunkBytes: 5 * 1024 * 1024 * 1024,
    timeouts: {
      headersMs: config.HEADERS_TIMEOUT_MS,
      // No whole-request deadline: the body rate guard bounds a body instead (BODY_* keys).
      requestMs: 0,
      idleMs: config.IDLE_TIMEOUT_MS,
    },
    close: () => sessions.close(),
  };
}
