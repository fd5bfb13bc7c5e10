import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { sanitizeFileName } from './file-name.ts';
import {
  type ChunkPolicy,
  expectedChunkLength,
  objectKeyFor,
  type PartRecord,
  planChunks,
  type UploadSession,
} from './upload.ts';

export interface UploadLimits extends ChunkPolicy {
  maxFileBytes: number;
  quotaBytes: number;
  ttlSeconds: number;
}

export interface UploadServiceDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  queue: AssemblyQueue;
  clock: Clock;
  limits: UploadLimits;
  newId?: () => string;
}

const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const IN_PROGRESS = new Set(['UPLOADING', 'ASSEMBLING']);

/** Opening, inspecting, cancelling uploads and recording their parts. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The upload id a user's idempotency key always maps to: a UUID-shaped SHA-256 of both. */
export function idempotentUploadId(userId: string, key: string): string {
  const hex = createHash('sha256').update(`upload\n${userId}\n${key}`).digest('hex');
  // Version 8 (custom) and the RFC 9562 variant, so it is a well-formed UUID like the random ones.
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class UploadService {
  private readonly newId: () => string;

  constructor(private readonly deps: UploadServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  async create(input: {
    userId: string;
    fileName: string;
    size: number;
    contentType: string;
    sha256: string;
    /** See CreateUploadRequest.idempotency_key; empty for none. */
    idempotencyKey?: string;
  }): Promise<UploadSession> {
    const fileName = sanitizeFileName(input.fileName);
    const key = input.idempotencyKey ?? '';
    if (key !== '' && !IDEMPOTENCY_KEY.test(key)) {
      throw new AppError('invalid_argument', 'idempotencyKey must be 1-128 characters of A-Z a-z 0-9 . _ : -', {
        details: { field: 'idempotencyKey' },
      });
    }
    const { limits } = this.deps;
    if (!Number.isSafeInteger(input.size) || input.size <= 0) {
      throw new AppError('invalid_argument', 'size must be a positive integer', { details: { field: 'size' } });
    }
    if (input.size > limits.maxFileBytes) {
      throw new AppError('payload_too_large', `files may be at most ${limits.maxFileBytes} bytes`, {
        details: { field: 'size' },
      });
    }
    if (input.sha256 !== '' && !SHA256_BASE64.test(input.sha256)) {
      throw new AppError('invalid_argument', 'sha256 must be a base64 SHA-256 digest', {
        details: { field: 'sha256' },
      });
    }
    const uploadId = key === '' ? this.newId() : idempotentUploadId(input.userId, key);
    const contentType = input.contentType || 'application/octet-stream';
    const replay = (existing: UploadSession) => {
      const same =
        existing.userId === input.userId &&
        existing.fileName === fileName &&
        existing.size === input.size &&
        existing.contentType === contentType &&
        existing.sha256 === input.sha256;
      if (!same) throw new AppError('aborted', 'this idempotencyKey was used for a different upload');
      return existing;
    };
    if (key !== '') {
      const existing = await this.deps.uploads.get(uploadId);
      if (existing) return replay(existing);
    }
    const objectKey = objectKeyFor(input.userId, uploadId);
    // A keyed create retried after a crash finds the multipart upload its first attempt opened.
    const multipartUploadId = await this.deps.objects.createMultipart(objectKey, contentType, {
      reuseOpen: key !== '',
    });
    const now = this.deps.clock.now();
    const upload: UploadSession = {
      uploadId,
      userId: input.userId,
      fileName,
      size: input.size,
      contentType,
      ...planChunks(input.size, limits),
      receivedChunks: 0,
      receivedBytes: 0,
      status: 'UPLOADING',
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + limits.ttlSeconds * 1000).toISOString(),
      objectKey,
      multipartUploadId,
      sha256: input.sha256,
      fileId: '',
      failureReason: '',
    };
    try {
      await this.deps.uploads.create(upload, limits.quotaBytes);
    } catch (err) {
      // A concurrent retry with the same key won the race: answer with its upload.
      const winner = AppError.isCode(err, 'already_exists') ? await this.deps.uploads.get(uploadId) : null;
      if (winner?.multipartUploadId !== multipartUploadId) {
        await this.deps.objects.abortMultipart(objectKey, multipartUploadId).catch(() => {});
      }
      if (winner) return replay(winner);
      throw err;
    }
    return upload;
  }

  /**
   * The upload, owner-checked unless `userId` is empty (internal callers). Another user's upload
   * is `not_found`. Reading a complete-but-unassembled upload re-enqueues it: the fallback for a
   * worker that crashed between recording the last part and sending the message.
   */
  async get(uploadId: string, userId: string): Promise<UploadSession> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload || (userId !== '' && upload.userId !== userId)) throw new AppError('not_found', 'upload not found');
    if (upload.status === 'UPLOADING' && upload.receivedChunks === upload.totalChunks) {
      await this.deps.queue.enqueue(uploadId);
    }
    return upload;
  }

  async list(userId: string): Promise<UploadSession[]> {
    const uploads = await this.deps.uploads.listByUser(userId);
    return uploads.filter((u) => IN_PROGRESS.has(u.status));
  }

  async cancel(uploadId: string, userId: string): Promise<UploadSession> {
    const upload = await this.get(uploadId, userId);
    // Cancelling twice is fine (a client retrying a cancel whose answer was lost): the retry only
    // finishes the storage clean-up, which a crash may have cut short.
    const moved =
      upload.status === 'CANCELLED' ||
      (await this.deps.uploads.end(uploadId, ['UPLOADING'], 'CANCELLED', {
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
  async recordPart(
    uploadId: string,
    part: PartRecord,
  ): Promise<{ upload: UploadSession; complete: boolean; newlyRecorded: boolean }> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload) throw new AppError('not_found', 'upload not found');
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
    const outcome = await this.deps.uploads.recordPart(uploadId, part);
    if (outcome.kind === 'not_uploading') {
      const status = outcome.upload?.status ?? 'missing';
      throw new AppError('failed_precondition', `upload is ${status.toLowerCase()}; no more chunks are accepted`, {
        details: { status },
      });
    }
    if (outcome.kind === 'duplicate' && outcome.existing.sha256 !== part.sha256) {
      throw new AppError('aborted', `chunk ${part.index} was already received with different content`);
    }
    const current = outcome.upload;
    return {
      upload: current,
      complete: current.receivedChunks === current.totalChunks,
      newlyRecorded: outcome.kind === 'recorded',
    };
  }

  /** A recorded part, for internal callers; `not_found` when that index has not been recorded. */
  async getPart(uploadId: string, index: number): Promise<PartRecord> {
    const part = await this.deps.uploads.getPart(uploadId, index);
    if (!part) throw new AppError('not_found', `chunk ${index} has not been received`);
    return part;
  }

  async listParts(uploadId: string, userId: string): Promise<PartRecord[]> {
    await this.get(uploadId, userId);
    return this.deps.uploads.listParts(uploadId);
  }
}
