import { uploadPartKey, uploadSessionKey, userTombstoneKey, userUsageKey } from '@lfusys/commons';
import type { PartRecord, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';
import type { CreateLimits } from '../ports/upload-repository.ts';
import { IN_PROGRESS_ATTRIBUTE, ttlAfter } from './dynamo-upload-items.ts';

/** Where the items live and how long finished records are kept. */
export interface UploadTables {
  uploadsTable: string;
  filesTable: string;
  /** Finished sessions (and parts) are kept this long, then left to DynamoDB TTL. */
  finishedRetentionSeconds: number;
}

/**
 * The transactions that change an upload's lifecycle, as TransactItems. Each one that opens or
 * ends an upload moves the owner's USAGE counters in the same transaction, so the per-user limits
 * can never drift from the sessions they count (a retried or racing write either does both or
 * neither). Index positions matter: the repository reads CancellationReasons by position.
 */
export class UploadTransactions {
  constructor(private readonly t: UploadTables) {}

  /** [0] the session (absent), [1] the owner's usage (within limits), [2] no tombstone. */
  create(upload: UploadSession, limits: CreateLimits) {
    return [
      {
        Put: {
          TableName: this.t.uploadsTable,
          Item: {
            ...uploadSessionKey(upload.uploadId),
            ...upload,
            [IN_PROGRESS_ATTRIBUTE]: upload.userId,
            // A backstop only: the sweeper ends every upload long before this.
            ttl: ttlAfter(upload.expiresAt, this.t.finishedRetentionSeconds),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.t.uploadsTable,
          Key: userUsageKey(upload.userId),
          UpdateExpression: 'ADD reservedBytes :size, uploadsInProgress :one',
          ConditionExpression:
            '(attribute_not_exists(reservedBytes) OR reservedBytes <= :room) AND ' +
            '(attribute_not_exists(uploadsInProgress) OR uploadsInProgress < :max)',
          ExpressionAttributeValues: {
            ':size': upload.size,
            ':one': 1,
            ':room': limits.quotaBytes - upload.size,
            ':max': limits.maxInProgress,
          },
          // Tells which limit fired without a second, racy read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      this.noTombstone(upload.userId),
    ];
  }

  /**
   * Several parts of one upload in one transaction (a direct-transfer confirmation): every part
   * absent, the counters moved by all of them at once from the count the caller read (so the
   * caller knows the new one without reading it), the session UPLOADING, no tombstone.
   */
  recordParts(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt' | 'receivedChunks'>,
    parts: PartRecord[],
  ) {
    const bytes = parts.reduce((sum, part) => sum + part.size, 0);
    return [
      ...parts.map((part) => this.partPut(upload, part)),
      this.counterUpdate(upload.uploadId, parts.length, bytes, upload.receivedChunks),
      this.noTombstone(upload.userId),
    ];
  }

  /** [0] the part (absent), [1] the session (UPLOADING), [2] no tombstone. */
  recordPart(upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt'>, part: PartRecord) {
    return [
      this.partPut(upload, part),
      this.counterUpdate(upload.uploadId, 1, part.size),
      this.noTombstone(upload.userId),
    ];
  }

  private partPut(upload: Pick<UploadSession, 'uploadId' | 'expiresAt'>, part: PartRecord) {
    return {
      Put: {
        TableName: this.t.uploadsTable,
        // Parts cannot be touched when the upload ends (there may be 10,000), so they expire a
        // retention period after the upload's own deadline, by which it has ended.
        Item: {
          ...uploadPartKey(upload.uploadId, part.index),
          ...part,
          ttl: ttlAfter(upload.expiresAt, this.t.finishedRetentionSeconds),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /**
   * The counters move in the same transaction as the parts: a retry can never count twice. Given
   * `from`, only if the count is still that.
   */
  private counterUpdate(uploadId: string, parts: number, bytes: number, from?: number) {
    const values = { ':parts': parts, ':size': bytes, ':uploading': 'UPLOADING' };
    return {
      Update: {
        TableName: this.t.uploadsTable,
        Key: uploadSessionKey(uploadId),
        UpdateExpression: 'ADD receivedChunks :parts, receivedBytes :size',
        ConditionExpression:
          from === undefined ? '#status = :uploading' : '#status = :uploading AND receivedChunks = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: from === undefined ? values : { ...values, ':from': from },
      },
    };
  }

  /** [0] the status change, [1] the owner's usage given back. */
  end(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'size'>,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession>,
  ) {
    const finishedAt = extra.updatedAt ?? new Date().toISOString();
    return [
      { Update: this.statusUpdate(upload.uploadId, from, to, extra, finishedAt) },
      {
        Update: {
          TableName: this.t.uploadsTable,
          Key: userUsageKey(upload.userId),
          UpdateExpression: 'ADD reservedBytes :minus, uploadsInProgress :minusOne',
          ExpressionAttributeValues: { ':minus': -upload.size, ':minusOne': -1 },
        },
      },
    ];
  }

  /** [0] the file (absent), [1] ASSEMBLING → COMPLETED, [2] the slot given back, [3] no tombstone. */
  complete(uploadId: string, file: StoredFile) {
    return [
      { Put: { TableName: this.t.filesTable, Item: file, ConditionExpression: 'attribute_not_exists(fileId)' } },
      {
        Update: this.statusUpdate(
          uploadId,
          ['ASSEMBLING'],
          'COMPLETED',
          { fileId: file.fileId, updatedAt: file.createdAt },
          file.createdAt,
        ),
      },
      {
        // The bytes stay reserved: the file holds them until it is deleted.
        Update: {
          TableName: this.t.uploadsTable,
          Key: userUsageKey(file.userId),
          UpdateExpression: 'ADD uploadsInProgress :minusOne',
          ExpressionAttributeValues: { ':minusOne': -1 },
        },
      },
      this.noTombstone(file.userId),
    ];
  }

  /**
   * The conditional write `from` → `to` (plus `extra` fields) on a session. With `finishedAt` the
   * upload leaves the in-progress index and its record expires a retention period later.
   */
  statusUpdate(
    uploadId: string,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession>,
    finishedAt?: string,
  ) {
    const fields: Array<[string, unknown]> = Object.entries({ ...extra, status: to });
    if (finishedAt) fields.push(['ttl', ttlAfter(finishedAt, this.t.finishedRetentionSeconds)]);
    const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    const remove = finishedAt ? ` REMOVE ${IN_PROGRESS_ATTRIBUTE}` : '';
    return {
      TableName: this.t.uploadsTable,
      Key: uploadSessionKey(uploadId),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}${remove}`,
      ConditionExpression: `#status IN (${Object.keys(fromValues).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])) },
      ExpressionAttributeValues: { ...fromValues, ...Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])) },
    };
  }

  /** UPLOADING with every part recorded → ASSEMBLING. */
  startAssembly(uploadId: string, updatedAt: string) {
    const update = this.statusUpdate(uploadId, ['UPLOADING'], 'ASSEMBLING', { updatedAt });
    return { ...update, ConditionExpression: `${update.ConditionExpression} AND receivedChunks = totalChunks` };
  }

  /**
   * The whole file's SHA-256, while UPLOADING with parts still missing and no other value declared.
   * One conditional write on the session: it cannot interleave with the RecordPart transaction that
   * completes the set, so a hash is either declared before an assembly can read it or refused.
   */
  declareSha256(uploadId: string, sha256: string) {
    return {
      TableName: this.t.uploadsTable,
      Key: uploadSessionKey(uploadId),
      UpdateExpression: 'SET sha256 = :h',
      ConditionExpression:
        '#status = :uploading AND receivedChunks < totalChunks AND ' +
        '(attribute_not_exists(sha256) OR sha256 = :empty OR sha256 = :h)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':h': sha256, ':uploading': 'UPLOADING', ':empty': '' },
    };
  }

  private noTombstone(userId: string) {
    return {
      ConditionCheck: {
        TableName: this.t.uploadsTable,
        Key: userTombstoneKey(userId),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
}
