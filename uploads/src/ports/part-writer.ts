import type { Readable } from 'node:stream';

export interface PartTarget {
  bucket: string;
  objectKey: string;
  multipartUploadId: string;
}

/** Streams one part into the multipart upload; resolves with S3's ETag. */
export interface PartWriter {
  writePart(target: PartTarget, partNumber: number, body: Readable, length: number): Promise<string>;
}
