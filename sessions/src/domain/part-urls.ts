import { AppError, expectedChunkLength, SHA256_BASE64 } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { checkBatch, checkRange, ownedBy, requireUploading } from './part-batch.ts';
import type { PartRecord, UploadSession } from './upload.ts';

/** The most a part URL may live (DESIGN §9.1); `PART_URL_TTL_SECONDS` may shorten it. */
export const MAX_PART_URL_SECONDS = 900;

/**
 * How long a part URL signed at `nowMs` lives: `ttlSeconds`, at most 15 minutes, and never past the
 * upload's own deadline (a URL outliving its upload would only meet a 404).
 */
export function partUrlLifetime(
  upload: Pick<UploadSession, 'expiresAt'>,
  nowMs: number,
  ttlSeconds: number,
): { expiresIn: number; expiresAt: string } {
  const remaining = Math.floor((Date.parse(upload.expiresAt) - nowMs) / 1000);
  const expiresIn = Math.max(1, Math.min(ttlSeconds, MAX_PART_URL_SECONDS, remaining));
  return { expiresIn, expiresAt: new Date(nowMs + expiresIn * 1000).toISOString() };
}

export interface PartToSign {
  index: number;
  /** Base64 SHA-256 of the part's bytes. */
  sha256: string;
  /** The exact length expected for this index. */
  length: number;
}

export interface PartUrl {
  index: number;
  url: string;
  method: 'PUT';
  /** Every header the PUT must carry (the signed checksum among them). */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface PartUrlsDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  clock: Clock;
  /** `PART_URL_TTL_SECONDS`. */
  ttlSeconds: number;
}

/**
 * Presigned UploadPart URLs, each with its part's SHA-256 signed in, so storage accepts only the
 * bytes that were declared here (and each URL is good for one part of one upload, briefly).
 * What was signed is remembered per index for ConfirmParts to check storage against.
 */
export class PartUrls {
  constructor(private readonly deps: PartUrlsDeps) {}

  async sign(uploadId: string, userId: string, parts: PartToSign[]): Promise<PartUrl[]> {
    const indexes = parts.map((p) => p.index);
    checkBatch(indexes, 'parts');
    if (new Set(indexes).size !== indexes.length) {
      throw new AppError('invalid_argument', 'each part may be listed once', { details: { field: 'parts' } });
    }
    const malformed = parts.find((p) => !SHA256_BASE64.test(p.sha256));
    if (malformed) {
      throw new AppError('invalid_argument', 'sha256 must be the base64 SHA-256 of the part', {
        details: { field: 'sha256', index: malformed.index },
      });
    }
    const view = await this.deps.uploads.readPartBatch(uploadId, indexes, false);
    const upload = ownedBy(view.upload, userId);
    const now = this.deps.clock.now();
    requireUploading(upload, now);
    checkRange(upload, indexes);
    checkLengths(upload, parts);
    refuseRecordedElsewise(view.recorded, parts);
    await this.deps.uploads.saveSignedParts(
      upload,
      parts.map((p) => ({ index: p.index, size: p.length, sha256: p.sha256 })),
    );
    const { expiresIn, expiresAt } = partUrlLifetime(upload, now, this.deps.ttlSeconds);
    return Promise.all(
      parts.map(async (p) => {
        const signed = await this.deps.objects.presignUploadPart(
          upload.objectKey,
          upload.multipartUploadId,
          p.index + 1,
          p.sha256,
          expiresIn,
          p.length,
        );
        return { index: p.index, url: signed.url, method: 'PUT' as const, headers: signed.headers, expiresAt };
      }),
    );
  }
}

function checkLengths(upload: UploadSession, parts: PartToSign[]): void {
  for (const p of parts) {
    const expected = expectedChunkLength(upload, p.index);
    if (p.length !== expected) {
      throw new AppError('invalid_argument', `part ${p.index} must be ${expected} bytes`, {
        details: { field: 'length', index: p.index, expected },
      });
    }
  }
}

/** An index recorded with other bytes stays as it is: signing new ones could only fail the upload. */
function refuseRecordedElsewise(recorded: Map<number, PartRecord>, parts: PartToSign[]): void {
  const different = parts.find((p) => {
    const existing = recorded.get(p.index);
    return existing !== undefined && existing.sha256 !== p.sha256;
  });
  if (different) {
    throw new AppError('already_exists', `part ${different.index} was already received with different content`, {
      details: { index: different.index },
    });
  }
}
