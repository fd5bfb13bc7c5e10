import { createHash } from 'node:crypto';
import { AppError, type Logger } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { expectedChunkLength, type PartRecord, type StoredFile, type UploadSession } from './upload.ts';

/** `discarded`: the owner was deleted, so the upload was cancelled and its bytes removed instead. */
export type AssemblyResult = 'completed' | 'already_done' | 'not_ready' | 'skipped' | 'discarded';

/** A failure that retrying cannot fix: the session goes straight to FAILED. */
export class PermanentAssemblyError extends Error {
  override readonly name = 'PermanentAssemblyError';
}

export interface AssemblerDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  clock: Clock;
  logger: Logger;
}

/**
 * S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-<part count>"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 * Comparing it with the completed object proves S3 assembled exactly the parts we recorded.
 */
export function compositeEtag(partEtags: string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(etag.replaceAll('"', ''), 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

/**
 * Assembles one upload exactly once. Every step is safe to repeat: the state change is
 * conditional, the object key and file id are deterministic, and a redelivery of a finished
 * upload changes nothing.
 */
export class Assembler {
  constructor(private readonly deps: AssemblerDeps) {}

  async assemble(uploadId: string): Promise<AssemblyResult> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload) return 'skipped';
    if (upload.status === 'COMPLETED') return 'already_done';
    if (upload.status !== 'UPLOADING' && upload.status !== 'ASSEMBLING') return 'skipped';
    if (upload.receivedChunks < upload.totalChunks) return 'not_ready';
    // Checked before S3 builds the object; the completing transaction checks again, atomically.
    if (await this.deps.uploads.isUserDeleted(upload.userId)) return this.discard(upload);
    if (upload.status === 'UPLOADING') {
      const moved = await this.deps.uploads.transition(uploadId, ['UPLOADING'], 'ASSEMBLING', {
        updatedAt: this.nowIso(),
      });
      if (!moved) return this.assembleAfterRace(uploadId);
    }
    const parts = await this.deps.uploads.listParts(uploadId);
    this.checkParts(upload, parts);
    const etags = parts.map((p) => p.etag);
    let etag = await this.deps.objects.completeMultipart(
      upload.objectKey,
      upload.multipartUploadId,
      parts.map((p) => ({ partNumber: p.index + 1, etag: p.etag, sha256: p.sha256 })),
    );
    const head = await this.deps.objects.head(upload.objectKey);
    if (etag === null) {
      // The multipart upload is gone: a previous attempt completed it and then crashed.
      if (!head) throw new PermanentAssemblyError('multipart upload vanished before completion');
      etag = head.etag;
    }
    if (!head || head.size !== upload.size) {
      throw new PermanentAssemblyError(`assembled object has ${head?.size ?? 0} bytes, expected ${upload.size}`);
    }
    if (etag.replaceAll('"', '') !== compositeEtag(etags)) {
      throw new PermanentAssemblyError('assembled object does not match the recorded parts');
    }
    const file: StoredFile = {
      fileId: upload.uploadId,
      userId: upload.userId,
      name: upload.fileName,
      size: upload.size,
      contentType: upload.contentType,
      objectKey: upload.objectKey,
      createdAt: this.nowIso(),
      sha256: upload.sha256,
      uploadId: upload.uploadId,
    };
    const outcome = await this.deps.uploads.complete(uploadId, file);
    if (outcome === 'user_deleted') return this.discard(upload);
    const completed = outcome === 'completed';
    this.deps.logger.info({ uploadId, parts: parts.length, bytes: upload.size, completed }, 'upload assembled');
    return completed ? 'completed' : 'already_done';
  }

  /**
   * The owner's account was deleted while this upload was in flight: no file may appear for a user
   * that no longer exists. Storage first, then the state, so a crash in between is finished by the
   * redelivered message (which takes this path again: every step is idempotent).
   */
  private async discard(upload: UploadSession): Promise<AssemblyResult> {
    await this.deps.objects.abortMultipart(upload.objectKey, upload.multipartUploadId);
    await this.deps.objects.delete(upload.objectKey);
    await this.deps.uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'CANCELLED', {
      failureReason: 'the account was deleted',
      updatedAt: this.nowIso(),
    });
    this.deps.logger.info({ uploadId: upload.uploadId, userId: upload.userId }, 'upload of a deleted user discarded');
    return 'discarded';
  }

  /** Marks the upload FAILED (from any non-final state) and frees its quota and storage. */
  async fail(uploadId: string, reason: string): Promise<void> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload) return;
    const moved = await this.deps.uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'FAILED', {
      failureReason: reason,
      updatedAt: this.nowIso(),
    });
    if (!moved) return;
    this.deps.logger.warn({ uploadId, reason }, 'upload failed');
    // Best effort: the bucket's lifecycle rule aborts what a crash or an S3 error leaves open.
    await this.deps.objects.abortMultipart(upload.objectKey, upload.multipartUploadId).catch((err: unknown) => {
      this.deps.logger.warn({ uploadId, err }, 'could not abort the multipart upload of a failed upload');
    });
  }

  private async assembleAfterRace(uploadId: string): Promise<AssemblyResult> {
    const again = await this.deps.uploads.get(uploadId);
    if (again?.status === 'ASSEMBLING') return this.assemble(uploadId);
    return again?.status === 'COMPLETED' ? 'already_done' : 'skipped';
  }

  private checkParts(upload: UploadSession, parts: PartRecord[]): void {
    if (parts.length !== upload.totalChunks) {
      throw new AppError('failed_precondition', `found ${parts.length} of ${upload.totalChunks} parts`);
    }
    parts.forEach((part, i) => {
      if (part.index !== i || part.size !== expectedChunkLength(upload, i)) {
        throw new PermanentAssemblyError(`part ${i} is missing or has the wrong size`);
      }
    });
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}
