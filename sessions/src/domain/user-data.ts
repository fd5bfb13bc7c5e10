import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import type { FileService } from './file-service.ts';
import { MAX_UPLOADS_PAGE, type UploadService } from './upload-service.ts';

/**
 * How long a deleted user's tombstone outlives the deletion: longer than any token minted before
 * it can still be used (upload tokens live at most 24 h, `UPLOAD_TOKEN_TTL_SECONDS`), plus a day
 * of margin for clock skew and requests already in flight.
 */
export const TOMBSTONE_SECONDS = 48 * 3600;

export interface UserDataDeps {
  uploads: UploadService;
  files: FileService;
  repository: UploadRepository;
  clock: Clock;
}

/**
 * Removes what a user owns before their account is deleted. The tombstone comes first: from then
 * on an open, a chunk or an assembly racing the deletion (authorised a moment before) is refused
 * atomically, so nothing new can appear behind the sweep below. Then open uploads are cancelled
 * (their multipart uploads aborted; assembling ones are discarded by the assembler) and every
 * file's object and record deleted. Each step is idempotent, so a retry after a crash finishes the
 * job. Upload and part records expire through TTL.
 */
export async function deleteUserData(
  deps: UserDataDeps,
  userId: string,
): Promise<{ uploadsCancelled: number; filesDeleted: number }> {
  await deps.repository.markUserDeleted(userId, Math.floor(deps.clock.now() / 1000) + TOMBSTONE_SECONDS);
  const uploadsCancelled = await cancelUploads(deps.uploads, userId);
  let filesDeleted = 0;
  // Always read the first page: deleting shifts what later cursors would point at.
  for (;;) {
    const page = await deps.files.list(userId, 100, '');
    if (page.files.length === 0) break;
    for (const file of page.files) {
      try {
        await deps.files.delete(file.fileId, userId);
        filesDeleted += 1;
      } catch (err) {
        if (!AppError.isCode(err, 'not_found')) throw err;
      }
    }
  }
  return { uploadsCancelled, filesDeleted };
}

/** Pages through the uploads in progress; a cursor stays valid while the uploads before it leave the index. */
async function cancelUploads(uploads: UploadService, userId: string): Promise<number> {
  let cancelled = 0;
  let cursor = '';
  do {
    const page = await uploads.list(userId, MAX_UPLOADS_PAGE, cursor);
    for (const upload of page.uploads) {
      if (upload.status !== 'UPLOADING') continue;
      try {
        await uploads.cancel(upload.uploadId, userId);
        cancelled += 1;
      } catch (err) {
        // It moved on (assembling, completed) meanwhile: the assembler discards it, or its file is deleted below.
        if (!AppError.isCode(err, 'failed_precondition')) throw err;
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== '');
  return cancelled;
}
