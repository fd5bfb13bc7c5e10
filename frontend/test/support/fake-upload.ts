import type { ServerUploadStatus, TransferMode } from '../../src/upload-engine/types.ts';

/** One upload as the fake server keeps it. */
export interface FakeUpload {
  uploadId: string;
  fileName: string;
  size: number;
  contentType: string | undefined;
  chunkSize: number;
  totalChunks: number;
  transfer: TransferMode | undefined;
  status: ServerUploadStatus;
  /** Index → how many times a chunk with that index was recorded. */
  received: Map<number, number>;
  /** Parts in storage (direct), recorded or not. */
  stored: Map<number, { sha256: string; size: number }>;
  /** The declared whole-file SHA-256 (hex). */
  sha256?: string;
  validTokens: Set<string>;
  uploadUrl: string;
  fileId?: string;
  failureReason?: string;
  failureCode?: string;
  /** Polls answered while assembling. */
  polls: number;
}

/** A sign, confirm or declare call as the fake server saw it. */
export interface ApiCall {
  op: 'sign' | 'confirm' | 'declare';
  uploadId: string;
  indexes?: number[];
  sha256?: string;
}

/** What a presigned part URL was signed for. */
export interface Signature {
  uploadId: string;
  index: number;
  sha256: string;
  /** Clock time after which storage refuses it. */
  expiresAt: number;
}

/** The exact length of chunk `index`. */
export function expectedLength(upload: FakeUpload, index: number): number {
  return index < upload.totalChunks - 1 ? upload.chunkSize : upload.size - upload.chunkSize * (upload.totalChunks - 1);
}
