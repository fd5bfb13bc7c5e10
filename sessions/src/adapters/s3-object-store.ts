import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '@lfusys/commons';
import { PermanentAssemblyError } from '../domain/assembler.ts';
import { attachmentDisposition } from '../domain/content-disposition.ts';
import type { ObjectStore, PresignedPart, UploadedPart } from '../ports/object-store.ts';

const PART_LIST_REFUSALS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/** The checksum header of a part PUT; it must stay a signed header of the presigned URL. */
const CHECKSUM_HEADER = 'x-amz-checksum-sha256';

function s3Error(operation: string, err: unknown): AppError {
  return new AppError('unavailable', `object storage unavailable (${operation})`, { cause: err });
}

/** Re-throws a failure in the middle of a body (a reset socket) as the port's `unavailable`. */
async function* streamOf(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw s3Error('read object body', err);
  }
}

function isNoSuchUpload(err: unknown): boolean {
  return err instanceof NoSuchUpload || (err instanceof S3ServiceException && err.name === 'NoSuchUpload');
}

export class S3ObjectStore implements ObjectStore {
  /**
   * @param presigner signs the URLs browsers follow: the same client, or one configured with the
   * endpoint browsers reach (`S3_PUBLIC_ENDPOINT_URL`), since SigV4 signs the host.
   */
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly presigner: S3Client = s3,
  ) {}

  async createMultipart(key: string, contentType: string, options: { reuseOpen?: boolean } = {}): Promise<string> {
    try {
      if (options.reuseOpen) {
        const open = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }));
        const existing = (open.Uploads ?? []).find((u) => u.Key === key && u.UploadId);
        if (existing?.UploadId) return existing.UploadId;
      }
      const out = await this.s3.send(
        // SHA-256 part checksums: S3 then refuses any part whose bytes do not match the checksum its
        // request declares (relay workers and presigned direct PUTs both declare one), and checks
        // the per-part checksums listed at completion (checking-object-integrity.html).
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ContentType: contentType,
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      if (!out.UploadId) throw new Error('no UploadId');
      return out.UploadId;
    } catch (err) {
      throw s3Error('create multipart upload', err);
    }
  }

  async completeMultipart(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string; sha256?: string }>,
  ): Promise<string | null> {
    try {
      const out = await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: parts.map((p) => ({
              PartNumber: p.partNumber,
              ETag: p.etag,
              ...(p.sha256 ? { ChecksumSHA256: p.sha256 } : {}),
            })),
          },
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      if (isNoSuchUpload(err)) return null;
      // S3 refusing the part list (InvalidPart, InvalidPartOrder, EntityTooSmall) will refuse it again.
      if (err instanceof S3ServiceException && PART_LIST_REFUSALS.has(err.name)) {
        throw new PermanentAssemblyError(`storage refused to assemble the parts (${err.name})`);
      }
      throw s3Error('complete multipart upload', err);
    }
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (isNoSuchUpload(err)) return;
      throw s3Error('abort multipart upload', err);
    }
  }

  async head(key: string): Promise<{ size: number; etag: string } | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, etag: out.ETag ?? '' };
    } catch (err) {
      if (err instanceof NotFound || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404))
        return null;
      throw s3Error('head object', err);
    }
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    let body: AsyncIterable<Uint8Array>;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the SDK's streaming body is an IncomingMessage: async-iterable, with backpressure.
      if (!out.Body) throw new Error('GetObject returned no body');
      body = out.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.name === 'NoSuchKey')) {
        throw new AppError('not_found', 'object not found', { cause: err });
      }
      throw s3Error('get object', err);
    }
    return streamOf(body);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      throw s3Error('delete object', err);
    }
  }

  presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: attachmentDisposition(fileName),
    });
    return getSignedUrl(this.presigner, command, { expiresIn: expiresInSeconds });
  }

  async presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    sha256Base64: string,
    expiresInSeconds: number,
    length: number,
  ): Promise<PresignedPart> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ChecksumSHA256: sha256Base64,
      // Signed too (`content-length` among X-Amz-SignedHeaders): a body of another length fails the
      // signature, so a URL cannot park more bytes than the part may have. Browsers and fetch set
      // the header from the body themselves, so it is not among the headers a client must add.
      ContentLength: length,
    });
    // By default the presigner hoists x-amz-* headers into the query string, where they are not
    // checked against the request: kept as a header, the checksum is among X-Amz-SignedHeaders, so
    // the client must send exactly it, and S3 refuses bytes with another SHA-256.
    const url = await getSignedUrl(this.presigner, command, {
      expiresIn: expiresInSeconds,
      unhoistableHeaders: new Set([CHECKSUM_HEADER]),
    });
    return { url, headers: { [CHECKSUM_HEADER]: sha256Base64 } };
  }

  async listUploadedParts(
    key: string,
    uploadId: string,
    range?: { from: number; to: number },
  ): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = [];
    // ListParts pages hold at most 1,000 parts; the marker is the last part number already read.
    let marker: string | undefined = range && range.from > 1 ? String(range.from - 1) : undefined;
    try {
      for (;;) {
        const page = await this.s3.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        );
        for (const p of page.Parts ?? []) {
          if (p.PartNumber === undefined || (range && p.PartNumber > range.to)) continue;
          parts.push({
            partNumber: p.PartNumber,
            size: p.Size ?? 0,
            etag: p.ETag ?? '',
            ...(p.ChecksumSHA256 ? { sha256: p.ChecksumSHA256 } : {}),
          });
        }
        const last = page.Parts?.at(-1)?.PartNumber ?? 0;
        const next = Number(page.NextPartNumberMarker ?? 0);
        // A marker that does not move past the last one read would list the same page forever.
        if (!page.IsTruncated || !(next > Number(marker ?? 0)) || (range && last >= range.to)) return parts;
        marker = String(next);
      }
    } catch (err) {
      if (isNoSuchUpload(err)) {
        throw new AppError('failed_precondition', 'upload is no longer accepting parts', { cause: err });
      }
      throw s3Error('list parts', err);
    }
  }
}
