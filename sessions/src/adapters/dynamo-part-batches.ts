import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  PART_SORT_PREFIX,
  queryAll,
  signedPartKey,
  storageError,
  uploadPartition,
  uploadPartKey,
  uploadSessionKey,
} from '@lfusys/commons';
import type { PartRecord, SignedPart } from '../domain/upload.ts';
import type { PartBatchView } from '../ports/upload-repository.ts';
import { toPart, toSession, ttlAfter } from './dynamo-upload-items.ts';

/** The most keys one BatchGetItem reads. */
const BATCH_GET_LIMIT = 100;
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
 * A signing or confirming call reads the session and its parts' items by key in one
 * BatchGetItem (one round trip where a read and two range queries took three), and signatures
 * are written 25 to a BatchWriteItem: a call signing eight parts is one write request, not eight.
 */
export class DynamoPartBatches {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionSeconds: number,
  ) {}

  /**
   * The upload's session item and the `PART#`/`SIGNED#` items of `indexes`, by key, in one
   * consistent BatchGetItem (100 keys per request; more go in parallel requests). Whatever
   * DynamoDB leaves unprocessed under throttling is asked again.
   */
  async read(uploadId: string, indexes: number[], signatures: boolean): Promise<PartBatchView> {
    const keys = [
      uploadSessionKey(uploadId),
      ...indexes.map((index) => uploadPartKey(uploadId, index)),
      ...(signatures ? indexes.map((index) => signedPartKey(uploadId, index)) : []),
    ];
    const batches: Array<Array<Record<string, unknown>>> = [];
    for (let at = 0; at < keys.length; at += BATCH_GET_LIMIT) batches.push(keys.slice(at, at + BATCH_GET_LIMIT));
    const items = (await Promise.all(batches.map((batch) => this.getBatch(batch)))).flat();
    const view: PartBatchView = { upload: null, recorded: new Map(), signed: new Map() };
    for (const item of items) {
      const sk = String(item.sk);
      if (sk === uploadSessionKey(uploadId).sk) view.upload = toSession(item);
      else if (sk.startsWith(PART_SORT_PREFIX)) view.recorded.set(Number(item.index), toPart(item));
      else view.signed.set(Number(item.index), toSigned(item));
    }
    return view;
  }

  private async getBatch(keys: Array<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let pending = keys;
    try {
      for (let round = 0; pending.length > 0; round++) {
        if (round === UNPROCESSED_ROUNDS) throw new Error(`${pending.length} keys left unprocessed`);
        const out = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[this.table] ?? []));
        pending = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    } catch (err) {
      throw storageError('read parts', err);
    }
    return found;
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
