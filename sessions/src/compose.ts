import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  type AwsSettings,
  type CallerTokenVerifier,
  createCallerTokenVerifier,
  createDocumentClient,
  createLogger,
  createRefreshingCallerTokenVerifier,
  createS3Client,
  createSecretsManagerClient,
  createServiceMetrics,
  createSqsClient,
  type Logger,
  loadCallerPublicKeys,
  type ReadinessCheck,
  resourceNames,
  SecretsManagerSecretStore,
  type ServiceMetrics,
  SqsAssemblyQueue,
} from '@lfusys/commons';
import { DynamoFileRepository } from './adapters/dynamo-file-repository.ts';
import { DynamoUploadRepository } from './adapters/dynamo-upload-repository.ts';
import { S3ObjectStore } from './adapters/s3-object-store.ts';
import { defaultTransfer, type SessionsConfig } from './config.ts';
import { Assembler } from './domain/assembler.ts';
import { FileService } from './domain/file-service.ts';
import { PartConfirmation } from './domain/part-confirmation.ts';
import { PartUrls } from './domain/part-urls.ts';
import { RelayParts } from './domain/relay-parts.ts';
import { announcingStatus, StatusSignals } from './domain/status-signals.ts';
import { UploadService } from './domain/upload-service.ts';
import type { UploadWatchDeps } from './domain/upload-watch.ts';
import type { UserDataDeps } from './domain/user-data.ts';
import { systemClock } from './ports/clock.ts';
import type { UploadRepository } from './ports/upload-repository.ts';
import type { SweeperDeps } from './workers/sweeper.ts';

export interface SessionsDeps {
  logger: Logger;
  uploads: UploadService;
  partUrls: PartUrls;
  partConfirmation: PartConfirmation;
  relayParts: RelayParts;
  repository: UploadRepository;
  /** GetUpload's wait for a status change; its signals are closed when the service drains. */
  statusWatch: UploadWatchDeps;
  files: FileService;
  userData: UserDataDeps;
  assembler: Assembler;
  sweeper: SweeperDeps;
  sqs: SQSClient;
  queueUrl: string;
  bucket: string;
  readiness: ReadinessCheck[];
  metrics: ServiceMetrics;
  verifyCaller: CallerTokenVerifier;
}

/** Wires real adapters from config (shared by main.ts and integration tests). */
export async function createSessionsDeps(config: SessionsConfig, logger?: Logger): Promise<SessionsDeps> {
  const log = logger ?? createLogger({ service: 'sessions', level: config.LOG_LEVEL });
  const aws = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    s3Endpoint: config.AWS_ENDPOINT_URL_S3,
    socketTimeoutMs: config.AWS_SOCKET_TIMEOUT_MS,
  };
  const names = resourceNames(config.RESOURCE_PREFIX);
  const db = createDocumentClient(aws);
  const sqs = createSqsClient(aws);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.assemblyQueue }));
  if (!QueueUrl) throw new Error(`queue ${names.assemblyQueue} not found`);
  const signals = new StatusSignals();
  const repo = announcingStatus(
    new DynamoUploadRepository(db, {
      uploadsTable: names.uploadsTable,
      filesTable: names.filesTable,
      finishedRetentionSeconds: config.FINISHED_UPLOAD_RETENTION_SECONDS,
    }),
    signals,
  );
  const s3 = createS3Client(aws);
  // URLs browsers follow are signed for the host they reach (SigV4 signs it).
  const presigner = config.S3_PUBLIC_ENDPOINT_URL
    ? createS3Client({ ...aws, s3Endpoint: config.S3_PUBLIC_ENDPOINT_URL })
    : s3;
  const objects = new S3ObjectStore(s3, names.bucket, presigner);
  const queue = new SqsAssemblyQueue(sqs, QueueUrl);
  const clock = systemClock;
  const uploads = new UploadService({
    uploads: repo,
    objects,
    queue,
    clock,
    limits: {
      defaultChunkBytes: config.CHUNK_SIZE_BYTES,
      alignBytes: config.CHUNK_ALIGN_BYTES,
      maxFileBytes: config.MAX_FILE_BYTES,
      quotaBytes: config.USER_QUOTA_BYTES,
      maxInProgress: config.UPLOADS_IN_PROGRESS_MAX,
      ttlSeconds: config.UPLOAD_TTL_SECONDS,
    },
    transfer: { defaultTransfer: defaultTransfer(config), directEnabled: config.DIRECT_TRANSFER_ENABLED },
    logger: log,
  });
  const files = new FileService(
    new DynamoFileRepository(db, names.filesTable, names.uploadsTable),
    objects,
    config.DOWNLOAD_URL_TTL_SECONDS,
    clock,
  );
  return {
    logger: log,
    uploads,
    partUrls: new PartUrls({ uploads: repo, objects, clock, ttlSeconds: config.PART_URL_TTL_SECONDS }),
    partConfirmation: new PartConfirmation({ uploads: repo, objects, queue, clock, logger: log }),
    // Workers' part URLs are signed with the service's own client: workers reach storage at the
    // internal endpoint (compose: emulator:4566), and SigV4 signs the host.
    relayParts: new RelayParts({ uploads: repo, objects: new S3ObjectStore(s3, names.bucket), clock }),
    repository: repo,
    statusWatch: { uploads: repo, signals, clock },
    files,
    userData: { uploads, files, repository: repo, clock },
    assembler: new Assembler({ uploads: repo, objects, clock, logger: log }),
    sweeper: { uploads: repo, objects, queue, clock, logger: log },
    sqs,
    queueUrl: QueueUrl,
    bucket: names.bucket,
    readiness: [
      {
        name: 'dynamodb',
        check: async (signal) =>
          void (await db.send(new DescribeTableCommand({ TableName: names.uploadsTable }), { abortSignal: signal })),
      },
    ],
    metrics: createServiceMetrics('sessions'),
    verifyCaller: await callerVerifier(config, aws, log),
  };
}

/**
 * The callers' public keys: GRPC_CALLER_PUBLIC_KEYS as configured, or (AWS) read from the secrets
 * the callers publish them to — again when a token names a key not seen yet, since a caller may
 * publish its first key after sessions started.
 */
async function callerVerifier(config: SessionsConfig, aws: AwsSettings, log: Logger): Promise<CallerTokenVerifier> {
  if (config.GRPC_CALLER_PUBLIC_KEYS) return createCallerTokenVerifier(config.GRPC_CALLER_PUBLIC_KEYS);
  const store = new SecretsManagerSecretStore(createSecretsManagerClient(aws));
  return createRefreshingCallerTokenVerifier(
    () => loadCallerPublicKeys(store, config.GRPC_CALLER_PUBLIC_KEY_SECRET_IDS),
    {
      onLoadError: (err) => log.warn({ err }, 'could not reload the callers public keys; keeping the old ones'),
    },
  );
}
