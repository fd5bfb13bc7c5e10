import type { Readable } from 'node:stream';
import { NoSuchUpload, type S3Client, S3ServiceException, UploadPartCommand } from '@aws-sdk/client-s3';
import { AppError } from '@lfusys/commons';
import type { PartDestination, PartWriter } from '../ports/part-writer.ts';
import { CHECKSUM_REFUSALS } from './storage-refusals.ts';

/**
 * UploadPart through the SDK with the worker's own S3 write right (`UPLOADS_PART_WRITER=sdk`, kept
 * for now to measure against the signed-URL writer; see uploads/README.md).
 */
export class S3PartWriter implements PartWriter {
  constructor(private readonly s3: S3Client) {}

  async writePart(
    { target, partNumber }: PartDestination,
    body: Readable,
    length: number,
    signal: AbortSignal,
    sha256: string,
  ): Promise<string> {
    try {
      const out = await this.s3.send(
        new UploadPartCommand({
          Bucket: target.bucket,
          Key: target.objectKey,
          UploadId: target.multipartUploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: length,
          // The multipart upload is created with SHA-256 part checksums: S3 checks the streamed
          // bytes against this one (BadDigest otherwise) and CompleteMultipartUpload lists it. Set
          // here, it also keeps the SDK from adding a checksum of its own (flexible checksums skip
          // a request that already carries an x-amz-checksum-* header).
          ChecksumSHA256: sha256,
        }),
        // The SDK destroys the socket on abort, and does not retry an aborted request.
        { abortSignal: signal },
      );
      if (!out.ETag) throw new Error('UploadPart returned no ETag');
      return out.ETag;
    } catch (err) {
      if (err instanceof AppError) throw err;
      // Aborted by the caller: its reason says why (the client left, the body failed a check).
      if (signal.aborted) throw AppError.from(signal.reason);
      if (err instanceof NoSuchUpload || (err instanceof S3ServiceException && err.name === 'NoSuchUpload')) {
        throw new AppError('failed_precondition', 'upload is no longer accepting chunks', { cause: err });
      }
      // Storage found other bytes than the declared checksum (the worker's own hashing normally
      // refuses them first): the client's fault, nothing stored.
      if (err instanceof S3ServiceException && CHECKSUM_REFUSALS.has(err.name)) {
        throw new AppError('invalid_argument', 'chunk body does not match x-chunk-sha256', { cause: err });
      }
      throw new AppError('unavailable', 'object storage unavailable', { cause: err });
    }
  }
}
