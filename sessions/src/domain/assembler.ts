import { createHash } from 'node:crypto';
import { AppError, expectedChunkLength, inSpan, type Logger, UPLOAD_ID_ATTRIBUTE } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { sha256OfStream } from './sha256-stream.ts';
import type { PartRecord, StoredFile, UploadSession } from './upload.ts';

/**
 * `discarded`: the owner was deleted, so the upload was cancelled and its bytes removed instead.
 * `failed`: the bytes are not the declared SHA-256, so the upload ended FAILED (`checksum_mismatch`).
 */
export type AssemblyResult = 'completed' | 'already_done' | 'not_ready' | 'skipped' | 'discarded' | 'failed';

type Verdict = { ok: true; sha256: string } | { ok: false; reason: string };

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
 * upload changes nothing. A declared whole-file SHA-256 is verified against the assembled object
 * before the upload may complete (DESIGN §9.2).
 */
export class Assembler {
  constructor(private readonly deps: AssemblerDeps) {}

  async assemble(uploadId: string): Promise<AssemblyResult> {
    const begun = await this.begin(uploadId);
    if (typeof begun === 'string') return begun;
    const { upload, parts } = begun;
    // An earlier attempt found a mismatch and stopped before the upload ended: finish that.
    if (upload.failureCode === 'checksum_mismatch') return this.rejectChecksum(upload, upload.failureReason);
    this.checkParts(upload, parts);
    try {
      await this.completeObject(upload, parts);
    } catch (err) {
      // Deleting an account may take the upload's storage with it: that is a discard, not a failure.
      if ((await this.deps.uploads.usage(upload.userId)).deleted) return this.discard(upload);
      throw err;
    }
    const verdict = await this.verifySha256(upload);
    if (!verdict.ok) return this.rejectChecksum(upload, verdict.reason);
    const file: StoredFile = {
      fileId: upload.uploadId,
      userId: upload.userId,
      name: upload.fileName,
      size: upload.size,
      contentType: upload.contentType,
      objectKey: upload.objectKey,
      createdAt: this.nowIso(),
      sha256: verdict.sha256,
      uploadId: upload.uploadId,
    };
    const outcome = await this.deps.uploads.complete(uploadId, file);
    if (outcome === 'user_deleted') return this.discard(upload);
    const completed = outcome === 'completed';
    this.deps.logger.info({ uploadId, parts: parts.length, bytes: upload.size, completed }, 'upload assembled');
    return completed ? 'completed' : 'already_done';
  }

  /**
   * The upload as stored once it is ASSEMBLING, with its recorded parts, or why there is nothing
   * to assemble. One round of two calls sent together: the move to ASSEMBLING (conditioned on
   * every part being recorded; its answer is the upload as written) and the parts. The parts are
   * final once the move succeeds, or once another attempt made it: a recorded part never changes,
   * nor does a declared whole-file SHA-256 once the last part is in. Only when the move is refused
   * is the upload read, to say why (or to go on with one already ASSEMBLING: a redelivery). The
   * owner's tombstone is not read on the way: the completing transaction checks it atomically (a
   * deleted owner's object is then discarded), and so does a storage failure.
   */
  private async begin(uploadId: string): Promise<{ upload: UploadSession; parts: PartRecord[] } | AssemblyResult> {
    const [started, parts] = await Promise.all([
      this.deps.uploads.startAssembly(uploadId, this.nowIso()),
      this.deps.uploads.listParts(uploadId),
    ]);
    if (started) return { upload: started, parts };
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload) return 'skipped';
    if (upload.status === 'ASSEMBLING') return { upload, parts };
    if (upload.status === 'COMPLETED') return 'already_done';
    if (upload.status !== 'UPLOADING') return 'skipped';
    if (upload.receivedChunks < upload.totalChunks) return 'not_ready';
    // Its last part was recorded between the move and the read: the redelivery moves it.
    throw new AppError('failed_precondition', 'the last part was recorded while assembly began; retrying');
  }

  /**
   * Completes the multipart upload (or finds it completed by an earlier attempt) and checks its
   * ETag: S3's composite of the part ETags proves it assembled exactly the parts recorded, whose
   * sizes were checked (checkParts), so the object has the upload's size. Only when an earlier
   * attempt completed it (no ETag to compare with what was recorded yet) is the object's own
   * size and ETag read back.
   */
  private async completeObject(upload: UploadSession, parts: PartRecord[]): Promise<void> {
    let etag = await this.deps.objects.completeMultipart(
      upload.objectKey,
      upload.multipartUploadId,
      parts.map((p) => ({ partNumber: p.index + 1, etag: p.etag, sha256: p.sha256 })),
    );
    if (etag === null) {
      // The multipart upload is gone: a previous attempt completed it and then crashed.
      const head = await this.deps.objects.head(upload.objectKey);
      if (!head) throw new PermanentAssemblyError('multipart upload vanished before completion');
      if (head.size !== upload.size) {
        throw new PermanentAssemblyError(`assembled object has ${head.size} bytes, expected ${upload.size}`);
      }
      etag = head.etag;
    }
    if (etag.replaceAll('"', '') !== compositeEtag(parts.map((p) => p.etag))) {
      throw new PermanentAssemblyError('assembled object does not match the recorded parts');
    }
  }

  /**
   * Reads the assembled object back and compares its SHA-256 with the declared one. A storage
   * failure part-way throws (the redelivered message reads it again); nothing is written here.
   */
  private async verifySha256(upload: UploadSession): Promise<Verdict> {
    if (upload.sha256 === '') return { ok: true, sha256: '' };
    const started = this.deps.clock.now();
    const actual = await inSpan(
      'upload.verify_sha256',
      { attributes: { [UPLOAD_ID_ATTRIBUTE]: upload.uploadId } },
      async () => sha256OfStream(await this.deps.objects.read(upload.objectKey)),
    );
    const ms = this.deps.clock.now() - started;
    const match = actual.sha256 === upload.sha256.toLowerCase() && actual.bytes === upload.size;
    this.deps.logger.info(
      {
        uploadId: upload.uploadId,
        bytes: actual.bytes,
        ms,
        bytesPerSecond: ms > 0 ? Math.round((actual.bytes * 1000) / ms) : undefined,
        match,
      },
      'whole-file sha256 verified',
    );
    if (match) return { ok: true, sha256: actual.sha256 };
    return {
      ok: false,
      reason: `the uploaded bytes do not match the declared SHA-256 (declared ${upload.sha256}, received ${actual.sha256})`,
    };
  }

  /**
   * Ends an upload whose bytes are not the declared ones. The verdict is recorded first, so an
   * attempt that crashes part-way is finished by the redelivered message without reading the
   * object again; then the object is deleted; then the upload ends FAILED, which gives its quota
   * back. Each step is idempotent, and the failure is final: the message is then acknowledged.
   */
  private async rejectChecksum(upload: UploadSession, reason: string): Promise<AssemblyResult> {
    const verdict = { failureCode: 'checksum_mismatch' as const, failureReason: reason, updatedAt: this.nowIso() };
    if (upload.failureCode !== 'checksum_mismatch') {
      const recorded = await this.deps.uploads.transition(upload.uploadId, ['ASSEMBLING'], 'ASSEMBLING', verdict);
      // Not ASSEMBLING any more: another attempt ended it, and its object is not ours to delete.
      if (!recorded) return 'skipped';
    }
    await this.deps.objects.delete(upload.objectKey);
    await this.deps.uploads.end(upload, ['ASSEMBLING'], 'FAILED', verdict);
    this.deps.logger.warn(
      { uploadId: upload.uploadId, userId: upload.userId, failureCode: verdict.failureCode, reason },
      'upload failed: whole-file checksum mismatch',
    );
    return 'failed';
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

  /**
   * Marks the upload FAILED (from any non-final state) and frees its quota and storage. A checksum
   * verdict an earlier attempt recorded keeps its code and reason.
   */
  async fail(uploadId: string, reason: string): Promise<void> {
    const upload = await this.deps.uploads.get(uploadId);
    if (!upload) return;
    const moved = await this.deps.uploads.end(upload, ['UPLOADING', 'ASSEMBLING'], 'FAILED', {
      failureReason: upload.failureCode === '' ? reason : upload.failureReason,
      updatedAt: this.nowIso(),
    });
    if (!moved) return;
    this.deps.logger.warn({ uploadId, userId: upload.userId, reason }, 'upload failed');
    // Best effort, after the upload can no longer complete: the multipart upload (the bucket's
    // lifecycle rule aborts what a crash leaves open) and an object already assembled, which no
    // file record will ever point at.
    const { objectKey, multipartUploadId } = upload;
    await Promise.all([
      this.deps.objects.abortMultipart(objectKey, multipartUploadId),
      this.deps.objects.delete(objectKey),
    ]).catch((err: unknown) => {
      this.deps.logger.warn({ uploadId, err }, 'could not clean up the storage of a failed upload');
    });
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
