import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { createDynamoClient, createS3Client, createSqsClient } from '../src/aws/clients.ts';
import { bootstrapResources } from '../src/local-aws/bootstrap.ts';
import { defineResources } from '../src/local-aws/resources.ts';

describe('bootstrapResources', () => {
  const settings = { region: 'us-east-1', endpoint: inject('awsEndpoint') };
  const clients = {
    dynamo: createDynamoClient(settings),
    s3: createS3Client(settings),
    sqs: createSqsClient(settings),
  };
  const spec = defineResources({ prefix: `t-${randomUUID().slice(0, 8)}`, corsOrigins: ['http://localhost:5173'] });

  it('creates every resource and is idempotent when run again', async () => {
    const first = await bootstrapResources(clients, spec);
    const second = await bootstrapResources(clients, spec);
    expect(second).toEqual(first);

    for (const table of spec.tables) {
      const { Table } = await clients.dynamo.send(new DescribeTableCommand({ TableName: table.name }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName) ?? []).toEqual(table.indexes.map((i) => i.name));
      if (table.ttlAttribute) {
        const ttl = await clients.dynamo.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
        expect(ttl.TimeToLiveDescription?.AttributeName).toBe(table.ttlAttribute);
      }
    }

    const cors = await clients.s3.send(new GetBucketCorsCommand({ Bucket: spec.bucket.name }));
    expect(cors.CORSRules?.[0]?.AllowedOrigins).toEqual(['http://localhost:5173']);
    expect(cors.CORSRules?.[0]?.ExposeHeaders).toContain('ETag');
    // Direct transfer: the browser PUTs parts with the signed checksum header (DESIGN §9.1).
    expect(cors.CORSRules?.[0]?.AllowedMethods?.sort()).toEqual(['GET', 'PUT']);
    expect(cors.CORSRules?.[0]?.AllowedHeaders?.map((h) => h.toLowerCase())).toContain('x-amz-checksum-sha256');
    const lifecycle = await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: spec.bucket.name }));
    expect(lifecycle.Rules?.[0]?.AbortIncompleteMultipartUpload?.DaysAfterInitiation).toBe(2);

    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes?.FifoQueue).toBe('true');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 5 });
    expect(first.queueUrl).toMatch(/assembly\.fifo$/);
    expect(first.dlqUrl).toMatch(/assembly-dlq\.fifo$/);
  });
});
