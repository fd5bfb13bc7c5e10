import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storageError } from '@lfusys/commons';
import type { PartRecord, SignedPart } from '../domain/upload.ts';
import { partKey, signedPartKey, toPart, ttlAfter } from './dynamo-upload-items.ts';

/** BatchWriteItem takes at most 25 requests, BatchGetItem at most 100 keys (DynamoDB quotas). */
const WRITE_BATCH = 25;
const GET_BATCH = 100;
/** Unprocessed items (throttling) are sent again after a short, growing pause, this many times. */
const ATTEMPTS = 8;

type Key = Record<string, unknown>;

const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 25 * 2 ** attempt)));

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The per-index items of an upload read and written a batch at a time: recorded parts
 * (`PART#<index>`) and the signatures of presigned part URLs (`SIGNED#<index>`). A signature is a
 * plain put, so signing an index again replaces what Confirm will check against.
 */
export class DynamoPartBatches {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionSeconds: number,
  ) {}

  async getParts(uploadId: string, indexes: number[]): Promise<Map<number, PartRecord>> {
    const items = await this.getAll(indexes.map((i) => partKey(uploadId, i)));
    return new Map(items.map((item) => [Number(item.index), toPart(item)]));
  }

  async getSigned(uploadId: string, indexes: number[]): Promise<Map<number, SignedPart>> {
    const items = await this.getAll(indexes.map((i) => signedPartKey(uploadId, i)));
    return new Map(
      items.map((item) => [
        Number(item.index),
        { index: Number(item.index), size: Number(item.size), sha256: String(item.sha256) },
      ]),
    );
  }

  /** Kept as long as the upload's parts: until a retention period after its deadline. */
  async putSigned(upload: { uploadId: string; expiresAt: string }, parts: SignedPart[]): Promise<void> {
    const ttl = ttlAfter(upload.expiresAt, this.retentionSeconds);
    for (const batch of chunked(parts, WRITE_BATCH)) {
      let requests = batch.map((p) => ({
        PutRequest: { Item: { ...signedPartKey(upload.uploadId, p.index), ...p, ttl } },
      }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > ATTEMPTS) throw storageError('save part signatures', new Error('unprocessed items'));
        if (attempt > 1) await pause(attempt);
        try {
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } }));
          requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
        } catch (err) {
          throw storageError('save part signatures', err);
        }
      }
    }
  }

  private async getAll(keys: Key[]): Promise<Key[]> {
    const found: Key[] = [];
    for (const batch of chunked(keys, GET_BATCH)) {
      let pending = batch;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > ATTEMPTS) throw storageError('read parts', new Error('unprocessed keys'));
        if (attempt > 1) await pause(attempt);
        try {
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
          );
          found.push(...(out.Responses?.[this.table] ?? []));
          pending = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
        } catch (err) {
          throw storageError('read parts', err);
        }
      }
    }
    return found;
  }
}
