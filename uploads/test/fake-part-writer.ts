import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { PartDestination, PartWriter } from '../src/ports/part-writer.ts';

export interface FakeWrite {
  partNumber: number;
  bytes: number;
  signal: AbortSignal;
  outcome: 'pending' | 'written' | 'aborted' | 'failed';
}

/**
 * An in-memory S3 that behaves like UploadPart: it reads the body, completes the part once it has
 * `length` bytes, and stops (settles) as soon as its signal aborts. `failNext` makes a write fail.
 */
export class FakePartWriter implements PartWriter {
  readonly writes: FakeWrite[] = [];
  failNext: Error | undefined;

  get running(): number {
    return this.writes.filter((w) => w.outcome === 'pending').length;
  }

  writePart({ partNumber }: PartDestination, body: Readable, length: number, signal: AbortSignal) {
    const write: FakeWrite = { partNumber, bytes: 0, signal, outcome: 'pending' };
    this.writes.push(write);
    const failure = this.failNext;
    this.failNext = undefined;
    return new Promise<string>((resolve, reject) => {
      const hash = createHash('sha256');
      const settle = (outcome: FakeWrite['outcome'], err?: unknown, etag?: string) => {
        if (write.outcome !== 'pending') return;
        write.outcome = outcome;
        body.off('data', onData);
        if (err !== undefined) reject(err);
        else resolve(etag ?? '');
      };
      const onData = (chunk: Buffer) => {
        write.bytes += chunk.length;
        hash.update(chunk);
        if (write.bytes === length) settle('written', undefined, `"${hash.digest('hex')}"`);
      };
      if (failure) return settle('failed', failure);
      signal.addEventListener('abort', () => settle('aborted', signal.reason), { once: true });
      body.on('data', onData);
    });
  }
}
