import type { NetworkPort } from './network-port.ts';

/**
 * Contracts of the upload engine: a framework-free module (no React, no DOM globals at import
 * time) that the app drives through `UploadEngine` and tests drive with fakes.
 */

/** What the engine uploads: a browser `File`, or anything shaped like one (tests). */
export interface UploadSource {
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
  readonly type: string;
  slice(start: number, end: number): Blob;
}

/** `POST /api/v1/uploads` → 201. */
export interface UploadPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  expiresAt: string;
  uploadUrl: string;
  uploadToken: string;
  uploadTokenExpiresAt: string;
}

export type ServerUploadStatus = 'uploading' | 'assembling' | 'completed' | 'failed' | 'expired' | 'cancelled';

/** `GET /api/v1/uploads/:id` → 200, flattened. Token fields are present only while uploading. */
export interface ServerUploadState {
  uploadId: string;
  status: ServerUploadStatus;
  chunkSize: number;
  totalChunks: number;
  receivedIndexes: number[];
  fileId?: string;
  failureReason?: string;
  uploadUrl?: string;
  uploadToken?: string;
  uploadTokenExpiresAt?: string;
}

/** An HTTP answer to one chunk PUT (`PUT {uploadUrl}/chunks/{index}`). Network failures reject instead. */
export interface ChunkResponse {
  status: number;
  /** From `Retry-After`, when the server sent one. */
  retryAfterSeconds?: number;
  /** The error code of the body (`{error: {code}}`), when there is one (e.g. `too_many_requests`). */
  code?: string;
}

export interface PutChunkRequest {
  uploadUrl: string;
  token: string;
  index: number;
  body: Blob;
  /** Base64 SHA-256 of `body`, sent as `x-chunk-sha256`. */
  sha256: string;
  signal: AbortSignal;
  /** Called as bytes leave (cumulative bytes of this request); drives progress and stall detection. */
  onProgress(loadedBytes: number): void;
}

/** An API failure with the HTTP status and the error code from the body (`{error: {code, message}}`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The engine's only way to reach the servers. API calls reject with `ApiError` (or a network error). */
export interface Transport {
  /** `idempotencyKey` is the same on every retry of one file's open, so a retry cannot open a second upload. */
  openUpload(input: {
    fileName: string;
    size: number;
    contentType?: string;
    sha256?: string;
    idempotencyKey?: string;
  }): Promise<UploadPlan>;
  getUpload(uploadId: string): Promise<ServerUploadState>;
  cancelUpload(uploadId: string): Promise<void>;
  putChunk(request: PutChunkRequest): Promise<ChunkResponse>;
}

/** Base64 SHA-256 of a blob (the app does it in a Web Worker so the UI never freezes). */
export interface Hasher {
  sha256(blob: Blob): Promise<string>;
}

/** Remembers which server upload a local file belongs to, across reloads (IndexedDB in the app). */
export interface ResumeStore {
  get(fingerprint: string): Promise<{ uploadId: string; savedAt: number } | undefined>;
  put(fingerprint: string, entry: { uploadId: string; savedAt: number }): Promise<void>;
  delete(fingerprint: string): Promise<void>;
}

/** Time, injectable so tests control backoff, stall detection and speed. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type FileStatus =
  | 'queued'
  | 'preparing'
  | 'uploading'
  | 'paused'
  | 'processing'
  | 'completed'
  | 'failed'
  | 'cancelled';

/**
 * Why a file that is sending has nothing moving: the device is offline (`offline`), or requests
 * get no answer at all and the engine is probing the link (`network`). Never a failure.
 */
export type NetworkWait = 'offline' | 'network';

/** One file as the UI shows it; snapshots are immutable. */
export interface FileProgress {
  id: string;
  name: string;
  size: number;
  status: FileStatus;
  /** Bytes the server has acknowledged (chunks answered 200): never decreases. */
  bytesAcked: number;
  /** Bytes of requests still running, not yet acknowledged (they may have to be sent again). */
  bytesInFlight: number;
  /** 0–100, of acknowledged bytes. */
  percent: number;
  /** Acknowledged throughput (bytes/s), smoothed; 0 when idle. */
  speedBytesPerSecond: number;
  /** null when unknown (no speed yet) or not uploading. */
  etaSeconds: number | null;
  /** Chunks skipped because the server already had them (resume). */
  resumedChunks: number;
  uploadId?: string;
  fileId?: string;
  /** Human-readable reason for `failed`. */
  error?: string;
  /** Set while the file is preparing or uploading and the network holds it up. */
  waiting?: NetworkWait;
}

export interface EngineSnapshot {
  files: readonly FileProgress[];
  totalBytes: number;
  /** Acknowledged bytes of every file not cancelled. */
  bytesAcked: number;
  bytesInFlight: number;
  percent: number;
  speedBytesPerSecond: number;
  etaSeconds: number | null;
}

export interface EngineOptions {
  transport: Transport;
  hasher: Hasher;
  store: ResumeStore;
  clock?: Clock;
  /** The device's online state and its changes (default: always online; the app passes the browser's). */
  network?: NetworkPort;
  /** The most chunk requests in flight across all files (default 4); fewer on a slow link. */
  concurrency?: number;
  /** A chunk should take at most this long; slower, and fewer run at once (default 60 000). */
  targetChunkMs?: number;
  /** Network failures in a row before the engine waits for the network and probes it (default 2). */
  networkFailureThreshold?: number;
  /** Pause before the first probe of a silent link, doubled per failed probe up to the cap (1 000, 30 000). */
  probeBaseMs?: number;
  probeCapMs?: number;
  /** A request with no upload progress for this long is aborted and retried (default 30 000). */
  stallTimeoutMs?: number;
  /**
   * Failed attempts per chunk before the file fails (default 8). Only server answers that are
   * failures count (5xx): not network failures, not 408 (too slow a link), not 429.
   */
  maxAttempts?: number;
  /** Backoff base and cap for retries (defaults 500 ms and 30 000 ms), full jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** How often to ask the server while it assembles (default 1000). */
  pollIntervalMs?: number;
  /** Source of randomness for jitter (tests pass a fixed one). */
  random?: () => number;
}
