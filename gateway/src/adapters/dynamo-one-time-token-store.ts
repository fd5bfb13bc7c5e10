import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, storageError } from '@lfusys/commons';
import type { OneTimeTokenPurpose, OneTimeTokenRecord, OneTimeTokenStore } from '../ports/one-time-token-store.ts';

/** The item of one token; the prefix keeps it apart from `FAMILY#`, `TOKEN#` and `LOGIN#` items. */
export const oneTimeTokenKey = (purpose: OneTimeTokenPurpose, hash: string) => ({ pk: `ONETIME#${purpose}#${hash}` });

/**
 * Tokens live in the refresh-tokens table, the gateway's own table of short-lived secrets: it
 * expires items on `expiresAt` (TTL) and indexes them by `userId`, so deleting an account deletes
 * its outstanding tokens with its sessions. Consuming is one conditional `DeleteItem` returning
 * the old item, which makes single use atomic across gateway instances.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
 */
export class DynamoOneTimeTokenStore implements OneTimeTokenStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(record: OneTimeTokenRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...oneTimeTokenKey(record.purpose, record.hash), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      throw storageError('store one-time token', err);
    }
  }

  async consume(purpose: OneTimeTokenPurpose, hash: string): Promise<OneTimeTokenRecord | null> {
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: oneTimeTokenKey(purpose, hash),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!Attributes) return null;
      return {
        purpose,
        hash,
        userId: String(Attributes.userId),
        email: String(Attributes.email),
        expiresAt: Number(Attributes.expiresAt),
      };
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw storageError('consume one-time token', err);
    }
  }
}
