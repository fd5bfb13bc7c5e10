/** Wire shapes of the gateway API (see the OpenAPI document at /api/v1/docs). */
export interface User {
  id: string;
  email: string;
  name: string;
  bio: string;
  /** False until the owner opens the link mailed to `email`; unverified accounts get a small quota. */
  emailVerified: boolean;
  createdAt: string;
}

export interface FileItem {
  id: string;
  name: string;
  size: number;
  contentType: string;
  createdAt: string;
  /** Hex SHA-256 of the stored bytes, present only when the server verified it. */
  sha256?: string;
}

export interface FilePage {
  files: FileItem[];
  nextCursor: string | null;
}

export interface UploadItem {
  uploadId: string;
  fileName: string;
  size: number;
  status: 'uploading' | 'assembling' | 'completed' | 'failed' | 'expired' | 'cancelled';
  transfer?: 'relay' | 'direct';
  failureReason?: string;
  /** e.g. `checksum_mismatch`. */
  failureCode?: string;
  receivedBytes: number;
  receivedChunks: number;
  totalChunks: number;
  createdAt: string;
  expiresAt: string;
}

/** One signed-in device (`GET /auth/sessions`). */
export interface LoginSession {
  id: string;
  /** Null for sessions begun before the server recorded it. */
  createdAt: string | null;
  lastUsedAt: string | null;
  /** Readable, e.g. "Chrome 131 on macOS". */
  userAgent: string;
  current: boolean;
}

/** `GET /uploads/usage`: what the account stores and may store. */
export interface StorageUsage {
  /** Bytes of stored files and of uploads in progress (reserved at open). */
  usedBytes: number;
  /** The account's quota in bytes (smaller until the email is verified). */
  quotaBytes: number;
  /** The largest file the server accepts, in bytes. */
  maxFileBytes: number;
}
