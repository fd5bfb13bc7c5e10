import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createS3Client, queryAll, resourceNames, scanAll, userUsageKey } from '@lfusys/commons';
import type { TestClient } from '@lfusys/testkit';
import { reservedBytes } from '../test/fixtures.ts';
import { gatewayCall } from './client.ts';

/** An upload the harness saw complete with the right bytes. */
export interface Finished {
  uploadId: string;
  fileId: string;
  size: number;
}

export interface AuditedUser {
  client: TestClient;
  userId: string;
  password: string;
}

export interface Audit {
  lost: number;
  duplicated: number;
  orphaned: number;
}

/**
 * Reads the end state straight from the API and the stores: every completed upload listed once and
 * nothing else, nothing left in progress, no open multipart upload or stray object under the user's
 * prefix, and the reserved quota equal to the files' bytes. Discrepancies go to `problems`.
 */
export class EndState {
  private readonly s3: S3Client;
  private readonly db: DynamoDBDocumentClient;
  private readonly names: ReturnType<typeof resourceNames>;

  constructor(
    private readonly endpoint: string,
    private readonly prefix: string,
    private readonly problems: string[],
  ) {
    this.s3 = createS3Client({ region: 'us-east-1', endpoint });
    this.db = createDocumentClient({ region: 'us-east-1', endpoint });
    this.names = resourceNames(prefix);
  }

  async audit(user: AuditedUser, expected: readonly Finished[]): Promise<Audit> {
    const { problems } = this;
    const listed: Array<{ id: string }> = [];
    for (let cursor: string | undefined; ; ) {
      const page = await gatewayCall(user.client, 'GET', `/files?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      const body = page.body as { files: Array<{ id: string }>; nextCursor?: string };
      listed.push(...body.files);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const ids = listed.map((f) => f.id);
    const expectedIds = new Set(expected.map((e) => e.fileId));
    const duplicated = ids.length - new Set(ids).size + ids.filter((id) => !expectedIds.has(id)).length;
    if (duplicated > 0)
      problems.push(`user ${user.userId}: ${duplicated} file(s) listed more than once or never completed`);
    let lost = 0;
    for (const missing of expected.filter((e) => !ids.includes(e.fileId))) {
      problems.push(`upload ${missing.uploadId}: completed but not listed`);
      lost += 1;
    }
    // Nothing may be left in progress: a retried open that made a second upload would show here.
    const { uploads: unfinished } = (await gatewayCall(user.client, 'GET', '/uploads')).body as {
      uploads: Array<{ uploadId: string; status: string }>;
    };
    for (const ghost of unfinished) problems.push(`upload ${ghost.uploadId} left ${ghost.status}`);
    const keep = new Set(expected.map((e) => `files/${user.userId}/${e.uploadId}`));
    const orphaned = unfinished.length + (await this.leftovers(user.userId, keep));
    const reserved = await reservedBytes(this.endpoint, this.prefix, user.userId);
    const stored = expected.reduce((sum, e) => sum + e.size, 0);
    if (reserved !== stored)
      problems.push(`user ${user.userId}: quota reserves ${reserved} bytes, files hold ${stored}`);
    return { lost, duplicated, orphaned };
  }

  /** Open multipart uploads and objects under the user's prefix other than `keep`; each is a problem. */
  async leftovers(userId: string, keep: ReadonlySet<string>): Promise<number> {
    const prefix = `files/${userId}/`;
    const bucket = this.names.bucket;
    const open = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    for (const mpu of open.Uploads ?? []) this.problems.push(`open multipart upload left: ${mpu.Key}`);
    const objects = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const strays = (objects.Contents ?? []).filter((o) => !keep.has(o.Key ?? ''));
    for (const stray of strays) this.problems.push(`object without a file: ${stray.Key}`);
    return (open.Uploads?.length ?? 0) + strays.length;
  }

  /**
   * Ends an audited user: deletes the account through the API (which must remove every object),
   * checks nothing is left in S3, then drops the user's upload-session, part and quota rows. Those
   * rows outlive the account until their TTL (which moto never applies), and moto answers
   * every index query by scanning the whole table, so a long soak that kept them slowed down
   * with every upload. Returns the objects or multipart uploads the deletion left behind.
   */
  async retire(user: AuditedUser): Promise<number> {
    const res = await gatewayCall(user.client, 'DELETE', '/users/me', { password: user.password });
    if (res.status !== 204) {
      this.problems.push(`user ${user.userId}: account deletion answered ${res.status} ${res.text.slice(0, 200)}`);
      return 0;
    }
    const left = await this.leftovers(user.userId, new Set());
    await this.purgeRows(user.userId);
    return left;
  }

  private async purgeRows(userId: string): Promise<void> {
    const table = this.names.uploadsTable;
    const keys: Array<{ pk: string; sk: string }> = [userUsageKey(userId)];
    // No index lists a user's finished uploads (only those in progress), so scan: moto answers an
    // index query by scanning the table anyway.
    const sessions = await scanAll(this.db, {
      TableName: table,
      FilterExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
    });
    for (const pk of new Set(sessions.map((item) => String(item.pk)))) {
      const rows = await queryAll(this.db, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      });
      keys.push(...rows.map((row) => ({ pk: String(row.pk), sk: String(row.sk) })));
    }
    for (let i = 0; i < keys.length; i += 25) {
      let batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      while (batch.length > 0) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
        batch = (out.UnprocessedItems?.[table] ?? []) as typeof batch;
      }
    }
  }

  close(): void {
    this.s3.destroy();
    this.db.destroy();
  }
}
