import { AppError } from '@lfusys/commons';
import {
  type ListPartsResponse,
  type Part,
  type PreparePartRequest,
  type PreparePartResponse,
  type RecordPartRequest,
  type RecordPartResponse,
  type Upload,
  UploadStatus,
} from '@lfusys/proto/sessions';
import type { SessionsPort } from '../ports/sessions-port.ts';

const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** What a test opens: the owner and size, the chunk size (default 1 KiB), anything else as given. */
export type MemoryUploadInput = Pick<Upload, 'userId' | 'size'> & Partial<Upload>;

/**
 * The sessions service as the uploads workers see it, in memory: the answers and codes of its
 * GetUpload, PreparePart, RecordPart and ListParts that the chunk path relies on (DESIGN §3, §9).
 * Another user's upload is `not_found`; parts are prepared and recorded only while UPLOADING and
 * before the deadline; a chunk must be exactly its index's length (413 too long, 400 too short);
 * a part counts once, and a repeat with other bytes is `aborted`. The SessionsPort contract suite
 * holds it to the real service. `calls` lists the methods called, in order.
 */
export class MemorySessions implements SessionsPort {
  readonly uploads = new Map<string, Upload>();
  readonly parts = new Map<string, Map<number, Part & { etag: string }>>();
  readonly calls: string[] = [];
  private ids = 0;

  /** `now` is epoch milliseconds, compared with each upload's `expiresAt`. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Opens an UPLOADING upload; its multipart upload id is `mpu-<uploadId>`. */
  open(input: MemoryUploadInput): Upload {
    const uploadId = input.uploadId ?? `00000000-0000-4000-8000-${String(++this.ids).padStart(12, '0')}`;
    const chunkSize = input.chunkSize ?? 1024;
    const upload: Upload = {
      fileName: 'f.bin',
      contentType: 'application/octet-stream',
      transfer: 'relay',
      chunkSize,
      totalChunks: Math.max(1, Math.ceil(input.size / chunkSize)),
      receivedChunks: 0,
      receivedBytes: 0,
      status: UploadStatus.UPLOAD_STATUS_UPLOADING,
      createdAt: new Date(this.now()).toISOString(),
      expiresAt: new Date(this.now() + 3_600_000).toISOString(),
      fileId: '',
      failureReason: '',
      failureCode: '',
      sha256: '',
      target: {
        bucket: 'memory',
        objectKey: `files/${input.userId}/${uploadId}`,
        multipartUploadId: `mpu-${uploadId}`,
      },
      ...input,
      uploadId,
    };
    this.uploads.set(uploadId, upload);
    return { ...upload };
  }

  /** Moves an upload to another status (cancelled, expired, assembling), as sessions would. */
  setStatus(uploadId: string, status: UploadStatus): void {
    const upload = this.uploads.get(uploadId);
    if (upload) upload.status = status;
  }

  /** The owner's upload only: the user comes from the worker's signed credential, never empty. */
  async getUpload(request: { uploadId: string; userId: string }): Promise<Upload> {
    this.calls.push('getUpload');
    return { ...this.owned(request.uploadId, request.userId) };
  }

  async preparePart(request: PreparePartRequest & { userId: string }): Promise<PreparePartResponse> {
    this.calls.push('preparePart');
    if (!SHA256_BASE64.test(request.sha256)) {
      throw new AppError('invalid_argument', 'x-chunk-sha256 must be the base64 SHA-256 of the body');
    }
    const upload = this.owned(request.uploadId, request.userId);
    const recorded = this.parts.get(upload.uploadId)?.get(request.index);
    // As sessions' RelayParts: a part already in an upload being (or done being) assembled is final.
    const assembled =
      upload.status === UploadStatus.UPLOAD_STATUS_ASSEMBLING || upload.status === UploadStatus.UPLOAD_STATUS_COMPLETED;
    if (!(recorded && assembled)) this.requireUploading(upload);
    this.checkIndex(upload, request.index);
    const expected = expectedLength(upload, request.index);
    if (request.length !== expected) {
      const code = request.length > expected ? 'payload_too_large' : 'invalid_argument';
      throw new AppError(code, `chunk ${request.index} must be ${expected} bytes`);
    }
    if (recorded)
      return {
        outcome: { $case: 'recorded', value: { index: recorded.index, size: recorded.size, sha256: recorded.sha256 } },
      };
    const query = new URLSearchParams({
      uploadId: upload.target?.multipartUploadId ?? '',
      partNumber: String(request.index + 1),
    });
    return {
      outcome: {
        $case: 'signed',
        value: {
          index: request.index,
          url: `http://storage.memory/${upload.target?.objectKey}?${query}`,
          method: 'PUT',
          headers: { 'x-amz-checksum-sha256': request.sha256 },
          expiresAt: upload.expiresAt,
        },
      },
    };
  }

  /** As sessions records a part a worker stored: checks the part, then counts it once (no deadline check). */
  async recordPart(request: RecordPartRequest & { userId: string }): Promise<RecordPartResponse> {
    this.calls.push('recordPart');
    const upload = this.owned(request.uploadId, request.userId);
    this.checkIndex(upload, request.index);
    if (request.size !== expectedLength(upload, request.index)) {
      throw new AppError(
        'invalid_argument',
        `chunk ${request.index} must be ${expectedLength(upload, request.index)} bytes`,
      );
    }
    if (!SHA256_BASE64.test(request.sha256))
      throw new AppError('invalid_argument', 'sha256 must be a base64 SHA-256 digest');
    const parts = this.parts.get(upload.uploadId) ?? new Map<number, Part & { etag: string }>();
    const existing = parts.get(request.index);
    if (existing && existing.sha256 !== request.sha256) {
      throw new AppError('aborted', `chunk ${request.index} was already received with different content`);
    }
    if (!existing) {
      if (upload.status !== UploadStatus.UPLOAD_STATUS_UPLOADING) {
        throw new AppError('failed_precondition', 'upload is no longer accepting parts');
      }
      parts.set(request.index, {
        index: request.index,
        size: request.size,
        sha256: request.sha256,
        etag: request.etag,
      });
      this.parts.set(upload.uploadId, parts);
      upload.receivedChunks += 1;
      upload.receivedBytes += request.size;
    }
    return {
      receivedChunks: upload.receivedChunks,
      totalChunks: upload.totalChunks,
      complete: upload.receivedChunks === upload.totalChunks,
      newlyRecorded: !existing,
    };
  }

  async listParts(request: { uploadId: string; userId: string }): Promise<ListPartsResponse> {
    this.calls.push('listParts');
    const upload = this.owned(request.uploadId, request.userId);
    const parts = [...(this.parts.get(upload.uploadId)?.values() ?? [])].sort((a, b) => a.index - b.index);
    return { parts: parts.map(({ index, size, sha256 }) => ({ index, size, sha256 })) };
  }

  private owned(uploadId: string, userId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.userId !== userId) throw new AppError('not_found', 'upload not found');
    return upload;
  }

  private checkIndex(upload: Upload, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= upload.totalChunks) {
      throw new AppError('invalid_argument', `part index must be 0..${upload.totalChunks - 1}`);
    }
  }

  private requireUploading(upload: Upload): void {
    if (upload.status !== UploadStatus.UPLOAD_STATUS_UPLOADING) {
      throw new AppError('failed_precondition', 'upload is no longer accepting parts');
    }
    if (Date.parse(upload.expiresAt) <= this.now()) {
      throw new AppError('failed_precondition', 'upload has expired; no more parts are accepted');
    }
  }
}

function expectedLength(upload: Upload, index: number): number {
  return index < upload.totalChunks - 1 ? upload.chunkSize : upload.size - upload.chunkSize * (upload.totalChunks - 1);
}
