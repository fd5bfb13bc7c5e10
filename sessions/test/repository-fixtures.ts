import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { objectKeyFor, type PartRecord, type StoredFile, type UploadSession } from '../src/domain/upload.ts';
import type { FileRepository } from '../src/ports/file-repository.ts';
import type { UploadRepository } from '../src/ports/upload-repository.ts';

/** The two repositories over one store, as the two DynamoDB tables are. */
export interface Repositories {
  uploads: UploadRepository;
  files: FileRepository;
}

/** An UPLOADING session of 3 chunks (3,000 bytes) for `userId`, expiring in 2030 unless told. */
export function sessionFor(userId: string, overrides: Partial<UploadSession> = {}): UploadSession {
  const uploadId = randomUUID();
  return {
    uploadId,
    userId,
    fileName: 'f.bin',
    size: 3000,
    contentType: 'application/octet-stream',
    chunkSize: 1024,
    totalChunks: 3,
    receivedChunks: 0,
    receivedBytes: 0,
    status: 'UPLOADING',
    createdAt: '2026-12-01T10:00:00.000Z',
    expiresAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    objectKey: objectKeyFor(userId, uploadId),
    multipartUploadId: 'mpu-1',
    sha256: '',
    fileId: '',
    failureReason: '',
    failureCode: '',
    transfer: 'relay',
    ...overrides,
  };
}

export const part = (index: number, size = 1024): PartRecord => ({
  index,
  size,
  sha256: `sha-${index}`,
  etag: `"etag-${index}"`,
});

export function fileOf(upload: UploadSession, createdAt = '2026-12-01T11:00:00.000Z'): StoredFile {
  return {
    fileId: randomUUID(),
    userId: upload.userId,
    name: upload.fileName,
    size: upload.size,
    contentType: upload.contentType,
    objectKey: upload.objectKey,
    createdAt,
    sha256: '',
    uploadId: upload.uploadId,
  };
}

/**
 * Every item of a listing, following its cursors to the empty one. A page that ends exactly at
 * the end may or may not carry a cursor (DynamoDB's LastEvaluatedKey may), so neither is assumed.
 */
export async function everyPage<T>(
  read: (cursor: string) => Promise<{ items: T[]; nextCursor: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor = '';
  for (let pages = 0; pages < 20; pages++) {
    const page = await read(cursor);
    all.push(...page.items);
    if (page.nextCursor === '') return all;
    cursor = page.nextCursor;
  }
  throw new Error('listing did not end within 20 pages');
}

/** The per-user limits the repository contracts open uploads under. */
export const CONTRACT_LIMITS = { quotaBytes: 10_000, maxInProgress: 3 };

/** A fresh user with one open upload (a {@link sessionFor} with `overrides`), created under CONTRACT_LIMITS. */
export async function opened(repo: UploadRepository, overrides: Partial<UploadSession> = {}): Promise<UploadSession> {
  const upload = sessionFor(randomUUID(), overrides);
  expect(await repo.create(upload, CONTRACT_LIMITS)).toBe('created');
  return upload;
}
