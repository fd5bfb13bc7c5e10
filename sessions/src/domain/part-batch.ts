import { AppError } from '@lfusys/commons';
import type { UploadRepository } from '../ports/upload-repository.ts';
import type { UploadSession } from './upload.ts';

/** Parts signed or confirmed per call (DESIGN §9.1): a client asks just in time, in small batches. */
export const MAX_PARTS_PER_CALL = 100;

/** 1..100 entries, each index a non-negative integer (the range is checked against the upload). */
export function checkBatch(indexes: number[], field: 'parts' | 'indexes'): void {
  if (indexes.length < 1 || indexes.length > MAX_PARTS_PER_CALL) {
    throw new AppError('invalid_argument', `${field} must have 1 to ${MAX_PARTS_PER_CALL} entries`, {
      details: { field },
    });
  }
  for (const index of indexes) {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new AppError('invalid_argument', 'a part index must be a non-negative integer', {
        details: { field: 'index', index },
      });
    }
  }
}

/** The upload, if `userId` owns it; another user's upload is `not_found`, never a hint it exists. */
export async function ownedUpload(repository: UploadRepository, uploadId: string, userId: string) {
  return ownedBy(await repository.get(uploadId), userId);
}

/** `upload` as read, if `userId` owns it; otherwise (absent, or another user's) `not_found`. */
export function ownedBy(upload: UploadSession | null, userId: string): UploadSession {
  if (!upload || upload.userId !== userId) throw new AppError('not_found', 'upload not found');
  return upload;
}

/** Parts are accepted only while UPLOADING and before the deadline (the sweeper may not have run yet). */
export function requireUploading(upload: UploadSession, nowMs: number): void {
  if (upload.status !== 'UPLOADING') {
    throw new AppError('failed_precondition', `upload is ${upload.status.toLowerCase()}; no more parts are accepted`, {
      details: { status: upload.status },
    });
  }
  if (Date.parse(upload.expiresAt) <= nowMs) {
    throw new AppError('failed_precondition', 'upload has expired; no more parts are accepted', {
      details: { status: 'EXPIRED' },
    });
  }
}

/** Every index within the upload's parts. */
export function checkRange(upload: Pick<UploadSession, 'totalChunks'>, indexes: number[]): void {
  const outside = indexes.find((i) => i >= upload.totalChunks);
  if (outside !== undefined) {
    throw new AppError('invalid_argument', `part index must be 0..${upload.totalChunks - 1}`, {
      details: { field: 'index', index: outside },
    });
  }
}
