/** Wire shapes of the gateway API (see the OpenAPI document at /api/v1/docs). */
export interface User {
  id: string;
  email: string;
  name: string;
  bio: string;
  createdAt: string;
}

export interface FileItem {
  id: string;
  name: string;
  size: number;
  contentType: string;
  createdAt: string;
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
  receivedBytes: number;
  receivedChunks: number;
  totalChunks: number;
  createdAt: string;
  expiresAt: string;
}
