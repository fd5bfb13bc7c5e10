import type { Readable } from 'node:stream';

export interface PartTarget {
  bucket: string;
  objectKey: string;
  multipartUploadId: string;
}

/**
 * Streams one part into the multipart upload; resolves with S3's ETag. `sha256` is the part's
 * base64 SHA-256 as the client declared it: storage refuses the part if the bytes differ.
 */
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
    sha256: string,
  ): Promise<string>;
}
