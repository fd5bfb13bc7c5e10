import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '@lfusys/commons';
import type { PartDestination, PartWriter } from '../ports/part-writer.ts';

/** One `writePart` call and how it ended. */
export interface MemoryWrite {
  partNumber: number;
  /** Bytes storage read from the body. */
  bytes: number;
  signal: AbortSignal;
  outcome: 'pending' | 'written' | 'aborted' | 'failed';
}

/**
 * Storage's UploadPart in memory, with the rules the uploads workers rely on
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html): it reads the body until
 * the signed length and stores the part under its multipart upload and part number (a later write
 * replaces it), answering the quoted MD5 ETag; bytes of another SHA-256 than the signed one are
 * refused (BadDigest → `invalid_argument`) and not stored; a closed multipart upload answers
 * NoSuchUpload (`failed_precondition`); an aborted signal ends the request at once, storing nothing.
 * Like storage, it waits for a body that stops short of its length. `failNext` makes the next
 * write fail as a storage outage would.
 */
export class MemoryPartWriter implements PartWriter {
  readonly writes: MemoryWrite[] = [];
  /** Stored parts: multipart upload id → part number → bytes. */
  readonly parts = new Map<string, Map<number, Buffer>>();
  /** Multipart uploads that were completed or aborted. */
  readonly closed = new Set<string>();
  failNext: Error | undefined;

  /** Writes still reading their body. */
  get running(): number {
    return this.writes.filter((w) => w.outcome === 'pending').length;
  }

  writePart(destination: PartDestination, body: Readable, length: number, signal: AbortSignal, sha256: string) {
    const { partNumber, target } = destination;
    const write: MemoryWrite = { partNumber, bytes: 0, signal, outcome: 'pending' };
    this.writes.push(write);
    const failure = this.failNext;
    this.failNext = undefined;
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const settle = (outcome: MemoryWrite['outcome'], err?: unknown, etag = '') => {
        if (write.outcome !== 'pending') return;
        write.outcome = outcome;
        body.off('data', onData);
        signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(etag);
        else reject(err);
      };
      const onAbort = () => settle('aborted', AppError.from(signal.reason));
      const onData = (chunk: Buffer) => {
        write.bytes += chunk.length;
        chunks.push(chunk);
        if (write.bytes >= length)
          this.store(target.multipartUploadId, partNumber, Buffer.concat(chunks), sha256, settle);
      };
      if (signal.aborted) return onAbort();
      if (failure) return settle('failed', failure);
      if (this.closed.has(target.multipartUploadId)) {
        return settle('failed', new AppError('failed_precondition', 'upload is no longer accepting chunks'));
      }
      signal.addEventListener('abort', onAbort, { once: true });
      body.on('data', onData);
    });
  }

  private store(
    multipartUploadId: string,
    partNumber: number,
    bytes: Buffer,
    sha256: string,
    settle: (outcome: MemoryWrite['outcome'], err?: unknown, etag?: string) => void,
  ): void {
    if (createHash('sha256').update(bytes).digest('base64') !== sha256) {
      settle('failed', new AppError('invalid_argument', 'chunk body does not match x-chunk-sha256'));
      return;
    }
    const parts = this.parts.get(multipartUploadId) ?? new Map<number, Buffer>();
    parts.set(partNumber, bytes);
    this.parts.set(multipartUploadId, parts);
    settle('written', undefined, `"${createHash('md5').update(bytes).digest('hex')}"`);
  }
}
