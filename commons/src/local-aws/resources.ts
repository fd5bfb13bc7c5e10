import { resourceNames } from '../aws/resource-names.ts';

/**
 * The single definition of every AWS resource the services use. The local bootstrap creates
 * exactly these; Terraform is tested against this same list so the two cannot drift.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableSpec {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Attribute holding an epoch-seconds expiry; DynamoDB deletes late, so code still checks expiry. */
  ttlAttribute?: string;
  indexes: Array<{ name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute; projection: 'ALL' | 'KEYS_ONLY' }>;
}

/**
 * The bucket's one CORS rule. Browsers reach the bucket only through presigned URLs: GETs to
 * download, and in direct transfer PUTs of parts (DESIGN §9.1). A presigned UploadPart signs
 * `x-amz-checksum-sha256`, so the browser must send it, and a cross-origin request carrying a
 * non-safelisted header is preflighted (Fetch standard, CORS-safelisted request headers): S3 answers
 * the preflight only for headers listed here. `content-type` is listed because a PUT of a typed
 * Blob sends one that is not safelisted (`application/octet-stream`). `Content-Length` is set by
 * the browser itself and never preflighted. `ETag` is exposed so a client can read the part's ETag
 * (a cross-origin response shows scripts only safelisted headers unless told otherwise).
 */
export interface BucketCorsRule {
  methods: Array<'GET' | 'PUT'>;
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export const BUCKET_CORS_RULE: Readonly<BucketCorsRule> = Object.freeze<BucketCorsRule>({
  methods: ['GET', 'PUT'],
  allowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 3600,
});

export interface BucketSpec {
  name: string;
  corsOrigins: string[];
  cors: BucketCorsRule;
  /** Days after which the bucket aborts multipart uploads nobody completed (backstop for the sweeper). */
  abortIncompleteMultipartDays: number;
}

export interface QueueSpec {
  name: string;
  dlqName: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface ResourceSpec {
  tables: TableSpec[];
  bucket: BucketSpec;
  assemblyQueue: QueueSpec;
}

export interface ResourceOptions {
  prefix: string;
  /** Browser origins allowed to PUT parts (direct transfer) and GET downloads straight against the bucket. */
  corsOrigins: string[];
}

export function defineResources({ prefix, corsOrigins }: ResourceOptions): ResourceSpec {
  const names = resourceNames(prefix);
  return {
    tables: [
      // Users and their unique-email claims share one table: `USER#<id>` and `EMAIL#<normalised>`,
      // written together in one transaction so concurrent registrations cannot both win. Provider
      // identities live here too: `IDENTITY#<provider>#<subject>` and `IDENTITIES#<userId>`.
      { name: names.usersTable, partitionKey: { name: 'pk', type: 'S' }, indexes: [] },
      // Refresh-token families (`FAMILY#<id>`) and tokens (`TOKEN#<sha256>`), findable per user
      // for "sign out everywhere" and account deletion.
      {
        name: names.refreshTokensTable,
        partitionKey: { name: 'pk', type: 'S' },
        ttlAttribute: 'expiresAt',
        indexes: [{ name: 'byUser', partitionKey: { name: 'userId', type: 'S' }, projection: 'KEYS_ONLY' }],
      },
      // Upload sessions (`UPLOAD#<id>` / `SESSION`), their parts (`UPLOAD#<id>` / `PART#<00000>`),
      // per-user usage (`USER#<id>` / `USAGE`: reserved bytes, uploads in progress) and deleted-user
      // tombstones (`USER#<id>` / `DELETED`). `inProgressByUser` is sparse: only a session that is
      // uploading or assembling carries `inProgressUserId`, so a user's listing never reads the
      // finished ones. `byStatus` lets the sweeper find expired or stuck sessions without a scan.
      // Finished sessions, parts and tombstones expire through `ttl`.
      {
        name: names.uploadsTable,
        partitionKey: { name: 'pk', type: 'S' },
        sortKey: { name: 'sk', type: 'S' },
        ttlAttribute: 'ttl',
        indexes: [
          {
            name: 'inProgressByUser',
            partitionKey: { name: 'inProgressUserId', type: 'S' },
            sortKey: { name: 'createdAt', type: 'S' },
            projection: 'ALL',
          },
          {
            name: 'byStatus',
            partitionKey: { name: 'status', type: 'S' },
            sortKey: { name: 'expiresAt', type: 'S' },
            projection: 'KEYS_ONLY',
          },
        ],
      },
      // Completed files, listed newest first per owner through `byOwner`.
      {
        name: names.filesTable,
        partitionKey: { name: 'fileId', type: 'S' },
        indexes: [
          {
            name: 'byOwner',
            partitionKey: { name: 'userId', type: 'S' },
            sortKey: { name: 'createdAt', type: 'S' },
            projection: 'ALL',
          },
        ],
      },
    ],
    bucket: { name: names.bucket, corsOrigins, cors: BUCKET_CORS_RULE, abortIncompleteMultipartDays: 2 },
    assemblyQueue: {
      name: names.assemblyQueue,
      dlqName: names.assemblyDlq,
      visibilityTimeoutSeconds: 120,
      maxReceiveCount: 5,
    },
  };
}
