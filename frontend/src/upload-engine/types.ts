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

/**
 * How a file's chunks travel (DESIGN.md §9.1): through the uploads workers (`relay`), or straight to
 * storage through presigned part URLs (`direct`).
 */
export type TransferMode = 'relay' | 'direct';

/**
 * `POST /api/v1/uploads` → 201. `transfer` is what the server chose (its default: the app does not
 * ask); undefined from a server that predates direct transfer (relay, and no whole-file SHA-256 to
 * declare). Relay answers carry the uploads URL and token; direct answers do not.
 */
export interface UploadPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  expiresAt: string;
  transfer?: TransferMode;
  uploadUrl?: string;
  uploadToken?: string;
  uploadTokenExpiresAt?: string;
}

export type ServerUploadStatus = 'uploading' | 'assembling' | 'completed' | 'failed' | 'expired' | 'cancelled';

/** `GET /api/v1/uploads/:id` → 200, flattened. Token fields are present only while uploading. */
export interface ServerUploadState {
  uploadId: string;
  status: ServerUploadStatus;
  chunkSize: number;
  totalChunks: number;
  receivedIndexes: number[];
  /** As in {@link UploadPlan}: undefined from a server that predates direct transfer. */
  transfer?: TransferMode;
  fileId?: string;
  failureReason?: string;
  /** Machine-readable reason for `failed` (e.g. `checksum_mismatch`). */
  failureCode?: string;
  uploadUrl?: string;
  uploadToken?: string;
  uploadTokenExpiresAt?: string;
}

/**
 * The server's verdict on one chunk: an HTTP status (2xx: recorded), or a network failure (which
 * rejects instead). Also the answer to a plain {@link PutRequest}.
 */
export interface ChunkResponse {
  status: number;
  /** From `Retry-After`, when the server sent one. */
  retryAfterSeconds?: number;
  /** The error code of the body (`{error: {code}}`), when there is one (e.g. `too_many_requests`). */
  code?: string;
  /** The answer says every chunk of the upload is recorded now (`complete: true`). */
  complete?: boolean;
}

/** One HTTP PUT of bytes with upload progress (a relay chunk, or a part to a presigned URL). */
export interface PutRequest {
  url: string;
  /** Sent exactly as given (a presigned URL signs some of them). */
  headers: Readonly<Record<string, string>>;
  body: Blob;
  signal: AbortSignal;
  /** Called as bytes leave (cumulative bytes of this request); drives progress and stall detection. */
  onProgress(loadedBytes: number): void;
  /**
   * The upload whose trace this request joins (a `traceparent` header is added): set for chunks to
   * the uploads workers (relay), never for parts to storage, whose presigned URL fixes the headers
   * and whose bucket CORS rule allows no other.
   */
  traceUploadId?: string;
}

/** `POST /uploads/:id/parts`: a part to sign, with the hash the URL will require. */
export interface PartToSign {
  index: number;
  /** Base64 SHA-256 of the part's bytes. */
  sha256: string;
  /** The exact length of the part. */
  length: number;
}

/** A presigned part URL: PUT the bytes to `url` with exactly `headers`, before `expiresAt`. */
export interface SignedPart {
  index: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  /** RFC 3339, by the server's clock. */
  expiresAt: string;
}

/** `POST /uploads/:id/parts/confirm` → 200. */
export interface PartsConfirmation {
  received: number;
  totalChunks: number;
  complete: boolean;
}

/**
 * An API failure with the HTTP status and the error body's `code` and `details`
 * (`{error: {code, message, details}}`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/**
 * The engine's only way to reach the servers: the gateway API (calls reject with `ApiError`, or a
 * network error) and PUTs of bytes (any HTTP answer resolves; network failures reject).
 */
export interface UploadServer {
  /** `idempotencyKey` is the same on every retry of one file's open, so a retry cannot open a second upload. */
  openUpload(input: {
    fileName: string;
    size: number;
    contentType?: string;
    idempotencyKey?: string;
  }): Promise<UploadPlan>;
  /** `waitSeconds`: held until the status moves or that long (`?wait=`; an older server answers at once). */
  getUpload(uploadId: string, waitSeconds?: number): Promise<ServerUploadState>;
  cancelUpload(uploadId: string): Promise<void>;
  /** `PATCH /uploads/:id {sha256}`: the whole file's SHA-256 (hex), verified when the file is assembled. */
  declareSha256(uploadId: string, sha256Hex: string): Promise<void>;
  /** `POST /uploads/:id/parts` (1–100 parts). */
  signParts(uploadId: string, parts: readonly PartToSign[]): Promise<SignedPart[]>;
  /** `POST /uploads/:id/parts/confirm` (1–100 indexes). */
  confirmParts(uploadId: string, indexes: readonly number[]): Promise<PartsConfirmation>;
  put(request: PutRequest): Promise<ChunkResponse>;
}

/** SHA-256 off the main thread (the app uses a Web Worker so the UI never freezes). */
export interface Hasher {
  /** Base64 SHA-256 of a blob (one chunk). */
  sha256(blob: Blob): Promise<string>;
  /** Hex SHA-256 of a whole file, read in slices (never whole in memory); rejects with an AbortError when aborted. */
  sha256File(file: Pick<UploadSource, 'size' | 'slice'>, signal: AbortSignal): Promise<string>;
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

/**
 * Why a file that is sending has nothing moving: the network (see {@link NetworkWait}), or
 * `queue`: it has chunks to send but every request slot is taken by the files before it.
 */
export type FileWait = NetworkWait | 'queue';

/**
 * Why a file failed, for the UI to say in plain words and offer a way forward: `server` (5xx or
 * conflicts past the attempts), `refused` (the server will refuse these bytes again), `session`
 * (signed out), `gone` (the server upload ended: expired, cancelled, failed), `file_changed`,
 * `checksum` (the assembled file's SHA-256 did not match), `unreadable` (the local file could not
 * be read), `too_large`, `quota`, `too_many_uploads` (the open was refused), `connection` (no
 * answer from the server), `other`.
 */
export type FailureReason =
  | 'connection'
  | 'server'
  | 'refused'
  | 'session'
  | 'gone'
  | 'file_changed'
  | 'checksum'
  | 'unreadable'
  | 'too_large'
  | 'quota'
  | 'too_many_uploads'
  | 'other';

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
  /** How the chunks travel, once the upload is open. */
  transfer?: TransferMode;
  fileId?: string;
  /** The technical reason for `failed` (for a "Details" line; the UI words `failure`). */
  error?: string;
  /** Why the file failed, when it did. */
  failure?: FailureReason;
  /** Set while the file is preparing or uploading and the network, or its turn, holds it up. */
  waiting?: FileWait;
}

export interface EngineSnapshot {
  files: readonly FileProgress[];
  totalBytes: number;
  /** Acknowledged bytes of every file not cancelled. */
  bytesAcked: number;
  bytesInFlight: number;
  /** Bytes paused files still have to send: not counted in the ETA. */
  pausedBytes: number;
  /** Acknowledged bytes of every file not cancelled, in percent of their sizes. */
  percent: number;
  /** The files' acknowledged speeds summed and smoothed over a few seconds; 0 when nothing moves. */
  speedBytesPerSecond: number;
  /** Time left for the files still expected to move (not the paused ones); null when unknown. */
  etaSeconds: number | null;
}

export interface EngineOptions {
  server: UploadServer;
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
