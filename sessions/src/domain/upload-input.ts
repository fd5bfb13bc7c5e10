import { AppError, SHA256_HEX } from '@lfusys/commons';
import { sanitizeFileName } from './file-name.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateUploadInput {
  userId: string;
  fileName: string;
  size: number;
  contentType: string;
  /** Hex SHA-256 of the whole file, any case; empty for none. */
  sha256: string;
  /** See CreateUploadRequest.idempotency_key; empty for none. */
  idempotencyKey?: string;
  /** The caller's cap on the user's quota (CreateUploadRequest.quota_bytes); 0 or absent = none. */
  quotaBytes?: number;
}

/**
 * A declared whole-file SHA-256 in its one stored form: lower-case hex. Case is normalised so the
 * same digest typed by `sha256sum` or by a browser compares equal (idempotent replays, PATCH no-ops).
 */
export function checkSha256Hex(value: string): string {
  if (!SHA256_HEX.test(value)) {
    throw new AppError('invalid_argument', 'sha256 must be a hex SHA-256 digest (64 characters 0-9 a-f)', {
      details: { field: 'sha256' },
    });
  }
  return value.toLowerCase();
}

/** Validates what a client may get wrong; returns the sanitised file name and the normalised hash. */
export function checkCreateInput(
  input: CreateUploadInput,
  limits: { maxFileBytes: number },
): { fileName: string; sha256: string } {
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
  return { fileName, sha256: input.sha256 === '' ? '' : checkSha256Hex(input.sha256) };
}
