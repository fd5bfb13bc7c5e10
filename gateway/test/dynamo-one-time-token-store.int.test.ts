import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoOneTimeTokenStore, oneTimeTokenKey } from '../src/adapters/dynamo-one-time-token-store.ts';
import { DynamoRefreshTokenStore } from '../src/adapters/dynamo-refresh-token-store.ts';
import { uniquePrefix } from './harness.ts';
import { oneTimeTokenStoreContract } from './one-time-token-store-contract.ts';

const prefix = uniquePrefix();
const table = resourceNames(prefix).refreshTokensTable;
const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

oneTimeTokenStoreContract('DynamoDB', async () => new DynamoOneTimeTokenStore(db, table));

describe('DynamoOneTimeTokenStore', () => {
  const record = {
    purpose: 'verify_email',
    hash: 'ab'.repeat(32),
    userId: 'u-ttl',
    email: 'ada@example.com',
    expiresAt: 1_764_547_200,
  } as const;

  it('stores the hash, never a token value, with the TTL attribute and the user for the byUser index', async () => {
    await new DynamoOneTimeTokenStore(db, table).put(record);
    const { Item } = await db.send(
      new GetCommand({ TableName: table, Key: oneTimeTokenKey('verify_email', record.hash) }),
    );
    expect(Item).toEqual({ pk: `ONETIME#verify_email#${record.hash}`, ...record });
  });

  it('is deleted with the account: deleting the user’s session data removes its outstanding tokens', async () => {
    const store = new DynamoOneTimeTokenStore(db, table);
    await store.put({ ...record, hash: 'cd'.repeat(32), userId: 'u-deleted' });
    const sessions = new DynamoRefreshTokenStore(db, table);
    // Revoking sessions must leave tokens alone (they are not families)…
    expect(await sessions.revokeUserFamilies('u-deleted')).toEqual([]);
    // …and deleting the account's data takes them.
    await sessions.deleteUserData('u-deleted');
    expect(await store.consume('verify_email', 'cd'.repeat(32))).toBeNull();
  });

  it('answers unavailable, not a crash, when DynamoDB cannot be reached', async () => {
    const dead = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    await expect(new DynamoOneTimeTokenStore(dead, table).consume('verify_email', 'ef')).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
