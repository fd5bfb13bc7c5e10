import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AppError,
  isConditionFailure,
  isTransactionConflict,
  retryTransactionConflicts,
  storageError,
  uploadIdOfPartition,
  uploadPartKey,
  uploadSessionKey,
  userTombstoneKey,
} from '@lfusys/commons';
import type { PartRecord, SignedPart, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';
import type {
  CompleteOutcome,
  CreateLimits,
  CreateOutcome,
  PartBatchView,
  RecordPartOutcome,
  RecordPartsOutcome,
  UploadPage,
  UploadRepository,
  UserUsage,
} from '../ports/upload-repository.ts';
import { DynamoPartBatches } from './dynamo-part-batches.ts';
import {
  decodeInternalCursor,
  decodeUserCursor,
  encodeCursor,
  failedConditions,
  IN_PROGRESS_ATTRIBUTE,
  IN_PROGRESS_INDEX,
  numberAttribute,
  toPart,
  toSession,
} from './dynamo-upload-items.ts';
import { type UploadTables, UploadTransactions } from './dynamo-upload-transactions.ts';

export class DynamoUploadRepository implements UploadRepository {
  private readonly tx: UploadTransactions;
  private readonly uploadsTable: string;
  private readonly batches: DynamoPartBatches;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    tables: UploadTables,
  ) {
    this.tx = new UploadTransactions(tables);
    this.uploadsTable = tables.uploadsTable;
    this.batches = new DynamoPartBatches(db, tables.uploadsTable, tables.finishedRetentionSeconds);
  }

  async create(upload: UploadSession, limits: CreateLimits): Promise<CreateOutcome> {
    try {
      await this.transact(this.tx.create(upload, limits));
      return 'created';
    } catch (err) {
      const [session, usage, tombstone] = failedConditions(err);
      if (session?.failed) return 'exists';
      if (tombstone?.failed) return 'user_deleted';
      if (usage?.failed) {
        const inProgress = numberAttribute(usage.item, 'uploadsInProgress');
        return inProgress >= limits.maxInProgress ? 'too_many_uploads' : 'quota_exceeded';
      }
      // Only the user's own parallel opens contend for their usage record.
      if (isTransactionConflict(err)) return 'contended';
      throw storageError('create upload', err);
    }
  }

  async get(uploadId: string): Promise<UploadSession | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.uploadsTable, Key: uploadSessionKey(uploadId), ConsistentRead: true }),
      );
      return Item ? toSession(Item) : null;
    } catch (err) {
      throw storageError('get upload', err);
    }
  }

  async usage(userId: string): Promise<UserUsage> {
    try {
      // USAGE and DELETED share the partition `USER#<id>`: one query reads both.
      const { Items = [] } = await this.db.send(
        new QueryCommand({
          TableName: this.uploadsTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `USER#${userId}` },
          ConsistentRead: true,
        }),
      );
      const usage = Items.find((i) => i.sk === 'USAGE');
      return {
        reservedBytes: numberAttribute(usage, 'reservedBytes'),
        uploadsInProgress: numberAttribute(usage, 'uploadsInProgress'),
        deleted: Items.some((i) => i.sk === 'DELETED'),
      };
    } catch (err) {
      throw storageError('read usage', err);
    }
  }

  async listInProgress(userId: string, limit: number, cursor: string): Promise<UploadPage> {
    const start = decodeUserCursor(cursor, ['pk', 'sk', IN_PROGRESS_ATTRIBUTE, 'createdAt'], {
      field: IN_PROGRESS_ATTRIBUTE,
      userId,
    });
    try {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.uploadsTable,
          IndexName: IN_PROGRESS_INDEX,
          KeyConditionExpression: '#owner = :u',
          ExpressionAttributeNames: { '#owner': IN_PROGRESS_ATTRIBUTE },
          ExpressionAttributeValues: { ':u': userId },
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      return { uploads: (page.Items ?? []).map(toSession), nextCursor: encodeCursor(page.LastEvaluatedKey) };
    } catch (err) {
      throw storageError('list uploads in progress', err);
    }
  }

  async transition(
    uploadId: string,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession> = {},
  ): Promise<UploadSession | null> {
    return this.updateStatus(this.tx.statusUpdate(uploadId, from, to, extra));
  }

  startAssembly(uploadId: string, updatedAt: string): Promise<UploadSession | null> {
    return this.updateStatus(this.tx.startAssembly(uploadId, updatedAt));
  }

  /** One conditional status write, answered with the item as written (null: the condition failed). */
  private async updateStatus(update: ConstructorParameters<typeof UpdateCommand>[0]): Promise<UploadSession | null> {
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
      if (!Attributes) throw new AppError('internal', 'a status update returned no item');
      return toSession(Attributes);
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw storageError('update upload status', err);
    }
  }

  async recordPart(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt'>,
    part: PartRecord,
  ): Promise<RecordPartOutcome> {
    try {
      await this.transact(this.tx.recordPart(upload, part));
    } catch (err) {
      if (!isConditionFailure(err)) throw storageError('record part', err);
      if (failedConditions(err)[2]?.failed) return { kind: 'user_deleted' };
      return this.explainRejectedRecord(upload.uploadId, part.index);
    }
    const current = await this.get(upload.uploadId);
    if (!current) throw new AppError('internal', 'upload vanished after recording a part');
    return { kind: 'recorded', upload: current };
  }

  async recordParts(upload: UploadSession, parts: PartRecord[]): Promise<RecordPartsOutcome> {
    try {
      await this.transact(this.tx.recordParts(upload, parts));
    } catch (err) {
      if (isConditionFailure(err)) return { kind: 'conflict' };
      throw storageError('record parts', err);
    }
    // The write was conditioned on the count read: the new one is known without reading it.
    const receivedBytes = upload.receivedBytes + parts.reduce((sum, part) => sum + part.size, 0);
    return {
      kind: 'recorded',
      upload: { ...upload, receivedChunks: upload.receivedChunks + parts.length, receivedBytes },
    };
  }

  async getPart(uploadId: string, index: number): Promise<PartRecord | null> {
    try {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.uploadsTable, Key: uploadPartKey(uploadId, index), ConsistentRead: true }),
      );
      return Item ? toPart(Item) : null;
    } catch (err) {
      throw storageError('get part', err);
    }
  }

  readPartBatch(uploadId: string, indexes: number[], signatures: boolean): Promise<PartBatchView> {
    return this.batches.read(uploadId, indexes, signatures);
  }

  saveSignedParts(upload: Pick<UploadSession, 'uploadId' | 'expiresAt'>, parts: SignedPart[]): Promise<void> {
    return this.batches.putSigned(upload, parts);
  }

  async declareSha256(uploadId: string, sha256: string): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(this.tx.declareSha256(uploadId, sha256)));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('declare sha256', err);
    }
  }

  listParts(uploadId: string): Promise<PartRecord[]> {
    return this.batches.listParts(uploadId);
  }

  async complete(uploadId: string, file: StoredFile): Promise<CompleteOutcome> {
    try {
      await this.transact(this.tx.complete(uploadId, file));
      return 'completed';
    } catch (err) {
      if (!isConditionFailure(err)) throw storageError('complete upload', err);
      return failedConditions(err)[3]?.failed ? 'user_deleted' : 'not_assembling';
    }
  }

  async end(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'size'>,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession>,
  ): Promise<boolean> {
    try {
      await this.transact(this.tx.end(upload, from, to, extra));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw storageError('end upload', err);
    }
  }

  async listByStatus(
    status: UploadStatus,
    before: string,
    limit: number,
    cursor: string,
  ): Promise<{ uploadIds: string[]; nextCursor: string }> {
    try {
      const start = decodeInternalCursor(cursor);
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.uploadsTable,
          IndexName: 'byStatus',
          KeyConditionExpression: '#status = :s AND expiresAt < :before',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': status, ':before': before },
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      return {
        uploadIds: (page.Items ?? []).map((i) => uploadIdOfPartition(String(i.pk))),
        nextCursor: encodeCursor(page.LastEvaluatedKey),
      };
    } catch (err) {
      throw storageError('list uploads by status', err);
    }
  }

  async markUserDeleted(userId: string, untilEpochSeconds: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.uploadsTable, Item: { ...userTombstoneKey(userId), ttl: untilEpochSeconds } }),
      );
    } catch (err) {
      throw storageError('mark user deleted', err);
    }
  }

  private transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>) {
    return retryTransactionConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
  }

  private async explainRejectedRecord(uploadId: string, index: number): Promise<RecordPartOutcome> {
    const [upload, existing] = await Promise.all([this.get(uploadId), this.getPart(uploadId, index)]);
    if (existing && upload) return { kind: 'duplicate', existing, upload };
    return { kind: 'not_uploading', upload };
  }
}
