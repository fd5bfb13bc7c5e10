import type { Readable } from 'node:stream';

export interface PartTarget {
  bucket: string;
  objectKey: string;
  multipartUploadId: string;
}

/** Where one chunk is stored: part `partNumber` (index + 1) of the upload's multipart upload. */
export interface PartDestination {
  /** The multipart upload, addressed directly (the SDK writer, which needs S3 write rights). */
  target: PartTarget;
  partNumber: number;
  /**
   * The presigned UploadPart request sessions signed for exactly this chunk (PreparePart): its
   * SHA-256 and length are signed in, and `headers` are every header the PUT must carry.
   */
  signed: { url: string; headers: Record<string, string> };
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
    destination: PartDestination,
    body: Readable,
    length: number,
    signal: AbortSignal,
    sha256: string,
  ): Promise<string>;
}
