import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createDynamoClient, createS3Client, createSqsClient } from '../aws/clients.ts';
import { type BucketSpec, defineResources, type QueueSpec, type ResourceSpec, type TableSpec } from './resources.ts';

export interface BootstrapClients {
  dynamo: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
}

export interface BootstrapResult {
  queueUrl: string;
  dlqUrl: string;
}

/** Creates every resource in `spec`, or brings existing ones to the spec. Safe to run any number of times. */
export async function bootstrapResources(clients: BootstrapClients, spec: ResourceSpec): Promise<BootstrapResult> {
  await Promise.all(spec.tables.map((t) => ensureTable(clients.dynamo, t)));
  await ensureBucket(clients.s3, spec.bucket);
  return ensureQueue(clients.sqs, spec.assemblyQueue);
}

function attributeDefinitions(table: TableSpec): AttributeDefinition[] {
  const keys = [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const definitions = new Map<string, AttributeDefinition>();
  for (const key of keys) if (key) definitions.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  return [...definitions.values()];
}

function indexDefinition(index: TableSpec['indexes'][number]) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
      ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    Projection: { ProjectionType: index.projection },
  };
}

async function ensureTable(dynamo: DynamoDBClient, table: TableSpec): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(table),
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
        ],
        ...(table.indexes.length > 0 ? { GlobalSecondaryIndexes: table.indexes.map(indexDefinition) } : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: table.name });
  await ensureIndexes(dynamo, table);
  if (table.ttlAttribute) {
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
  }
}

/** Adds the indexes a table made by an older version lacks (one per UpdateTable, as DynamoDB allows). */
async function ensureIndexes(dynamo: DynamoDBClient, table: TableSpec): Promise<void> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table.name }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of table.indexes.filter((i) => !existing.has(i.name))) {
    await dynamo.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: attributeDefinitions(table),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
      }),
    );
  }
}

async function ensureBucket(s3: S3Client, bucket: BucketSpec): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket.name })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket.name,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket.name,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  if (bucket.corsOrigins.length > 0) {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket.name,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: bucket.corsOrigins,
              AllowedMethods: [...bucket.cors.methods],
              AllowedHeaders: [...bucket.cors.allowedHeaders],
              ExposeHeaders: [...bucket.cors.exposeHeaders],
              MaxAgeSeconds: bucket.cors.maxAgeSeconds,
            },
          ],
        },
      }),
    );
  }
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket.name,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: bucket.abortIncompleteMultipartDays },
          },
        ],
      },
    }),
  );
}

async function ensureFifoQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const all = { FifoQueue: 'true', ContentBasedDeduplication: 'false', SqsManagedSseEnabled: 'true', ...attributes };
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`no url for queue ${name}`);
    const { FifoQueue: _fifo, ...mutable } = all;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: mutable }));
    return QueueUrl;
  } catch (err) {
    if (!(err instanceof QueueDoesNotExist)) throw err;
  }
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: all }));
  if (!QueueUrl) throw new Error(`no url for queue ${name}`);
  return QueueUrl;
}

async function ensureQueue(sqs: SQSClient, queue: QueueSpec): Promise<BootstrapResult> {
  const dlqUrl = await ensureFifoQueue(sqs, queue.dlqName, { MessageRetentionPeriod: String(14 * 24 * 3600) });
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = Attributes?.QueueArn;
  if (!dlqArn) throw new Error(`no ARN for queue ${queue.dlqName}`);
  const queueUrl = await ensureFifoQueue(sqs, queue.name, {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
  });
  return { queueUrl, dlqUrl };
}

const bootstrapped = new Map<string, Promise<BootstrapResult>>();

/** Bootstraps every resource for `prefix` at `endpoint` once per process (tests and dev tooling). */
export function bootstrapPrefix(
  prefix: string,
  endpoint: string,
  corsOrigins: string[] = [],
): Promise<BootstrapResult> {
  const key = `${endpoint}|${prefix}`;
  let pending = bootstrapped.get(key);
  if (!pending) {
    const aws = { region: process.env.AWS_REGION ?? 'us-east-1', endpoint };
    pending = bootstrapResources(
      { dynamo: createDynamoClient(aws), s3: createS3Client(aws), sqs: createSqsClient(aws) },
      defineResources({ prefix, corsOrigins }),
    );
    bootstrapped.set(key, pending);
  }
  return pending;
}
