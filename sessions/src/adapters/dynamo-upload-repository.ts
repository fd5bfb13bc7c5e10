import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AppError, isConditionFailure, retryTransactionConflicts, storageError } from '@lfusys/commons';
import type { PartRecord, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';
import type { RecordPartOutcome, UploadRepository } from '../ports/upload-repository.ts';

const sessionKey = (uploadId: string) => ({ pk: `UPLOAD#${uploadId}`, sk: 'SESSION' });
const partKey = (uploadId: string, index: number) => ({
  pk: `UPLOAD#${uploadId}`,
  sk: `PART#${String(index).padStart(5, '0')}`,
});
const usageKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'USAGE' });

export class DynamoUploadRepository implements UploadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly uploadsTable: string,
    private readonly filesTable: string,
  ) {}

  async create(upload: UploadSession, quotaBytes: number): Promise<void> {
    try {
      await retryTransactionConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.uploadsTable,
                  Item: { ...sessionKey(upload.uploadId), ...upload, ttl: ttlFor(upload.expiresAt) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                // Reserve the bytes now so parallel opens cannot together exceed the quota.
                Update: {
                  TableName: this.uploadsTable,
                  Key: usageKey(upload.userId),
                  UpdateExpression: 'ADD reservedBytes :size',
                  ConditionExpression: 'attribute_not_exists(reservedBytes) OR reservedBytes <= :room',
                  ExpressionAttributeValues: { ':size': upload.size, ':room': quotaBytes - upload.size },
                },
              },
            ],
          }),
        ),
      );
    } catch (err) {
      // The session's own condition failing means its (idempotent) id exists already.
      if (
        err instanceof TransactionCanceledException &&
        err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new AppError('already_exists', 'an upload with this id exists');
      }
      if (isConditionFailure(err)) {
        throw new AppError('permission_denied', 'storage quota exceeded; delete files or cancel uploads first', {
          details: { reason: 'quota_exceeded' },
        });
      }
      throw storageError('create upload', err);
    }
  }

  async get(uploadId: string): Promise<UploadSession | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.uploadsTable, Key: sessionKey(uploadId), ConsistentRead: true }),
      );
      return Item ? toSession(Item) : null;
    } catch (err) {
      throw storageError('get upload', err);
    }
  }

  async listByUser(userId: string): Promise<UploadSession[]> {
    const items = await this.queryAll({
      TableName: this.uploadsTable,
      IndexName: 'byUser',
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
      ScanIndexForward: false,
    });
    return items.filter((i) => i.sk === 'SESSION').map(toSession);
  }

  async transition(
    uploadId: string,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession> = {},
  ): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(this.statusUpdate(uploadId, from, to, extra)));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('update upload status', err);
    }
  }

  async recordPart(uploadId: string, part: PartRecord): Promise<RecordPartOutcome> {
    try {
      await retryTransactionConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.uploadsTable,
                  Item: { ...partKey(uploadId, part.index), ...part },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                // The counter moves in the same transaction as the part: a retry can never count twice.
                Update: {
                  TableName: this.uploadsTable,
                  Key: sessionKey(uploadId),
                  UpdateExpression: 'ADD receivedChunks :one, receivedBytes :size',
                  ConditionExpression: '#status = :uploading',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':one': 1, ':size': part.size, ':uploading': 'UPLOADING' },
                },
              },
            ],
          }),
        ),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw storageError('record part', err);
      return this.explainRejectedRecord(uploadId, part.index);
    }
    const upload = await this.get(uploadId);
    if (!upload) throw new AppError('internal', 'upload vanished after recording a part');
    return { kind: 'recorded', upload };
  }

  async getPart(uploadId: string, index: number): Promise<PartRecord | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.uploadsTable, Key: partKey(uploadId, index), ConsistentRead: true }),
      );
      return Item ? toPart(Item) : null;
    } catch (err) {
      throw storageError('get part', err);
    }
  }

  async listParts(uploadId: string): Promise<PartRecord[]> {
    const items = await this.queryAll({
      TableName: this.uploadsTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)',
      ExpressionAttributeValues: { ':pk': `UPLOAD#${uploadId}`, ':part': 'PART#' },
      ConsistentRead: true,
    });
    return items.map(toPart);
  }

  async complete(uploadId: string, file: StoredFile): Promise<boolean> {
    try {
      await retryTransactionConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.filesTable, Item: file, ConditionExpression: 'attribute_not_exists(fileId)' } },
              {
                Update: {
                  TableName: this.uploadsTable,
                  Key: sessionKey(uploadId),
                  UpdateExpression: 'SET #status = :completed, fileId = :fileId, updatedAt = :now REMOVE #ttl',
                  ConditionExpression: '#status = :assembling',
                  ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
                  ExpressionAttributeValues: {
                    ':completed': 'COMPLETED',
                    ':assembling': 'ASSEMBLING',
                    ':fileId': file.fileId,
                    ':now': file.createdAt,
                  },
                },
              },
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('complete upload', err);
    }
  }

  async end(uploadId: string, from: UploadStatus[], to: UploadStatus, extra: Partial<UploadSession>): Promise<boolean> {
    const upload = await this.get(uploadId);
    if (!upload || !from.includes(upload.status)) return false;
    try {
      await retryTransactionConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: this.statusUpdate(uploadId, from, to, extra) },
              {
                Update: {
                  TableName: this.uploadsTable,
                  Key: usageKey(upload.userId),
                  UpdateExpression: 'ADD reservedBytes :minus',
                  ExpressionAttributeValues: { ':minus': -upload.size },
                },
              },
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('end upload', err);
    }
  }

  /** The conditional write `from` → `to` (plus `extra` fields) on a session, for an update or a transaction. */
  private statusUpdate(uploadId: string, from: UploadStatus[], to: UploadStatus, extra: Partial<UploadSession>) {
    const fields = Object.entries({ ...extra, status: to });
    const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    return {
      TableName: this.uploadsTable,
      Key: sessionKey(uploadId),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: `#status IN (${Object.keys(fromValues).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])) },
      ExpressionAttributeValues: { ...fromValues, ...Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])) },
    };
  }

  async listByStatus(status: UploadStatus, before: string, limit: number): Promise<string[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.uploadsTable,
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :s AND expiresAt < :before',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status, ':before': before },
        Limit: limit,
      }),
    );
    return Items.map((i) => String(i.pk).slice('UPLOAD#'.length));
  }

  private async explainRejectedRecord(uploadId: string, index: number): Promise<RecordPartOutcome> {
    const [upload, existing] = await Promise.all([
      this.get(uploadId),
      this.db.send(
        new GetCommand({ TableName: this.uploadsTable, Key: partKey(uploadId, index), ConsistentRead: true }),
      ),
    ]);
    if (existing.Item && upload) {
      return { kind: 'duplicate', existing: toPart(existing.Item), upload };
    }
    return { kind: 'not_uploading', upload };
  }

  private async queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    try {
      do {
        // DynamoDB pages stop at 1 MB; the assembler must see every part of a 10,000-part upload.
        const page = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: cursor }));
        items.push(...(page.Items ?? []));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    } catch (err) {
      throw storageError('query uploads', err);
    }
    return items;
  }
}

/** DynamoDB TTL deletes sessions a week after they expire; expiry itself is enforced in code. */
function ttlFor(expiresAt: string): number {
  return Math.floor(Date.parse(expiresAt) / 1000) + 7 * 24 * 3600;
}

function toSession(item: Record<string, unknown>): UploadSession {
  return {
    uploadId: String(item.uploadId),
    userId: String(item.userId),
    fileName: String(item.fileName),
    size: Number(item.size),
    contentType: String(item.contentType),
    chunkSize: Number(item.chunkSize),
    totalChunks: Number(item.totalChunks),
    receivedChunks: Number(item.receivedChunks ?? 0),
    receivedBytes: Number(item.receivedBytes ?? 0),
    status: item.status as UploadStatus,
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    updatedAt: String(item.updatedAt),
    objectKey: String(item.objectKey),
    multipartUploadId: String(item.multipartUploadId),
    sha256: String(item.sha256 ?? ''),
    fileId: String(item.fileId ?? ''),
    failureReason: String(item.failureReason ?? ''),
  };
}

function toPart(item: Record<string, unknown>): PartRecord {
  return { index: Number(item.index), size: Number(item.size), sha256: String(item.sha256), etag: String(item.etag) };
}
