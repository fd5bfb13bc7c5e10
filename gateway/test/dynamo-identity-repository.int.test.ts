import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoIdentityRepository, identityKey, identityListKey } from '../src/adapters/dynamo-identity-repository.ts';
import { uniquePrefix } from './harness.ts';
import { identityRepositoryContract } from './identity-repository-contract.ts';

const prefix = uniquePrefix();
const table = resourceNames(prefix).usersTable;
const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

identityRepositoryContract('DynamoDB', async () => new DynamoIdentityRepository(db, table));

describe('DynamoIdentityRepository', () => {
  it('keeps the claim and the versioned list in the users table', async () => {
    const repo = new DynamoIdentityRepository(db, table);
    const identity = { provider: 'github', subject: '42', userId: 'u-1', email: 'a@example.test', linkedAt: 'now' };
    await repo.link(identity);
    const claim = await db.send(new GetCommand({ TableName: table, Key: identityKey('github', '42') }));
    expect(claim.Item).toEqual({ pk: 'IDENTITY#github#42', kind: 'identity', ...identity });
    const list = await db.send(new GetCommand({ TableName: table, Key: identityListKey('u-1') }));
    expect(list.Item).toMatchObject({ kind: 'identities', userId: 'u-1', version: 1 });
  });

  it('answers unavailable, not a crash, when DynamoDB cannot be reached', async () => {
    const dead = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    await expect(new DynamoIdentityRepository(dead, table).listForUser('u')).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
