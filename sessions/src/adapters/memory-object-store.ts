import { createHash } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import { compositeEtag, PermanentAssemblyError } from '../domain/assembler.ts';
import type { ObjectStore, PresignedPart, UploadedPart } from '../ports/object-store.ts';

interface StoredPart {
  bytes: Uint8Array;
  /** Quoted, as S3 answers UploadPart. */
  etag: string;
  /** Base64 SHA-256 of the bytes, as S3 keeps it for an upload created with ChecksumAlgorithm SHA256. */
  sha256: string;
}

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  contentType: string;
}

/** How many bytes `read` yields at a time: small enough that every test crosses chunk borders. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * S3 as sessions drives it, in memory, with S3's rules where sessions depends on them
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html): completing
 * an upload that no longer exists is `null` (NoSuchUpload); a part list that names a part never
 * uploaded, or with another ETag, or out of order is refused for good (InvalidPart,
 * InvalidPartOrder); the object's ETag is the multipart composite; completing replaces the object
 * and closes the upload; a listed part checksum must be the stored part's. Parts are written with
 * `putPart`, as the uploads workers (or a browser in direct mode) would. `reportsChecksums = false`
 * makes ListParts omit checksums, as moto does.
 */
export class MemoryObjectStore implements ObjectStore {
  readonly bucket = 'memory';
  /** Open multipart uploads: id → object key. */
  readonly open = new Map<string, string>();
  /** Parts written to each open multipart upload, by part number. */
  readonly parts = new Map<string, Map<number, StoredPart>>();
  readonly objects = new Map<string, StoredObject>();
  private readonly contentTypes = new Map<string, string>();
  /** Multipart uploads ever created. */
  created = 0;
  /** Whether ListParts reports part checksums: S3 does, moto does not. */
  reportsChecksums = true;
  /** Every part URL signed, in order. */
  readonly presigned: Array<{ key: string; partNumber: number; sha256: string; expiresIn: number; length: number }> =
    [];
  /** ListParts calls made. */
  listCalls = 0;

  async createMultipart(key: string, contentType: string, options: { reuseOpen?: boolean } = {}): Promise<string> {
    if (options.reuseOpen) {
      const existing = [...this.open].find(([, openKey]) => openKey === key);
      if (existing) return existing[0];
    }
    const id = `mpu-${++this.created}`;
    this.open.set(id, key);
    this.parts.set(id, new Map());
    this.contentTypes.set(id, contentType);
    return id;
  }

  /** UploadPart: stores (or replaces) part `partNumber` and returns its quoted ETag (the MD5 of its bytes). */
  putPart(multipartUploadId: string, partNumber: number, bytes: Uint8Array): string {
    const parts = this.parts.get(multipartUploadId);
    if (!parts) throw new AppError('not_found', `no multipart upload ${multipartUploadId}`);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    const sha256 = createHash('sha256').update(bytes).digest('base64');
    parts.set(partNumber, { bytes: Uint8Array.from(bytes), etag, sha256 });
    return etag;
  }

  async presignUploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    sha256: string,
    expiresIn: number,
    length: number,
  ): Promise<PresignedPart> {
    this.presigned.push({ key, partNumber, sha256, expiresIn, length });
    const query = new URLSearchParams({ uploadId: multipartUploadId, partNumber: String(partNumber) });
    query.set('signature', String(this.presigned.length));
    return { url: `memory://${this.bucket}/${key}?${query}`, headers: { 'x-amz-checksum-sha256': sha256 } };
  }

  async listUploadedParts(
    _key: string,
    multipartUploadId: string,
    range?: { from: number; to: number },
  ): Promise<UploadedPart[]> {
    this.listCalls += 1;
    const parts = this.parts.get(multipartUploadId);
    if (!parts) throw new AppError('failed_precondition', `no multipart upload ${multipartUploadId}`);
    return [...parts]
      .filter(([n]) => !range || (n >= range.from && n <= range.to))
      .sort(([a], [b]) => a - b)
      .map(([partNumber, p]) => ({
        partNumber,
        size: p.bytes.length,
        etag: p.etag,
        ...(this.reportsChecksums ? { sha256: p.sha256 } : {}),
      }));
  }

  async completeMultipart(
    key: string,
    multipartUploadId: string,
    list: Array<{ partNumber: number; etag: string; sha256?: string }>,
  ): Promise<string | null> {
    const parts = this.parts.get(multipartUploadId);
    if (!parts || this.open.get(multipartUploadId) !== key) return null;
    list.forEach((entry, i) => {
      const previous = list[i - 1];
      if (previous && previous.partNumber >= entry.partNumber) {
        throw new PermanentAssemblyError('storage refused to assemble the parts (InvalidPartOrder)');
      }
      const stored = parts.get(entry.partNumber);
      if (stored?.etag !== entry.etag || (entry.sha256 !== undefined && stored.sha256 !== entry.sha256)) {
        throw new PermanentAssemblyError('storage refused to assemble the parts (InvalidPart)');
      }
    });
    const chosen = list.map((entry) => parts.get(entry.partNumber) as StoredPart);
    const etag = `"${compositeEtag(chosen.map((p) => p.etag))}"`;
    this.objects.set(key, {
      bytes: Buffer.concat(chosen.map((p) => p.bytes)),
      etag,
      contentType: this.contentTypes.get(multipartUploadId) ?? 'application/octet-stream',
    });
    this.forget(multipartUploadId);
    return etag;
  }

  async abortMultipart(_key: string, multipartUploadId: string): Promise<void> {
    this.forget(multipartUploadId);
  }

  async head(key: string): Promise<{ size: number; etag: string } | null> {
    const object = this.objects.get(key);
    return object ? { size: object.bytes.length, etag: object.etag } : null;
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    const object = this.objects.get(key);
    if (!object) throw new AppError('not_found', 'object not found');
    const { bytes } = object;
    return (async function* () {
      for (let at = 0; at < bytes.length; at += READ_CHUNK_BYTES) yield bytes.slice(at, at + READ_CHUNK_BYTES);
    })();
  }

  /** A single PUT of a whole object (as a test's setup, or an object an earlier attempt left). */
  putObject(key: string, bytes: Uint8Array, contentType = 'application/octet-stream'): void {
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    this.objects.set(key, { bytes: Uint8Array.from(bytes), etag, contentType });
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    const query = new URLSearchParams({ name: fileName, expiresIn: String(expiresInSeconds) });
    return `memory://${this.bucket}/${key}?${query}`;
  }

  private forget(multipartUploadId: string): void {
    this.open.delete(multipartUploadId);
    this.parts.delete(multipartUploadId);
    this.contentTypes.delete(multipartUploadId);
  }
}
