import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, loginSessionKey, queryAll, storageError } from '@lfusys/commons';
import type { RefreshFamilyRecord, RefreshTokenRecord, RefreshTokenStore } from '../ports/refresh-token-store.ts';

const familyKey = loginSessionKey;
const tokenKey = (hash: string) => ({ pk: `TOKEN#${hash}` });

/**
 * Families at `FAMILY#<id>`, tokens at `TOKEN#<sha256>`, both carrying `userId` for the `byUser`
 * index and `expiresAt` for TTL clean-up (TTL is late, so the domain checks expiry itself).
 */
export class DynamoRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async startFamily(family: RefreshFamilyRecord, firstTokenHash: string): Promise<void> {
    const token: RefreshTokenRecord = {
      hash: firstTokenHash,
      familyId: family.familyId,
      userId: family.userId,
      expiresAt: family.expiresAt,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { ...familyKey(family.familyId), ...family } } },
            {
              Put: {
                TableName: this.table,
                Item: { ...tokenKey(firstTokenHash), ...token },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      throw storageError('start session', err);
    }
  }

  async findToken(hash: string): Promise<RefreshTokenRecord | null> {
    const item = await this.get(tokenKey(hash), 'get refresh token');
    if (!item) return null;
    return {
      hash,
      familyId: String(item.familyId),
      userId: String(item.userId),
      expiresAt: Number(item.expiresAt),
      ...(typeof item.usedAt === 'number' ? { usedAt: item.usedAt } : {}),
    };
  }

  async findFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    const item = await this.get(familyKey(familyId), 'get session');
    return item ? toFamily(item) : null;
  }

  async rotate(oldHash: string, next: RefreshTokenRecord, usedAt: number): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: tokenKey(oldHash),
                UpdateExpression: 'SET usedAt = :usedAt',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
                ExpressionAttributeValues: { ':usedAt': usedAt },
              },
            },
            {
              // A transaction may touch an item once: this update is also the family's "not revoked" check.
              Update: {
                TableName: this.table,
                Key: familyKey(next.familyId),
                UpdateExpression: 'SET lastUsedAt = :usedAt',
                ConditionExpression: 'revoked = :false',
                ExpressionAttributeValues: { ':false': false, ':usedAt': usedAt },
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...tokenKey(next.hash), ...next },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('rotate refresh token', err);
    }
  }

  async revokeFamily(familyId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: familyKey(familyId),
          UpdateExpression: 'SET revoked = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return;
      throw storageError('revoke session', err);
    }
  }

  async listUserFamilies(userId: string): Promise<RefreshFamilyRecord[]> {
    const keys = (await this.userFamilyIds(userId)).map(familyKey);
    const families: RefreshFamilyRecord[] = [];
    try {
      // The byUser index projects keys only: read the families themselves, 100 keys per BatchGetItem.
      for (let i = 0; i < keys.length; i += 100) {
        let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
        // BatchGet may leave keys unprocessed under throttling; ask again for those.
        for (let attempt = 0; pending && pending.length > 0 && attempt < 8; attempt++) {
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
          );
          families.push(...(out.Responses?.[this.table] ?? []).map(toFamily));
          pending = out.UnprocessedKeys?.[this.table]?.Keys as typeof pending;
        }
      }
    } catch (err) {
      throw storageError('list sessions', err);
    }
    return families;
  }

  async touchFamily(familyId: string, at: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: familyKey(familyId),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :at)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return;
      throw storageError('record session use', err);
    }
  }

  async revokeUserFamilies(userId: string, keepFamilyId?: string): Promise<string[]> {
    const families = (await this.userFamilyIds(userId)).filter((id) => id !== keepFamilyId);
    await Promise.all(families.map((id) => this.revokeFamily(id)));
    return families;
  }

  async deleteUserData(userId: string): Promise<void> {
    const keys = await this.userKeys(userId);
    try {
      for (let i = 0; i < keys.length; i += 25) {
        let requests: Record<string, unknown[]> | undefined = {
          [this.table]: keys.slice(i, i + 25).map((pk) => ({ DeleteRequest: { Key: { pk } } })),
        };
        // BatchWrite may return unprocessed items under throttling; retry them until none remain.
        for (let attempt = 0; requests && Object.keys(requests).length > 0 && attempt < 8; attempt++) {
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: requests as never }));
          requests = out.UnprocessedItems as Record<string, unknown[]> | undefined;
        }
      }
    } catch (err) {
      throw storageError('delete sessions', err);
    }
  }

  private async userFamilyIds(userId: string): Promise<string[]> {
    const prefix = familyKey('').pk;
    return (await this.userKeys(userId, prefix)).map((pk) => pk.slice(prefix.length));
  }

  /**
   * Keys of the user's items, only those starting with `prefix` when given. A user holds one
   * TOKEN# item per refresh (hundreds per week of use): the filter keeps them off the wire, though
   * DynamoDB still reads (and bills) them.
   */
  private async userKeys(userId: string, prefix?: string): Promise<string[]> {
    try {
      const items = await queryAll(this.db, {
        TableName: this.table,
        IndexName: 'byUser',
        KeyConditionExpression: 'userId = :u',
        ...(prefix === undefined
          ? { ExpressionAttributeValues: { ':u': userId } }
          : {
              FilterExpression: 'begins_with(pk, :prefix)',
              ExpressionAttributeValues: { ':u': userId, ':prefix': prefix },
            }),
      });
      return items.map((item) => String(item.pk));
    } catch (err) {
      throw storageError('list sessions', err);
    }
  }

  private async get(key: { pk: string }, operation: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return Item;
    } catch (err) {
      throw storageError(operation, err);
    }
  }
}

function toFamily(item: Record<string, unknown>): RefreshFamilyRecord {
  const prefix = familyKey('').pk;
  return {
    familyId: String(item.pk).slice(prefix.length),
    userId: String(item.userId),
    revoked: item.revoked === true,
    expiresAt: Number(item.expiresAt),
    ...(typeof item.createdAt === 'number' ? { createdAt: item.createdAt } : {}),
    ...(typeof item.lastUsedAt === 'number' ? { lastUsedAt: item.lastUsedAt } : {}),
    ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
  };
}
