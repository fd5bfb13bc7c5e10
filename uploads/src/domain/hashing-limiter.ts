import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@lfusys/commons';

/**
 * Passes bytes through while hashing them (SHA-256) and counting them; fails the stream as soon
 * as more than `expected` bytes arrive, so an oversized body is never read to its end.
 */
export class HashingLimiter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly expected: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expected) {
      callback(new AppError('payload_too_large', `chunk is larger than its expected ${this.expected} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.expected) {
      callback(new AppError('invalid_argument', `chunk has ${this.bytes} bytes, expected ${this.expected}`));
      return;
    }
    callback();
  }

  /** Base64 SHA-256 of everything that passed; call once, after the stream finished. */
  digest(): string {
    return this.hash.digest('base64');
  }
}
