import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoLoginAttemptCounter, loginAttemptKey } from '../src/adapters/dynamo-login-attempt-counter.ts';
import { uniquePrefix } from './harness.ts';
import { loginAttemptCounterContract } from './login-attempt-counter-contract.ts';

const prefix = uniquePrefix();
const table = resourceNames(prefix).refreshTokensTable;
const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

loginAttemptCounterContract('DynamoDB', async () => new DynamoLoginAttemptCounter(db, table));

describe('DynamoLoginAttemptCounter', () => {
  it('stores one item per account and window, with the TTL attribute the table expires on', async () => {
    const counter = new DynamoLoginAttemptCounter(db, table);
    await counter.increment('ab12', { start: 1_764_547_200, expiresAt: 1_764_548_100 });
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: loginAttemptKey('ab12', 1_764_547_200) }));
    expect(Item).toEqual({ pk: 'LOGIN#ab12#1764547200', attempts: 1, expiresAt: 1_764_548_100 });
  });

  it('answers unavailable, not a crash, when DynamoDB cannot be reached', async () => {
    const dead = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    const counter = new DynamoLoginAttemptCounter(dead, table);
    await expect(counter.increment('ab12', { start: 0, expiresAt: 900 })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
