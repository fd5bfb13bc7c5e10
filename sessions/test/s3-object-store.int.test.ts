import { createHash, randomUUID } from 'node:crypto';
import { UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, inject } from 'vitest';
import { S3ObjectStore } from '../src/adapters/s3-object-store.ts';
import { objectStoreContract } from './object-store-contract.ts';

const prefix = `t-${randomUUID().slice(0, 12)}`;
const bucket = resourceNames(prefix).bucket;
const s3 = createS3Client({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

objectStoreContract('S3', async () => ({
  store: new S3ObjectStore(s3, bucket),
  putPart: async (key, id, partNumber, bytes) => {
    const { ETag } = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: id,
        PartNumber: partNumber,
        Body: bytes,
        ContentLength: bytes.length,
        ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
      }),
    );
    return ETag ?? '';
  },
}));
