import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, isConditionFailure, isTransactionConflict, storageError } from '@lfusys/commons';
import { type IdentityRecord, type IdentityRepository, lastSignInMethod } from '../ports/identity-repository.ts';

type LinkedIdentity = Omit<IdentityRecord, 'userId'>;

/** Provider ids never contain `#` (config.ts), so the key is unambiguous whatever the subject holds. */
export const identityKey = (provider: string, subject: string) => ({ pk: `IDENTITY#${provider}#${subject}` });
export const identityListKey = (userId: string) => ({ pk: `IDENTITIES#${userId}` });

/**
 * Identities live in the users table: `IDENTITY#<provider>#<subject>` claims the pair for one
 * user (the sign-in lookup), and `IDENTITIES#<userId>` lists the user's identities under a version
 * number (the profile page). Both change in one transaction, so they never disagree; the version
 * turns a concurrent change of the same user's list into `aborted` instead of a lost write.
 */
export class DynamoIdentityRepository implements IdentityRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async link(identity: IdentityRecord): Promise<void> {
    const { version, identities } = await this.readList(identity.userId);
    if (identities.some((i) => i.provider === identity.provider)) {
      throw new AppError('already_exists', 'an identity of this provider is already linked');
    }
    const { userId, ...linked } = identity;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...identityKey(identity.provider, identity.subject), kind: 'identity', ...identity },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            this.putList(userId, version, [...identities, linked]),
          ],
        }),
      );
    } catch (err) {
      if (firstConditionFailed(err)) throw new AppError('already_exists', 'this identity is already linked');
      throw this.writeError('link identity', err);
    }
  }

  async findBySubject(provider: string, subject: string): Promise<IdentityRecord | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: identityKey(provider, subject), ConsistentRead: true }),
      );
      if (!Item) return null;
      return {
        provider: String(Item.provider),
        subject: String(Item.subject),
        userId: String(Item.userId),
        email: String(Item.email),
        linkedAt: String(Item.linkedAt),
      };
    } catch (err) {
      throw storageError('get identity', err);
    }
  }

  async listForUser(userId: string): Promise<IdentityRecord[]> {
    const { identities } = await this.readList(userId);
    return identities.map((i) => ({ ...i, userId })).sort((a, b) => a.provider.localeCompare(b.provider));
  }

  async unlink(userId: string, provider: string, options: { keepOne: boolean }): Promise<void> {
    const { version, identities } = await this.readList(userId);
    const found = identities.find((i) => i.provider === provider);
    if (!found) throw new AppError('not_found', 'no identity of this provider is linked');
    if (options.keepOne && identities.length === 1) throw lastSignInMethod();
    await this.removeIdentities(
      userId,
      version,
      [found],
      identities.filter((i) => i !== found),
    );
  }

  async deleteForUser(userId: string): Promise<void> {
    const { version, identities } = await this.readList(userId);
    if (version === 0) return;
    await this.removeIdentities(userId, version, identities, null);
  }

  /** Deletes the claims of `removed` and writes the remaining list (`null`: delete the list item). */
  private async removeIdentities(
    userId: string,
    version: number,
    removed: LinkedIdentity[],
    remaining: LinkedIdentity[] | null,
  ): Promise<void> {
    const listWrite =
      remaining === null
        ? {
            Delete: {
              TableName: this.table,
              Key: identityListKey(userId),
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': version },
            },
          }
        : this.putList(userId, version, remaining);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...removed.map((i) => ({ Delete: { TableName: this.table, Key: identityKey(i.provider, i.subject) } })),
            listWrite,
          ],
        }),
      );
    } catch (err) {
      throw this.writeError('unlink identity', err);
    }
  }

  private putList(userId: string, version: number, identities: LinkedIdentity[]) {
    return {
      Put: {
        TableName: this.table,
        Item: { ...identityListKey(userId), kind: 'identities', userId, version: version + 1, identities },
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':v': version } }),
      },
    };
  }

  private async readList(userId: string): Promise<{ version: number; identities: LinkedIdentity[] }> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: identityListKey(userId), ConsistentRead: true }),
      );
      if (!Item) return { version: 0, identities: [] };
      return { version: Number(Item.version), identities: (Item.identities as LinkedIdentity[] | undefined) ?? [] };
    } catch (err) {
      throw storageError('get identities', err);
    }
  }

  private writeError(operation: string, err: unknown): AppError {
    // The version moved (a condition) or another transaction held the list (a conflict): both a race.
    if (isConditionFailure(err) || isTransactionConflict(err)) {
      return new AppError('aborted', 'the linked identities changed at the same time; try again', { cause: err });
    }
    return storageError(operation, err);
  }
}

/** The identity claim (the transaction's first item) was taken, as opposed to the list's version moving. */
function firstConditionFailed(err: unknown): boolean {
  return err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
}
