import { AppError, type Logger } from '@lfusys/commons';
import type { UploadRepository } from '../ports/upload-repository.ts';
import type { PartRecord, UploadSession } from './upload.ts';

export interface RecordedPart {
  upload: UploadSession;
  complete: boolean;
  /** False when this exact part had been recorded before (a retry). */
  newlyRecorded: boolean;
}

/**
 * Records one part that its caller has already checked (a worker that hashed the bytes it
 * streamed, or a confirmation that found the part in storage), through the repository's one
 * atomic, idempotent write, and maps the outcome to the API's errors. Both transfers record
 * through here, so a part counts once whichever path brought it.
 */
export async function recordCheckedPart(
  repository: UploadRepository,
  logger: Logger,
  upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt'>,
  part: PartRecord,
): Promise<RecordedPart> {
  const outcome = await repository.recordPart(upload, part);
  if (outcome.kind === 'user_deleted') {
    logger.info({ userId: upload.userId, uploadId: upload.uploadId, limit: 'deleted user' }, 'chunk refused');
    throw new AppError('failed_precondition', 'the account has been deleted; no more chunks are accepted', {
      details: { reason: 'user_deleted' },
    });
  }
  if (outcome.kind === 'not_uploading') {
    const status = outcome.upload?.status ?? 'missing';
    throw new AppError('failed_precondition', `upload is ${status.toLowerCase()}; no more chunks are accepted`, {
      details: { status },
    });
  }
  if (outcome.kind === 'duplicate' && outcome.existing.sha256 !== part.sha256) {
    throw new AppError('aborted', `chunk ${part.index} was already received with different content`, {
      details: { index: part.index },
    });
  }
  const current = outcome.upload;
  return {
    upload: current,
    complete: current.receivedChunks === current.totalChunks,
    newlyRecorded: outcome.kind === 'recorded',
  };
}
