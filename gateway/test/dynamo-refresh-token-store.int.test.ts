import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRefreshTokenStore } from '../src/adapters/dynamo-refresh-token-store.ts';
import { uniquePrefix } from './harness.ts';
import { refreshTokenStoreContract } from './refresh-token-store-contract.ts';

const prefix = uniquePrefix();
const table = resourceNames(prefix).refreshTokensTable;
const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
beforeAll(() => bootstrapPrefix(prefix, inject('awsEndpoint')));

refreshTokenStoreContract('DynamoDB', async () => new DynamoRefreshTokenStore(db, table));

describe('DynamoRefreshTokenStore', () => {
  it('lists a user with more families than one BatchGetItem returns', async () => {
    const store = new DynamoRefreshTokenStore(db, table);
    const userId = `many-${Date.now()}`;
    for (let i = 0; i < 105; i++) {
      await store.startFamily(
        { familyId: `${userId}-${i}`, userId, revoked: false, expiresAt: 2_000_000_000 },
        `${userId}-t${i}`,
      );
    }
    expect(await store.listUserFamilies(userId)).toHaveLength(105);
  });

  it('answers unavailable, not a crash, when DynamoDB cannot be reached', async () => {
    const store = new DynamoRefreshTokenStore(
      createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      table,
    );
    await expect(store.listUserFamilies('u')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.touchFamily('f', 1)).rejects.toMatchObject({ code: 'unavailable' });
  });
});
