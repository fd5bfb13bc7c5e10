/** A presigned request: the client sends it to `url` with exactly these headers. */
export interface PresignedPart {
  url: string;
  headers: Record<string, string>;
}

/** A part as storage holds it. `sha256` (base64) only where storage reports checksums (S3; not moto). */
export interface UploadedPart {
  partNumber: number;
  size: number;
  etag: string;
  sha256?: string;
}

/**
 * The parts of S3 the sessions service drives (uploads workers and direct clients write the parts).
 * Every multipart upload is created with SHA-256 part checksums, so storage itself refuses part
 * bytes that do not match the checksum their request declares.
 */
export interface ObjectStore {
  readonly bucket: string;
  /**
   * Starts a multipart upload for `key`. With `reuseOpen`, an upload already open for exactly that
   * key is returned instead (an idempotent create retried after a crash that left one behind).
   */
  createMultipart(key: string, contentType: string, options?: { reuseOpen?: boolean }): Promise<string>;
  /**
   * Completes the upload; returns the object's ETag, or null if the multipart upload no longer
   * exists. `sha256` is each part's base64 checksum (S3 requires it for an upload created with one).
   */
  completeMultipart(
    key: string,
    multipartUploadId: string,
    parts: Array<{ partNumber: number; etag: string; sha256?: string }>,
  ): Promise<string | null>;
  /**
   * A presigned UploadPart URL with `sha256Base64` and `length` signed in (signed headers, not
   * query parameters), living `expiresInSeconds`: storage accepts only exactly those bytes.
   */
  presignUploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    sha256Base64: string,
    expiresInSeconds: number,
    length: number,
  ): Promise<PresignedPart>;
  /**
   * The parts storage holds for a multipart upload, ascending (paginates internally). With
   * `range`, only part numbers within it are read (listing starts just before `from`).
   * `failed_precondition` if the multipart upload no longer exists.
   */
  listUploadedParts(
    key: string,
    multipartUploadId: string,
    range?: { from: number; to: number },
  ): Promise<UploadedPart[]>;
  abortMultipart(key: string, multipartUploadId: string): Promise<void>;
  /** Size and ETag of an object, or null if absent. */
  head(key: string): Promise<{ size: number; etag: string } | null>;
  /**
   * The object's bytes as a stream of chunks, never the whole object in memory (a 5 GiB file is
   * read back to verify its SHA-256). Throws AppError `not_found` if the object is absent, and
   * `unavailable` if storage fails, including part-way through the stream.
   */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Deletes the object; deleting an absent one succeeds (a retried clean-up). */
  delete(key: string): Promise<void>;
  presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string>;
}
