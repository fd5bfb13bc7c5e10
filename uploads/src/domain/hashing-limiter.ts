import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@lfusys/commons';

/**
 * Passes bytes through while hashing them (SHA-256) and counting them; fails the stream as soon
 * as more than `expected` bytes arrive, so an oversized body is never read to its end.
 *
 * The last piece received is held back until the body ended and its length and digest are
 * verified: S3 completes a part once it has `Content-Length` bytes, so a short body or a checksum
 * mismatch must fail the stream before the final bytes leave. The caller then aborts the S3
 * request and nothing is written (DESIGN.md §4.2: a mismatch is rejected and changes nothing).
 */
export class HashingLimiter extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | undefined;
  bytes = 0;

  constructor(
    private readonly expected: number,
    /** Base64 SHA-256 the body must have. */
    private readonly sha256: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expected) {
      callback(new AppError('payload_too_large', `chunk is larger than its expected ${this.expected} bytes`));
      return;
    }
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.expected) {
      callback(new AppError('invalid_argument', `chunk has ${this.bytes} bytes, expected ${this.expected}`));
      return;
    }
    if (this.hash.digest('base64') !== this.sha256) {
      callback(new AppError('invalid_argument', 'chunk checksum does not match x-chunk-sha256'));
      return;
    }
    callback(null, this.held);
  }
}
