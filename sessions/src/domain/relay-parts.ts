import { AppError, expectedChunkLength, SHA256_BASE64 } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { checkRange, requireUploading } from './part-batch.ts';
import { MAX_PART_URL_SECONDS, type PartUrl, partUrlLifetime } from './part-urls.ts';
import type { PartRecord } from './upload.ts';

/** A relay chunk a worker is about to store: the token's user, and what the client declared. */
export interface RelayChunk {
  uploadId: string;
  userId: string;
  index: number;
  /** Base64 SHA-256 of the chunk. */
  sha256: string;
  /** The chunk's length (Content-Length). */
  length: number;
}

/** Either the index is recorded already (nothing signed), or where to PUT the chunk. */
export type PreparedPart = { kind: 'recorded'; part: PartRecord } | { kind: 'signed'; url: Omit<PartUrl, 'index'> };

export interface RelayPartsDeps {
  uploads: UploadRepository;
  /**
   * Signs for the endpoint the workers reach (the service's own S3 client), not the public one
   * browsers reach: SigV4 signs the host, and in compose the two differ.
   */
  objects: ObjectStore;
  clock: Clock;
}

/**
 * The one call a relay worker makes per chunk before it stores the body (issue 13): it checks the
 * chunk against the session and answers either "already recorded" or a presigned UploadPart URL
 * with the chunk's SHA-256 and length signed in, so the workers hold no standing S3 write right.
 * Nothing is written here: the worker records the part (RecordPart) after storage's 200.
 */
export class RelayParts {
  constructor(private readonly deps: RelayPartsDeps) {}

  async prepare(chunk: RelayChunk): Promise<PreparedPart> {
    if (!SHA256_BASE64.test(chunk.sha256)) {
      throw new AppError('invalid_argument', 'x-chunk-sha256 must be the base64 SHA-256 of the body', {
        details: { field: 'sha256' },
      });
    }
    // Both reads at once: this is on every chunk's path.
    const [upload, recorded] = await Promise.all([
      this.deps.uploads.get(chunk.uploadId),
      this.deps.uploads.getPart(chunk.uploadId, chunk.index),
    ]);
    if (!upload || upload.userId !== chunk.userId) throw new AppError('not_found', 'upload not found');
    const now = this.deps.clock.now();
    // A part already in an upload being (or done being) assembled is final: a retry whose answer
    // was lost meets it again — the worker compares the bytes and records nothing new — as a
    // repeated direct confirmation does. Anything else needs the upload still open.
    const assembled = upload.status === 'ASSEMBLING' || upload.status === 'COMPLETED';
    if (!(recorded && assembled)) requireUploading(upload, now);
    checkRange(upload, [chunk.index]);
    const expected = expectedChunkLength(upload, chunk.index);
    // The worker's own codes (chunk-receiver.ts): too long is 413, too short is 400.
    if (chunk.length !== expected) {
      throw new AppError(
        chunk.length > expected ? 'payload_too_large' : 'invalid_argument',
        `chunk ${chunk.index} must be ${expected} bytes`,
        { details: { field: 'length', index: chunk.index, expected } },
      );
    }
    if (recorded) return { kind: 'recorded', part: recorded };
    // S3 checks a presigned URL's expiry when the request arrives, not when its body ends (see
    // docs/security.md), and a worker sends the PUT's headers as soon as it holds a storage slot:
    // the URL need only outlive that wait (S3_SLOT_WAIT_MS, at most 60 s). The longest life allowed
    // costs nothing more here, since the URL goes to one worker and is never logged.
    const { expiresIn, expiresAt } = partUrlLifetime(upload, now, MAX_PART_URL_SECONDS);
    const signed = await this.deps.objects.presignUploadPart(
      upload.objectKey,
      upload.multipartUploadId,
      chunk.index + 1,
      chunk.sha256,
      expiresIn,
      expected,
    );
    return { kind: 'signed', url: { url: signed.url, method: 'PUT', headers: signed.headers, expiresAt } };
  }
}
