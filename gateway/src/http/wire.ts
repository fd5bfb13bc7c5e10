import type { Static } from '@fastify/type-provider-typebox';
import { SHA256_HEX } from '@lfusys/commons/core';
import type { File as WireFile, Upload as WireUpload } from '@lfusys/proto/sessions';
import { UploadStatus } from '@lfusys/proto/sessions';
import type { File, Upload } from './schemas.ts';

const STATUS_NAMES: Record<UploadStatus, Static<typeof Upload>['status'] | undefined> = {
  [UploadStatus.UPLOAD_STATUS_UNSPECIFIED]: undefined,
  [UploadStatus.UPLOAD_STATUS_UPLOADING]: 'uploading',
  [UploadStatus.UPLOAD_STATUS_ASSEMBLING]: 'assembling',
  [UploadStatus.UPLOAD_STATUS_COMPLETED]: 'completed',
  [UploadStatus.UPLOAD_STATUS_FAILED]: 'failed',
  [UploadStatus.UPLOAD_STATUS_EXPIRED]: 'expired',
  [UploadStatus.UPLOAD_STATUS_CANCELLED]: 'cancelled',
  [UploadStatus.UNRECOGNIZED]: undefined,
};

/** sessions' Upload → the API's upload (no owner id, no storage target). */
export function publicUpload(u: WireUpload): Static<typeof Upload> {
  const status = STATUS_NAMES[u.status];
  if (!status) throw new Error(`sessions returned an unknown upload status ${u.status}`);
  return {
    uploadId: u.uploadId,
    fileName: u.fileName,
    size: u.size,
    contentType: u.contentType,
    chunkSize: u.chunkSize,
    totalChunks: u.totalChunks,
    receivedChunks: u.receivedChunks,
    receivedBytes: u.receivedBytes,
    status,
    createdAt: u.createdAt,
    expiresAt: u.expiresAt,
    ...(u.fileId ? { fileId: u.fileId } : {}),
    ...(u.failureReason ? { failureReason: u.failureReason } : {}),
    ...(u.failureCode ? { failureCode: u.failureCode } : {}),
    // Sessions older than direct transfer send none: they only relay.
    transfer: u.transfer === 'direct' ? 'direct' : 'relay',
  };
}

/**
 * Only a hash the assembly verified is shown: those are hex (SHA256_HEX). Files written before
 * verification existed carry the client's unverified base64 claim, which must not pass for a
 * checksum (DESIGN §9.2).
 */
export function publicFile(f: WireFile): Static<typeof File> {
  return {
    id: f.fileId,
    name: f.name,
    size: f.size,
    contentType: f.contentType,
    createdAt: f.createdAt,
    ...(SHA256_HEX.test(f.sha256) ? { sha256: f.sha256 } : {}),
  };
}
