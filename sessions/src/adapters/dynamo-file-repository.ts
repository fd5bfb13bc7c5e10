import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AppError, isConditionFailure, retryTransactionConflicts, storageError } from '@lfusys/commons';
import type { StoredFile } from '../domain/upload.ts';
import type { FilePage, FileRepository } from '../ports/file-repository.ts';

/** Files keyed by id; `byOwner` (userId, createdAt) lists an owner's files newest first. */
export class DynamoFileRepository implements FileRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly filesTable: string,
    private readonly uploadsTable: string,
  ) {}

  async get(fileId: string): Promise<StoredFile | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.filesTable, Key: { fileId }, ConsistentRead: true }),
      );
      return Item ? (Item as StoredFile) : null;
    } catch (err) {
      throw storageError('get file', err);
    }
  }

  async listByOwner(userId: string, limit: number, cursor: string): Promise<FilePage> {
    const start = decodeCursor(cursor, userId);
    try {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.filesTable,
          IndexName: 'byOwner',
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const last = page.LastEvaluatedKey;
      return { files: (page.Items ?? []) as StoredFile[], nextCursor: last ? encodeCursor(last) : '' };
    } catch (err) {
      throw storageError('list files', err);
    }
  }

  async rename(fileId: string, name: string): Promise<StoredFile> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.filesTable,
          Key: { fileId },
          UpdateExpression: 'SET #name = :name',
          ConditionExpression: 'attribute_exists(fileId)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': name },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as StoredFile;
    } catch (err) {
      if (isConditionFailure(err)) throw new AppError('not_found', 'file not found');
      throw storageError('rename file', err);
    }
  }

  async delete(file: StoredFile): Promise<boolean> {
    try {
      await retryTransactionConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: this.filesTable,
                  Key: { fileId: file.fileId },
                  ConditionExpression: 'attribute_exists(fileId)',
                },
              },
              {
                Update: {
                  TableName: this.uploadsTable,
                  Key: { pk: `USER#${file.userId}`, sk: 'USAGE' },
                  UpdateExpression: 'ADD reservedBytes :minus',
                  ExpressionAttributeValues: { ':minus': -file.size },
                },
              },
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('delete file', err);
    }
  }
}

/** Cursors are the index key, base64url JSON, bound to the owner so they cannot page another user's files. */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, userId: string): Record<string, unknown> | undefined {
  if (cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const fields = Object.keys(key).sort().join(',');
    if (
      key.userId === userId &&
      fields === 'createdAt,fileId,userId' &&
      Object.values(key).every((v) => typeof v === 'string')
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_argument', 'invalid cursor', { details: { field: 'cursor' } });
}
