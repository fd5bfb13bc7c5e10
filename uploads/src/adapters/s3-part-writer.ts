import type { Readable } from 'node:stream';
import { NoSuchUpload, type S3Client, S3ServiceException, UploadPartCommand } from '@aws-sdk/client-s3';
import { AppError } from '@lfusys/commons';
import type { PartTarget, PartWriter } from '../ports/part-writer.ts';

export class S3PartWriter implements PartWriter {
  constructor(private readonly s3: S3Client) {}

  async writePart(
    target: PartTarget,
    partNumber: number,
    body: Readable,
    length: number,
    signal: AbortSignal,
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
      throw new AppError('unavailable', 'object storage unavailable', { cause: err });
    }
  }
}
