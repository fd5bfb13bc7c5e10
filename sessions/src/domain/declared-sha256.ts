import { AppError, SHA256_HEX } from '@lfusys/commons';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { ownedUpload } from './part-batch.ts';
import type { UploadSession } from './upload.ts';

/**
 * Declares the whole file's SHA-256 (DESIGN §9.2), which the assembly verifies. Only before the
 * set of parts completes: after that an assembly may already have read the upload without it.
 * The same value again is a no-op (a retried request); another value once one is declared is
 * `already_exists`, so a declared hash can never be swapped for one that matches other bytes.
 */
export async function declareSha256(
  uploads: UploadRepository,
  uploadId: string,
  userId: string,
  sha256: string,
): Promise<UploadSession> {
  if (!SHA256_HEX.test(sha256)) {
    throw new AppError('invalid_argument', 'sha256 must be 64 hex characters', { details: { field: 'sha256' } });
  }
  const hex = sha256.toLowerCase();
  const upload = await ownedUpload(uploads, uploadId, userId);
  if (upload.sha256 === hex) return upload;
  if (upload.sha256 === '' && (await uploads.declareSha256(uploadId, hex))) return { ...upload, sha256: hex };
  // Refused or already set: explain from the upload as it is now (a concurrent declaration may have won).
  const now = (await uploads.get(uploadId)) ?? upload;
  if (now.sha256 === hex) return now;
  if (now.sha256 !== '') {
    throw new AppError('already_exists', 'another sha256 was already declared for this upload', {
      details: { field: 'sha256' },
    });
  }
  if (now.status !== 'UPLOADING') {
    throw new AppError(
      'failed_precondition',
      `upload is ${now.status.toLowerCase()}; its sha256 can no longer be declared`,
      {
        details: { status: now.status },
      },
    );
  }
  throw new AppError('failed_precondition', 'every part is already received; declare the sha256 before the last one', {
    details: { reason: 'parts_complete' },
  });
}
