import { AppError } from '@lfusys/commons';
import type { FileService } from './file-service.ts';
import type { UploadService } from './upload-service.ts';

/**
 * Removes what a user owns before their account is deleted: open uploads are cancelled (their
 * multipart uploads aborted) and every file's object and record deleted. Each step is idempotent,
 * so a retry after a crash finishes the job. Upload and part records expire through TTL.
 */
export async function deleteUserData(
  uploads: UploadService,
  files: FileService,
  userId: string,
): Promise<{ uploadsCancelled: number; filesDeleted: number }> {
  let uploadsCancelled = 0;
  for (const upload of await uploads.list(userId)) {
    if (upload.status !== 'UPLOADING') continue;
    try {
      await uploads.cancel(upload.uploadId, userId);
      uploadsCancelled += 1;
    } catch (err) {
      // It moved on (assembling, completed) meanwhile: its file, if any, is deleted below.
      if (!AppError.isCode(err, 'failed_precondition')) throw err;
    }
  }
  let filesDeleted = 0;
  // Always read the first page: deleting shifts what later cursors would point at.
  for (;;) {
    const page = await files.list(userId, 100, '');
    if (page.files.length === 0) break;
    for (const file of page.files) {
      try {
        await files.delete(file.fileId, userId);
        filesDeleted += 1;
      } catch (err) {
        if (!AppError.isCode(err, 'not_found')) throw err;
      }
    }
  }
  return { uploadsCancelled, filesDeleted };
}
