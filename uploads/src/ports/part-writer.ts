import type { Readable } from 'node:stream';

export interface PartTarget {
  bucket: string;
  objectKey: string;
  multipartUploadId: string;
}

/** Streams one part into the multipart upload; resolves with S3's ETag. */
export interface PartWriter {
  /**
   * `signal` aborts the request at once (the client left, its body was too slow or failed its
   * checks), so its connection goes back to the pool instead of waiting for a body that never comes.
   */
  writePart(
    target: PartTarget,
    partNumber: number,
    body: Readable,
    length: number,
    signal: AbortSignal,
  ): Promise<string>;
}
