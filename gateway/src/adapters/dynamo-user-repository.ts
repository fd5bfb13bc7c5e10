import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AppError, isConditionFailure, storageError } from '@lfusys/commons';
import type { UserChanges, UserRecord, UserRepository } from '../ports/user-repository.ts';

const userKey = (id: string) => ({ pk: `USER#${id}` });
const emailKey = (email: string) => ({ pk: `EMAIL#${email}` });

/**
 * Users live at `USER#<id>`; each email is claimed by an `EMAIL#<email>` item written in the same
 * transaction, so two concurrent registrations with one email cannot both succeed.
 */
export class DynamoUserRepository implements UserRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(user: UserRecord): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...userKey(user.id), kind: 'user', ...user },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...emailKey(user.email), kind: 'email', userId: user.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new AppError('already_exists', 'an account with this email already exists');
      throw storageError('create user', err);
    }
  }

  async findById(id: string): Promise<UserRecord | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: userKey(id), ConsistentRead: true }),
      );
      return Item ? toUser(Item) : null;
    } catch (err) {
      throw storageError('get user', err);
    }
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: emailKey(email), ConsistentRead: true }),
      );
      return typeof Item?.userId === 'string' ? this.findById(Item.userId) : null;
    } catch (err) {
      throw storageError('get user by email', err);
    }
  }

  async update(id: string, changes: UserChanges): Promise<UserRecord> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: userKey(id),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new AppError('not_found', 'user not found');
      return toUser(Attributes);
    } catch (err) {
      if (isConditionFailure(err)) throw new AppError('not_found', 'user not found');
      throw storageError('update user', err);
    }
  }

  /**
   * One transaction: claim the new address, release the old claim (only if ours), and update the
   * user only if its email is still `from`. The first item failing its condition means the new
   * address is taken; any other, that the account changed meanwhile.
   */
  async changeEmail(id: string, from: string, to: string, updatedAt: string): Promise<UserRecord> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...emailKey(to), kind: 'email', userId: id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Delete: {
                TableName: this.table,
                Key: emailKey(from),
                ConditionExpression: 'userId = :id',
                ExpressionAttributeValues: { ':id': id },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: userKey(id),
                UpdateExpression: 'SET email = :to, emailVerified = :false, updatedAt = :at',
                ConditionExpression: 'email = :from',
                ExpressionAttributeValues: { ':to': to, ':false': false, ':at': updatedAt, ':from': from },
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (
        err instanceof TransactionCanceledException &&
        err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new AppError('already_exists', 'an account with this email already exists');
      }
      if (isConditionFailure(err)) throw new AppError('aborted', 'the account changed meanwhile; retry');
      throw storageError('change email', err);
    }
    const user = await this.findById(id);
    if (!user) throw new AppError('aborted', 'the account changed meanwhile; retry');
    return user;
  }

  async delete(user: Pick<UserRecord, 'id' | 'email'>): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table, Key: userKey(user.id) } },
            {
              Delete: {
                TableName: this.table,
                Key: emailKey(user.email),
                // Only release the claim if it is still ours.
                ConditionExpression: 'attribute_not_exists(pk) OR userId = :id',
                ExpressionAttributeValues: { ':id': user.id },
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        await this.db.send(new DeleteCommand({ TableName: this.table, Key: userKey(user.id) }));
        return;
      }
      throw storageError('delete user', err);
    }
  }
}

function toUser(item: Record<string, unknown>): UserRecord {
  return {
    id: String(item.id),
    email: String(item.email),
    name: String(item.name ?? ''),
    bio: String(item.bio ?? ''),
    // Accounts created before verification existed have no attribute: unverified until they verify.
    emailVerified: item.emailVerified === true,
    ...(typeof item.passwordHash === 'string' ? { passwordHash: item.passwordHash } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}
