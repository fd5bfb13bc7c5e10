import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  PART_SORT_PREFIX,
  queryAll,
  signedPartKey,
  storageError,
  uploadPartition,
  uploadPartKey,
} from '@lfusys/commons';
import type { PartRecord, SignedPart } from '../domain/upload.ts';
import { toPart, ttlAfter } from './dynamo-upload-items.ts';

/** The most puts one BatchWriteItem carries. */
const BATCH_WRITE_LIMIT = 25;
/** Rounds of re-sending what BatchWriteItem left unprocessed (throttling) before giving up. */
const UNPROCESSED_ROUNDS = 8;

const toSigned = (item: Record<string, unknown>): SignedPart => ({
  index: Number(item.index),
  size: Number(item.size),
  sha256: String(item.sha256),
});

/**
 * The per-index items of an upload read and written a batch at a time: recorded parts
 * (`PART#<index>`) and the signatures of presigned part URLs (`SIGNED#<index>`). A signature is a
 * plain put, so signing an index again replaces what Confirm will check against.
 *
 * Reads are one range query from the lowest to the highest index wanted (sort keys are
 * zero-padded, so they sort by index): clients sign and confirm nearby indexes together, so this
 * reads about what was asked. Signatures are written 25 to a BatchWriteItem: a call signing eight
 * parts is one write request, not eight.
 */
export class DynamoPartBatches {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionSeconds: number,
  ) {}

  async getParts(uploadId: string, indexes: number[]): Promise<Map<number, PartRecord>> {
    const items = await this.queryRange(uploadId, indexes, uploadPartKey);
    return new Map(items.map((item) => [Number(item.index), toPart(item)]));
  }

  async getSigned(uploadId: string, indexes: number[]): Promise<Map<number, SignedPart>> {
    const items = await this.queryRange(uploadId, indexes, signedPartKey);
    return new Map(items.map((item) => [Number(item.index), toSigned(item)]));
  }

  /** Kept as long as the upload's parts: until a retention period after its deadline. */
  async putSigned(upload: { uploadId: string; expiresAt: string }, parts: SignedPart[]): Promise<void> {
    const ttl = ttlAfter(upload.expiresAt, this.retentionSeconds);
    const puts = parts.map((part) => ({
      PutRequest: { Item: { ...signedPartKey(upload.uploadId, part.index), ...part, ttl } },
    }));
    try {
      for (let at = 0; at < puts.length; at += BATCH_WRITE_LIMIT) {
        let pending: unknown[] = puts.slice(at, at + BATCH_WRITE_LIMIT);
        // Under throttling BatchWriteItem writes some and hands back the rest: send those again.
        for (let round = 0; pending.length > 0; round++) {
          if (round === UNPROCESSED_ROUNDS) throw new Error(`${pending.length} signatures left unprocessed`);
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }));
          pending = out.UnprocessedItems?.[this.table] ?? [];
        }
      }
    } catch (err) {
      throw storageError('save part signatures', err);
    }
  }

  /** Every recorded part of the upload, in index order (the assembler must see all of 10,000). */
  async listParts(uploadId: string): Promise<PartRecord[]> {
    const items = await this.queryAll('begins_with(sk, :part)', { ':part': PART_SORT_PREFIX }, uploadId, 'list parts');
    return items.map(toPart);
  }

  /** The items of `indexes` (by `key`), read as one paginated range query and filtered. */
  private async queryRange(
    uploadId: string,
    indexes: number[],
    key: (uploadId: string, index: number) => { pk: string; sk: string },
  ): Promise<Record<string, unknown>[]> {
    if (indexes.length === 0) return [];
    const wanted = new Set(indexes);
    const range = {
      ':from': key(uploadId, Math.min(...indexes)).sk,
      ':to': key(uploadId, Math.max(...indexes)).sk,
    };
    const items = await this.queryAll('sk BETWEEN :from AND :to', range, uploadId, 'read parts');
    return items.filter((item) => wanted.has(Number(item.index)));
  }

  /** One upload's items whose sort key passes `condition`, every page (DynamoDB pages stop at 1 MB). */
  private async queryAll(
    condition: string,
    values: Record<string, string>,
    uploadId: string,
    operation: string,
  ): Promise<Record<string, unknown>[]> {
    try {
      return await queryAll(this.db, {
        TableName: this.table,
        KeyConditionExpression: `pk = :pk AND ${condition}`,
        ExpressionAttributeValues: { ':pk': uploadPartition(uploadId), ...values },
        ConsistentRead: true,
      });
    } catch (err) {
      throw storageError(operation, err);
    }
  }
}
