import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsSettings {
  region: string;
  /** Set for emulators; unset in real AWS. Implies path-style S3 addressing. */
  endpoint?: string | undefined;
  /** S3's own endpoint when it is not `endpoint` (an emulator per service); S3 clients use it first. */
  s3Endpoint?: string | undefined;
  /**
   * A connection silent this long is abandoned and the call fails (and is retried by the SDK where
   * its body allows): a stalled AWS endpoint must not hang a request forever. Default 60 s.
   */
  socketTimeoutMs?: number | undefined;
  /**
   * Sockets the client may open to one endpoint (the SDK's default is 50). Requests beyond it wait
   * inside the SDK with no deadline, so a caller that must not hang bounds its own concurrency to
   * this number (the uploads workers' S3 slot limiter does).
   */
  maxSockets?: number | undefined;
}

/**
 * Options shared by every client. Credentials are deliberately absent: the SDK's default
 * provider chain finds them (env vars, profiles, ECS task role).
 */
function common(settings: AwsSettings) {
  return {
    region: settings.region,
    maxAttempts: 4,
    requestHandler: {
      connectionTimeout: 5000,
      socketTimeout: settings.socketTimeoutMs ?? 60_000,
      // Plain objects are agent options the SDK merges into its own keep-alive agents.
      ...(settings.maxSockets === undefined
        ? {}
        : { httpAgent: { maxSockets: settings.maxSockets }, httpsAgent: { maxSockets: settings.maxSockets } }),
    },
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}

export function createDynamoClient(settings: AwsSettings): DynamoDBClient {
  return new DynamoDBClient(common(settings));
}

/** Document client: plain JS values in and out; `undefined` fields are dropped rather than rejected. */
export function createDocumentClient(settings: AwsSettings): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(settings), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createS3Client(settings: AwsSettings): S3Client {
  const endpoint = settings.s3Endpoint ?? settings.endpoint;
  // Emulators serve buckets by path (http://host:port/bucket), not by virtual host.
  return new S3Client({
    ...common({ ...settings, endpoint }),
    forcePathStyle: endpoint !== undefined,
    // Checksums only where S3 requires them: we verify SHA-256 ourselves while streaming, and the
    // default would wrap streamed bodies in aws-chunked encoding that emulators handle unevenly.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(settings: AwsSettings): SQSClient {
  return new SQSClient(common(settings));
}

export function createSecretsManagerClient(settings: AwsSettings): SecretsManagerClient {
  return new SecretsManagerClient(common(settings));
}
