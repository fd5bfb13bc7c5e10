import { AppError } from '@lfusys/commons';
import { sanitizeFileName } from './file-name.ts';

/** Base64 SHA-256 (44 characters with padding). */
export const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateUploadInput {
  userId: string;
  fileName: string;
  size: number;
  contentType: string;
  sha256: string;
  /** See CreateUploadRequest.idempotency_key; empty for none. */
  idempotencyKey?: string;
}

/** Validates what a client may get wrong; returns the sanitised file name. */
export function checkCreateInput(input: CreateUploadInput, limits: { maxFileBytes: number }): string {
  const fileName = sanitizeFileName(input.fileName);
  const key = input.idempotencyKey ?? '';
  if (key !== '' && !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError('invalid_argument', 'idempotencyKey must be 1-128 characters of A-Z a-z 0-9 . _ : -', {
      details: { field: 'idempotencyKey' },
    });
  }
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
  return fileName;
}
