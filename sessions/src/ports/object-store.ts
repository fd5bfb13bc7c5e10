/** The parts of S3 the sessions service drives (uploads workers write the parts themselves). */
export interface ObjectStore {
  readonly bucket: string;
  /**
   * Starts a multipart upload for `key`. With `reuseOpen`, an upload already open for exactly that
   * key is returned instead (an idempotent create retried after a crash that left one behind).
   */
  createMultipart(key: string, contentType: string, options?: { reuseOpen?: boolean }): Promise<string>;
  /** Completes the upload; returns the object's ETag, or null if the multipart upload no longer exists. */
  completeMultipart(
    key: string,
    multipartUploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<string | null>;
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
