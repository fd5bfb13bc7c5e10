/** Upload lifecycle: UPLOADING → ASSEMBLING → COMPLETED, or FAILED / EXPIRED / CANCELLED. */
export type UploadStatus = 'UPLOADING' | 'ASSEMBLING' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'CANCELLED';

/** How parts reach S3: through the uploads workers, or PUT by the client on presigned URLs (DESIGN §9.1). */
export type Transfer = 'relay' | 'direct';

export interface UploadSession {
  uploadId: string;
  userId: string;
  fileName: string;
  size: number;
  contentType: string;
  chunkSize: number;
  totalChunks: number;
  receivedChunks: number;
  receivedBytes: number;
  status: UploadStatus;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  /** Server-generated object key; never derived from the user's file name. */
  objectKey: string;
  multipartUploadId: string;
  /** Hex SHA-256 of the whole file as the client declared it (lower case); empty for none. */
  sha256: string;
  fileId: string;
  /** Why it FAILED, readable by the user; empty otherwise. */
  failureReason: string;
  /** Machine-readable reason for FAILED; empty otherwise (also for failures that predate codes). */
  failureCode: FailureCode | '';
  transfer: Transfer;
}

/**
 * The closed set of machine-readable failure reasons a client may act on (Upload.failure_code).
 * `checksum_mismatch`: the assembled object's SHA-256 is not the one the client declared.
 */
export type FailureCode = 'checksum_mismatch';

export interface PartRecord {
  index: number;
  size: number;
  /** Base64 SHA-256 of the part. */
  sha256: string;
  etag: string;
}

/** What a presigned part URL was signed for: the index, its exact length and base64 SHA-256. */
export interface SignedPart {
  index: number;
  size: number;
  sha256: string;
}

export interface StoredFile {
  fileId: string;
  userId: string;
  name: string;
  size: number;
  contentType: string;
  objectKey: string;
  createdAt: string;
  /** Hex SHA-256 that the assembly verified against the stored bytes; empty when none was declared. */
  sha256: string;
  uploadId: string;
}

/** S3 limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
export const MAX_PARTS = 10_000;

export interface ChunkPolicy {
  /** Preferred chunk size (tuned by `make bench`). */
  defaultChunkBytes: number;
  /** Chunk sizes are rounded up to a multiple of this (1 MiB in production). */
  alignBytes: number;
}

/**
 * The chunk size for a file: the default, or larger when the file would need more than 10,000
 * parts, rounded up to the alignment. Every part but the last has exactly this size.
 */
export function planChunks(size: number, policy: ChunkPolicy): { chunkSize: number; totalChunks: number } {
  const needed = Math.max(policy.defaultChunkBytes, Math.ceil(size / MAX_PARTS));
  const chunkSize = Math.ceil(needed / policy.alignBytes) * policy.alignBytes;
  return { chunkSize, totalChunks: Math.max(1, Math.ceil(size / chunkSize)) };
}

/** Object keys depend only on server-generated ids, so retries land on the same key. */
export function objectKeyFor(userId: string, uploadId: string): string {
  return `files/${userId}/${uploadId}`;
}
