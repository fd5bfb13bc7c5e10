import { createHash, randomUUID } from 'node:crypto';
import { AppError, expectedChunkLength, type Logger, SHA256_BASE64, tagUpload } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { CreateOutcome, UploadPage, UploadRepository } from '../ports/upload-repository.ts';
import { type RecordedPart, recordCheckedPart } from './part-recording.ts';
import { type StorageUsage, storageUsage, withQuotaCap } from './storage-usage.ts';
import { resolveTransfer, type TransferPolicy } from './transfer-mode.ts';
import { type ChunkPolicy, objectKeyFor, type PartRecord, planChunks, type UploadSession } from './upload.ts';
import { type CreateUploadInput, checkCreateInput } from './upload-input.ts';

export interface UploadLimits extends ChunkPolicy {
  maxFileBytes: number;
  quotaBytes: number;
  /** Uploads in progress (uploading or assembling) per user (`UPLOADS_IN_PROGRESS_MAX`). */
  maxInProgress: number;
  ttlSeconds: number;
}

/** Page size of `list` when the caller asks for none, and the most it may ask for. */
export const MAX_UPLOADS_PAGE = 100;

/**
 * The retry hint of a `too_many_uploads` refusal. A slot frees when one of the user's uploads
 * completes, is cancelled or expires, which we cannot predict; a minute keeps a well-behaved
 * client from polling hard while its other uploads finish.
 */
export const TOO_MANY_UPLOADS_RETRY_SECONDS = 60;

export interface UploadServiceDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  queue: AssemblyQueue;
  clock: Clock;
  limits: UploadLimits;
  /** Relay unless configured otherwise. */
  transfer?: TransferPolicy;
  logger: Logger;
  newId?: () => string;
}

const IN_PROGRESS = new Set(['UPLOADING', 'ASSEMBLING']);
const RELAY_ONLY: TransferPolicy = { defaultTransfer: 'relay', directEnabled: false };

/** The upload id a user's idempotency key always maps to: a UUID-shaped SHA-256 of both. */
export function idempotentUploadId(userId: string, key: string): string {
  const hex = createHash('sha256').update(`upload\n${userId}\n${key}`).digest('hex');
  // Version 8 (custom) and the RFC 9562 variant, so it is a well-formed UUID like the random ones.
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Opening, inspecting, cancelling uploads and recording their parts, within the per-user limits. */
export class UploadService {
  private readonly newId: () => string;

  constructor(private readonly deps: UploadServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** `transfer`: "relay", "direct" or empty for the deployment's default. */
  async create(input: CreateUploadInput & { transfer?: string }): Promise<UploadSession> {
    const limits = withQuotaCap(this.deps.limits, input.quotaBytes);
    const { fileName, sha256 } = checkCreateInput(input, limits);
    const transfer = resolveTransfer(
      input.transfer ?? '',
      this.deps.transfer ?? RELAY_ONLY,
      input.userId,
      this.deps.logger,
    );
    if (input.size > limits.quotaBytes) throw this.refusal('quota_exceeded', input.userId, limits);
    const key = input.idempotencyKey ?? '';
    const uploadId = key === '' ? this.newId() : idempotentUploadId(input.userId, key);
    tagUpload(uploadId);
    const contentType = input.contentType || 'application/octet-stream';
    const replay = (existing: UploadSession) => {
      const same =
        existing.userId === input.userId &&
        existing.fileName === fileName &&
        existing.size === input.size &&
        existing.contentType === contentType &&
        existing.sha256 === sha256 &&
        existing.transfer === transfer;
      if (!same) throw new AppError('aborted', 'this idempotencyKey was used for a different upload');
      return existing;
    };
    // A replay answers with the existing upload and never counts against the limits again.
    if (key !== '') {
      const existing = await this.deps.uploads.get(uploadId);
      if (existing) return replay(existing);
    }
    await this.precheck(input.userId, input.size, limits);
    const objectKey = objectKeyFor(input.userId, uploadId);
    // A keyed create retried after a crash finds the multipart upload its first attempt opened.
    const multipartUploadId = await this.deps.objects.createMultipart(objectKey, contentType, {
      reuseOpen: key !== '',
    });
    const upload = this.newSession({
      ...input,
      uploadId,
      fileName,
      contentType,
      objectKey,
      multipartUploadId,
      sha256,
      transfer,
    });
    const outcome = await this.deps.uploads.create(upload, limits).catch(async (err: unknown) => {
      await this.deps.objects.abortMultipart(objectKey, multipartUploadId).catch(() => {});
      throw err;
    });
    if (outcome === 'created') return upload;
    // A concurrent retry with the same key won the race: answer with its upload.
    const winner = outcome === 'exists' ? await this.deps.uploads.get(uploadId) : null;
    if (winner?.multipartUploadId !== multipartUploadId) {
      await this.deps.objects.abortMultipart(objectKey, multipartUploadId).catch(() => {});
    }
    if (winner) return replay(winner);
    if (outcome === 'exists') throw new AppError('aborted', 'this upload changed while it was being opened; retry');
    throw this.refusal(outcome, input.userId, limits);
  }

  private newSession(
    fields: Pick<
      UploadSession,
      | 'uploadId'
      | 'userId'
      | 'fileName'
      | 'size'
      | 'contentType'
      | 'objectKey'
      | 'multipartUploadId'
      | 'sha256'
      | 'transfer'
    >,
  ): UploadSession {
    const now = this.deps.clock.now();
    return {
      uploadId: fields.uploadId,
      userId: fields.userId,
      fileName: fields.fileName,
      size: fields.size,
      contentType: fields.contentType,
      ...planChunks(fields.size, this.deps.limits),
      receivedChunks: 0,
      receivedBytes: 0,
      status: 'UPLOADING',
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.deps.limits.ttlSeconds * 1000).toISOString(),
      objectKey: fields.objectKey,
      multipartUploadId: fields.multipartUploadId,
      sha256: fields.sha256,
      fileId: '',
      failureReason: '',
      failureCode: '',
      transfer: fields.transfer,
    };
  }

  /**
   * Refuses an open the limits would refuse anyway before it costs an S3 multipart upload: a
   * flood of opens at the cap stays one DynamoDB read each. The transaction in `create` remains
   * the authority (this read may be a moment old).
   */
  private async precheck(userId: string, size: number, limits: UploadLimits): Promise<void> {
    const usage = await this.deps.uploads.usage(userId);
    if (usage.deleted) throw this.refusal('user_deleted', userId, limits);
    if (usage.uploadsInProgress >= limits.maxInProgress) throw this.refusal('too_many_uploads', userId, limits);
    if (usage.reservedBytes > limits.quotaBytes - size) throw this.refusal('quota_exceeded', userId, limits);
  }

  /** The error for an open the repository refused, logged once here with the limit that fired. */
  private refusal(
    outcome: Exclude<CreateOutcome, 'created' | 'exists'>,
    userId: string,
    limits: UploadLimits,
  ): AppError {
    const { logger } = this.deps;
    switch (outcome) {
      case 'too_many_uploads':
        logger.info({ userId, limit: 'UPLOADS_IN_PROGRESS_MAX', max: limits.maxInProgress }, 'upload open refused');
        return new AppError(
          'too_many_uploads',
          `you already have ${limits.maxInProgress} uploads in progress, the most allowed; finish or cancel some first`,
          { retryAfterSeconds: TOO_MANY_UPLOADS_RETRY_SECONDS, details: { limit: limits.maxInProgress } },
        );
      case 'quota_exceeded':
        logger.info(
          {
            userId,
            limit: limits.quotaBytes < this.deps.limits.quotaBytes ? 'caller quota cap' : 'USER_QUOTA_BYTES',
            max: limits.quotaBytes,
          },
          'upload open refused',
        );
        return new AppError(
          'permission_denied',
          `storage quota of ${limits.quotaBytes} bytes exceeded; delete files or cancel uploads first`,
          { details: { reason: 'quota_exceeded', quotaBytes: limits.quotaBytes } },
        );
      case 'contended':
        // The user's own burst of opens kept colliding on their usage record: slow down, not a 5xx.
        logger.info({ userId, limit: 'usage record contention' }, 'upload open refused');
        return new AppError('too_many_requests', 'too many uploads opened at once; retry in a moment', {
          retryAfterSeconds: 1,
        });
      case 'user_deleted':
        logger.info({ userId, limit: 'deleted user' }, 'upload open refused');
        return new AppError('failed_precondition', 'the account has been deleted', {
          details: { reason: 'user_deleted' },
        });
    }
  }

  /** The user's storage against their limits; `quotaCap` as in `create` (an unverified account's). */
  usage(userId: string, quotaCap: number): Promise<StorageUsage> {
    return storageUsage(this.deps.uploads, this.deps.limits, userId, quotaCap);
  }

  /**
   * The upload, owner-checked (always: no user, internal or not, reads another's). Another user's
   * upload is `not_found`. Reading a complete-but-unassembled upload re-enqueues it: the fallback for a
   * worker that crashed between recording the last part and sending the message.
   */
  async get(uploadId: string, userId: string): Promise<UploadSession> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload || upload.userId !== userId) throw new AppError('not_found', 'upload not found');
    if (upload.status === 'UPLOADING' && upload.receivedChunks === upload.totalChunks) {
      await this.deps.queue.enqueue(uploadId);
    }
    return upload;
  }

  /** The user's uploads in progress, newest first; `limit` 0 means the largest page. */
  async list(userId: string, limit: number, cursor: string): Promise<UploadPage> {
    const pageSize = limit === 0 ? MAX_UPLOADS_PAGE : limit;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_UPLOADS_PAGE) {
      throw new AppError('invalid_argument', `limit must be 1..${MAX_UPLOADS_PAGE}`, { details: { field: 'limit' } });
    }
    const page = await this.deps.uploads.listInProgress(userId, pageSize, cursor);
    // The index is eventually consistent: an upload that just ended may linger there a moment.
    return { ...page, uploads: page.uploads.filter((u) => IN_PROGRESS.has(u.status)) };
  }

  async cancel(uploadId: string, userId: string): Promise<UploadSession> {
    const upload = await this.get(uploadId, userId);
    // Cancelling twice is fine (a client retrying a cancel whose answer was lost): the retry only
    // finishes the storage clean-up, which a crash may have cut short.
    const moved =
      upload.status === 'CANCELLED' ||
      (await this.deps.uploads.end(upload, ['UPLOADING'], 'CANCELLED', {
        updatedAt: new Date(this.deps.clock.now()).toISOString(),
      }));
    if (!moved) {
      const now = await this.deps.uploads.get(uploadId);
      throw new AppError(
        'failed_precondition',
        `upload is ${(now ?? upload).status.toLowerCase()} and cannot be cancelled`,
      );
    }
    await this.deps.objects.abortMultipart(upload.objectKey, upload.multipartUploadId);
    return { ...upload, status: 'CANCELLED' };
  }

  /** Records a verified part. Same bytes again: success, counted once. Different bytes: `aborted` (409). */
  async recordPart(uploadId: string, userId: string, part: PartRecord): Promise<RecordedPart> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload || upload.userId !== userId) throw new AppError('not_found', 'upload not found');
    if (!Number.isInteger(part.index) || part.index < 0 || part.index >= upload.totalChunks) {
      throw new AppError('invalid_argument', `chunk index must be 0..${upload.totalChunks - 1}`);
    }
    if (part.size !== expectedChunkLength(upload, part.index)) {
      throw new AppError(
        'invalid_argument',
        `chunk ${part.index} must be ${expectedChunkLength(upload, part.index)} bytes`,
      );
    }
    if (!SHA256_BASE64.test(part.sha256))
      throw new AppError('invalid_argument', 'sha256 must be a base64 SHA-256 digest');
    return recordCheckedPart(this.deps.uploads, this.deps.logger, upload, part);
  }

  async listParts(uploadId: string, userId: string): Promise<PartRecord[]> {
    await this.get(uploadId, userId);
    return this.deps.uploads.listParts(uploadId);
  }
}
