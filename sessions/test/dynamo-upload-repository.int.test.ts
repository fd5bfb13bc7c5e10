import { randomUUID } from 'node:crypto';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, inject } from 'vitest';
import { DynamoFileRepository } from '../src/adapters/dynamo-file-repository.ts';
import { DynamoUploadRepository } from '../src/adapters/dynamo-upload-repository.ts';
import { fileRepositoryContract } from './file-repository-contract.ts';
import { uploadPartsContract } from './upload-parts-contract.ts';
import { uploadRepositoryContract } from './upload-repository-contract.ts';

const prefix = `t-${randomUUID().slice(0, 12)}`;
const names = resourceNames(prefix);
const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

/** Both repositories over one prefix's tables; tests keep apart by fresh user and upload ids. */
const dynamo = async () => ({
  uploads: new DynamoUploadRepository(db, {
    uploadsTable: names.uploadsTable,
    filesTable: names.filesTable,
    finishedRetentionSeconds: 3600,
  }),
  files: new DynamoFileRepository(db, names.filesTable, names.uploadsTable),
});

uploadRepositoryContract('DynamoDB', dynamo);
uploadPartsContract('DynamoDB', dynamo);
fileRepositoryContract('DynamoDB', dynamo);
