import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { AppError } from '@lfusys/commons';
import type { PartRecord, UploadSession, UploadStatus } from '../domain/upload.ts';

// The uploads table's keys are commons' (aws/uploads-table-keys.ts), shared with tests and the benchmark.
// Everything but a user's USAGE item carries `ttl` (epoch seconds): DynamoDB deletes it some time after that.
export const IN_PROGRESS_INDEX = 'inProgressByUser';
export const IN_PROGRESS_ATTRIBUTE = 'inProgressUserId';

/** Epoch seconds `retentionSeconds` after an ISO instant: when DynamoDB may delete the record. */
export function ttlAfter(iso: string, retentionSeconds: number): number {
  return Math.floor(Date.parse(iso) / 1000) + retentionSeconds;
}

export function toSession(item: Record<string, unknown>): UploadSession {
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
    // Absent on items written before failure codes existed.
    failureCode: (item.failureCode ?? '') as UploadSession['failureCode'],
    // Sessions written before direct transfer existed were all relayed.
    transfer: item.transfer === 'direct' ? 'direct' : 'relay',
  };
}

export function toPart(item: Record<string, unknown>): PartRecord {
  return { index: Number(item.index), size: Number(item.size), sha256: String(item.sha256), etag: String(item.etag) };
}

/**
 * A number attribute of an item returned with a cancelled transaction: the SDK hands those over
 * in wire form (`{N: "3"}`) even through the document client.
 */
export function numberAttribute(item: Record<string, unknown> | undefined, name: string): number {
  const value = item?.[name];
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'N' in value) return Number((value as { N: unknown }).N);
  return 0;
}

/** Cursors are an index key, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : '';
}

/**
 * A user's listing cursor back into an index key, accepted only if it has exactly the index's key
 * fields, all strings, and names this user: a cursor cannot page another user's uploads.
 */
export function decodeUserCursor(
  cursor: string,
  fields: string[],
  owner: { field: string; userId: string },
): Record<string, unknown> | undefined {
  if (cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      key[owner.field] === owner.userId &&
      Object.keys(key).sort().join(',') === [...fields].sort().join(',') &&
      Object.values(key).every((v) => typeof v === 'string')
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_argument', 'invalid cursor', { details: { field: 'cursor' } });
}

/** The sweeper's own cursor (never from a client). */
export function decodeInternalCursor(cursor: string): Record<string, unknown> | undefined {
  return cursor === ''
    ? undefined
    : (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>);
}

/** Which items of a cancelled transaction failed their condition, by position. */
export function failedConditions(err: unknown): Array<{ failed: boolean; item: Record<string, unknown> | undefined }> {
  if (!(err instanceof TransactionCanceledException)) return [];
  return (err.CancellationReasons ?? []).map((r) => ({
    failed: r.Code === 'ConditionalCheckFailed',
    item: r.Item as Record<string, unknown> | undefined,
  }));
}
