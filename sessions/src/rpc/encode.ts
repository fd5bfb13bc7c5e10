import { type File, type Part, type PreparePartResponse, type Upload, UploadStatus } from '@lfusys/proto/sessions';
import type { PreparedPart } from '../domain/relay-parts.ts';
import type { PartRecord, StoredFile, UploadSession } from '../domain/upload.ts';

const STATUS: Record<UploadSession['status'], UploadStatus> = {
  UPLOADING: UploadStatus.UPLOAD_STATUS_UPLOADING,
  ASSEMBLING: UploadStatus.UPLOAD_STATUS_ASSEMBLING,
  COMPLETED: UploadStatus.UPLOAD_STATUS_COMPLETED,
  FAILED: UploadStatus.UPLOAD_STATUS_FAILED,
  EXPIRED: UploadStatus.UPLOAD_STATUS_EXPIRED,
  CANCELLED: UploadStatus.UPLOAD_STATUS_CANCELLED,
};

/** Domain → wire. `bucket` is set only for internal callers, which need the part target. */
export function encodeUpload(u: UploadSession, bucket?: string): Upload {
  return {
    uploadId: u.uploadId,
    userId: u.userId,
    fileName: u.fileName,
    size: u.size,
    contentType: u.contentType,
    chunkSize: u.chunkSize,
    totalChunks: u.totalChunks,
    receivedChunks: u.receivedChunks,
    receivedBytes: u.receivedBytes,
    status: STATUS[u.status],
    createdAt: u.createdAt,
    expiresAt: u.expiresAt,
    fileId: u.fileId,
    failureReason: u.failureReason,
    sha256: u.sha256,
    transfer: u.transfer,
    failureCode: u.failureCode,
    target: bucket ? { bucket, objectKey: u.objectKey, multipartUploadId: u.multipartUploadId } : undefined,
  };
}

export function encodeFile(f: StoredFile): File {
  return {
    fileId: f.fileId,
    userId: f.userId,
    name: f.name,
    size: f.size,
    contentType: f.contentType,
    createdAt: f.createdAt,
    sha256: f.sha256,
  };
}

export function encodePart(p: PartRecord): Part {
  return { index: p.index, size: p.size, sha256: p.sha256 };
}

export function encodePreparedPart(index: number, p: PreparedPart): PreparePartResponse {
  return {
    outcome:
      p.kind === 'recorded'
        ? { $case: 'recorded', value: encodePart(p.part) }
        : { $case: 'signed', value: { index, ...p.url } },
  };
}
