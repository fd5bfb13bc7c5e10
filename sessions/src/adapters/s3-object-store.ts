import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '@lfusys/commons';
import { PermanentAssemblyError } from '../domain/assembler.ts';
import { attachmentDisposition } from '../domain/content-disposition.ts';
import type { ObjectStore } from '../ports/object-store.ts';

const PART_LIST_REFUSALS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

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

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async createMultipart(key: string, contentType: string, options: { reuseOpen?: boolean } = {}): Promise<string> {
    try {
      if (options.reuseOpen) {
        const open = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }));
        const existing = (open.Uploads ?? []).find((u) => u.Key === key && u.UploadId);
        if (existing?.UploadId) return existing.UploadId;
      }
      const out = await this.s3.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
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
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<string | null> {
    try {
      const out = await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      if (err instanceof NoSuchUpload || (err instanceof S3ServiceException && err.name === 'NoSuchUpload'))
        return null;
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
      if (err instanceof NoSuchUpload || (err instanceof S3ServiceException && err.name === 'NoSuchUpload')) return;
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
    return getSignedUrl(this.s3, command, { expiresIn: expiresInSeconds });
  }
}
