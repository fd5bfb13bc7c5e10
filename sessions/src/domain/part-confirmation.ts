import { AppError, type Logger } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore, UploadedPart } from '../ports/object-store.ts';
import { MAX_PARTS_PER_RECORD, type UploadRepository } from '../ports/upload-repository.ts';
import { checkBatch, checkRange, ownedBy, requireUploading } from './part-batch.ts';
import { type RecordedPart, recordCheckedPart } from './part-recording.ts';
import type { PartRecord, SignedPart, UploadSession } from './upload.ts';

export interface PartConfirmationDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  queue: AssemblyQueue;
  clock: Clock;
  logger: Logger;
}

export interface Confirmed {
  receivedChunks: number;
  totalChunks: number;
  complete: boolean;
}

/** Why a confirmed part was refused (`details.reason` of the 409). */
export type PartProblem = 'not_signed' | 'missing' | 'size_mismatch' | 'checksum_mismatch';

/** Records in flight at once: they contend on the session's counter, which conflicts retry. */
const RECORD_CONCURRENCY = 4;

/**
 * The check a relay worker makes while streaming, made after the fact for parts a client PUT
 * straight to storage: each confirmed part must be in storage, of exactly the signed length and,
 * where storage reports one, with exactly the signed checksum. All are checked before any is
 * recorded, so a refused confirmation changes nothing; then each is recorded through the same
 * idempotent write as a relayed chunk, and the confirmation that completes the set queues the
 * assembly (a duplicate message is harmless: assembly is idempotent).
 */
export class PartConfirmation {
  constructor(private readonly deps: PartConfirmationDeps) {}

  async confirm(uploadId: string, userId: string, indexes: number[]): Promise<Confirmed> {
    checkBatch(indexes, 'indexes');
    const wanted = [...new Set(indexes)].sort((a, b) => a - b);
    const view = await this.deps.uploads.readPartBatch(uploadId, wanted, true);
    const upload = ownedBy(view.upload, userId);
    if (upload.transfer !== 'direct') {
      throw new AppError('failed_precondition', 'this upload is relayed: its chunks go to the uploads workers', {
        details: { reason: 'not_direct' },
      });
    }
    checkRange(upload, wanted);
    const pending = wanted.filter((i) => !view.recorded.has(i));
    // A retried confirmation whose answer was lost: nothing to do, even once assembly has begun.
    if (pending.length === 0) return this.answer(upload, upload.receivedChunks === upload.totalChunks);
    requireUploading(upload, this.deps.clock.now());
    const checked = await this.check(upload, pending, view.signed);
    const outcomes = await this.recordAll(upload, checked);
    const received = Math.max(...outcomes.map((o) => o.upload.receivedChunks));
    return this.answer(
      { ...upload, receivedChunks: received },
      outcomes.some((o) => o.complete),
    );
  }

  private async check(
    upload: UploadSession,
    pending: number[],
    signed: Map<number, SignedPart>,
  ): Promise<PartRecord[]> {
    const first = pending[0] ?? 0;
    const last = pending.at(-1) ?? first;
    const stored = await this.deps.objects.listUploadedParts(upload.objectKey, upload.multipartUploadId, {
      from: first + 1,
      to: last + 1,
    });
    const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
    return pending.map((index) => {
      const part = signed.get(index);
      const inStorage = byNumber.get(index + 1);
      const problem = partProblem(part, inStorage);
      if (problem || !part || !inStorage) {
        this.deps.logger.info({ userId: upload.userId, uploadId: upload.uploadId, index, problem }, 'part refused');
        throw new AppError('aborted', `part ${index} ${PROBLEM_TEXT[problem ?? 'missing']}; send it again`, {
          details: { index, reason: problem },
        });
      }
      // The checksum recorded is the signed one: storage refused (S3) any other bytes for that URL.
      return { index, size: inStorage.size, sha256: part.sha256, etag: inStorage.etag };
    });
  }

  /**
   * Records the checked parts in one write when it can (one transaction instead of one per part:
   * the common case); when that write is refused — a part recorded meanwhile, the upload ended, the
   * owner deleted — each part goes through the one-part write, which says which and why.
   */
  private async recordAll(upload: UploadSession, parts: PartRecord[]): Promise<RecordedPart[]> {
    if (parts.length > 1 && parts.length <= MAX_PARTS_PER_RECORD) {
      const batch = await this.deps.uploads.recordParts(upload, parts);
      if (batch.kind === 'recorded') {
        const current = batch.upload;
        return [{ upload: current, complete: current.receivedChunks === current.totalChunks, newlyRecorded: true }];
      }
    }
    const outcomes: RecordedPart[] = [];
    const queue = [...parts];
    const worker = async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        outcomes.push(await recordCheckedPart(this.deps.uploads, this.deps.logger, upload, part));
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECORD_CONCURRENCY, parts.length) }, worker));
    return outcomes;
  }

  private async answer(upload: UploadSession, complete: boolean): Promise<Confirmed> {
    if (complete && upload.status === 'UPLOADING') await this.deps.queue.enqueue(upload.uploadId);
    return { receivedChunks: upload.receivedChunks, totalChunks: upload.totalChunks, complete };
  }
}

const PROBLEM_TEXT: Record<PartProblem, string> = {
  not_signed: 'was never signed',
  missing: 'is not in storage',
  size_mismatch: 'in storage has another length than was signed',
  checksum_mismatch: 'in storage has another SHA-256 than was signed',
};

/**
 * What is wrong with a confirmed part, if anything. Storage that reports no checksum (moto) is
 * checked for presence and exact size only; S3 refused other bytes at the PUT already.
 */
export function partProblem(signed: SignedPart | undefined, stored: UploadedPart | undefined): PartProblem | null {
  if (!signed) return 'not_signed';
  if (!stored) return 'missing';
  if (stored.size !== signed.size) return 'size_mismatch';
  if (stored.sha256 !== undefined && stored.sha256 !== signed.sha256) return 'checksum_mismatch';
  return null;
}
