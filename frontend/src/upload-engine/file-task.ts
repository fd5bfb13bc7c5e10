import type { ChunkTransport } from './chunk-transport.ts';
import { ThroughputMeter } from './throughput-meter.ts';
import type { Timer } from './timers.ts';
import type {
  FailureReason,
  FileProgress,
  FileStatus,
  NetworkWait,
  ServerUploadState,
  ServerUploadStatus,
  UploadSource,
} from './types.ts';

/** The server upload a file's chunks go to, and how they travel. */
export interface ChunkSession {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  transport: ChunkTransport;
  /** The server verifies a declared whole-file SHA-256 (false from a server that predates it). */
  verifiesSha256: boolean;
}

/**
 * Why the engine ended a request itself: its chunk is resent later (`pause`, `offline`: no attempt
 * spent) or never (`stop`, `dispose`).
 */
export type StopReason = 'pause' | 'offline' | 'stop' | 'dispose';

/** One attempt at sending one chunk. */
export interface ChunkRun {
  readonly index: number;
  /** The transport's `version` when the chunk left (a 401 under an older one just resends). */
  readonly targetVersion: number;
  readonly controller: AbortController;
  /** Bytes of this request that have left (from `onProgress`). */
  loaded: number;
  stallTimer: Timer | undefined;
  /** Aborted by stall detection (a failed attempt, unlike a stop). */
  stalled: boolean;
  stop: StopReason | undefined;
  settled: boolean;
  /** The one request an `unreachable` link lets through to see whether it answers again. */
  readonly probe: boolean;
  /** Clock time when the body started to leave (after hashing). */
  sentAt: number | undefined;
  /** Requests in flight (this one included) when it was sent. */
  parallel: number;
  /**
   * Clock time storage answered for the bytes, when the transport stores before the server records
   * (direct): from then on the chunk holds no request slot and waits only for its confirmation.
   */
  storedAt: number | undefined;
}

/** The engine's working state for one local file: status, chunk bookkeeping and timers. */
export class FileTask {
  status: FileStatus = 'queued';
  error: string | undefined;
  failure: FailureReason | undefined;
  fileId: string | undefined;
  fingerprint: string | undefined;
  session: ChunkSession | undefined;
  /** Fingerprinting or opening the upload is under way (also while paused). */
  preparing = false;
  readonly acked = new Set<number>();
  ackedBytes = 0;
  resumedChunks = 0;
  readonly inFlight = new Map<number, ChunkRun>();
  /** Chunks waiting out a backoff delay. */
  readonly retryTimers = new Map<number, Timer>();
  /** Those of them that wait because the network failed: resent at once when it is back. */
  readonly networkRetries = new Set<number>();
  /** Failed attempts per chunk that count towards the limit: server failures (reset when acknowledged). */
  readonly attempts = new Map<number, number>();
  /** Failures of any kind in a row per chunk: the exponent of its backoff. */
  readonly tries = new Map<number, number>();
  /** Token renewals in a row per chunk. */
  readonly renewals = new Map<number, number>();
  /** The one `getUpload` that chunks refused with 401 or 409 share. */
  lookup: Promise<ServerUploadState> | undefined;
  /** A refused token is being renewed: no new chunk starts with the old one meanwhile. */
  renewing = false;
  pollTimer: Timer | undefined;
  pollFailures = 0;
  /** The status the last assembly poll answered (`uploading` → `assembling` → a final one). */
  serverStatus: ServerUploadStatus | undefined;
  /**
   * The last never-sent chunk stays back until the whole file's SHA-256 is declared, so the set
   * cannot complete (and be assembled) before the server knows the hash to verify.
   */
  holdLast = false;
  /** Aborts hashing the whole file (cancel, failure, dispose). */
  fileHash: AbortController | undefined;
  /** Acknowledged throughput of this file. */
  readonly meter = new ThroughputMeter();
  /** The last published progress (reused while nothing changed). */
  published: FileProgress | undefined;

  /**
   * SHA-256 (base64) of chunks hashed before their turn, so a chunk is read and hashed once
   * whether it was looked ahead at or not; an acknowledged chunk's entry is dropped.
   */
  readonly chunkHashes = new Map<number, Promise<string>>();

  /** The next never-sent index; chunks to resend wait in `resend` (ascending). */
  private nextIndex = 0;
  private readonly resend: number[] = [];

  constructor(
    readonly id: string,
    readonly source: UploadSource,
  ) {}

  get totalChunks(): number {
    return this.session?.totalChunks ?? 0;
  }

  get allAcked(): boolean {
    return this.session !== undefined && this.acked.size >= this.session.totalChunks;
  }

  /** Byte range `[start, end)` of chunk `index`. */
  chunkRange(index: number): [number, number] {
    const chunkSize = this.session?.chunkSize ?? 0;
    const start = Math.min(this.source.size, index * chunkSize);
    return [start, Math.min(this.source.size, (index + 1) * chunkSize)];
  }

  chunkLength(index: number): number {
    const [start, end] = this.chunkRange(index);
    return end - start;
  }

  /** Records chunks the server already holds (resume). */
  applyReceived(indexes: readonly number[]): void {
    for (const index of indexes) {
      if (Number.isInteger(index) && index >= 0 && index < this.totalChunks && this.ack(index)) this.resumedChunks++;
    }
  }

  /** Marks a chunk acknowledged; false when it already was. */
  ack(index: number): boolean {
    if (this.acked.has(index)) return false;
    this.acked.add(index);
    this.chunkHashes.delete(index);
    this.ackedBytes += this.chunkLength(index);
    this.attempts.delete(index);
    this.tries.delete(index);
    this.renewals.delete(index);
    return true;
  }

  /** Every chunk is on the server (it said so). */
  ackAll(): void {
    for (let index = 0; index < this.totalChunks; index++) this.ack(index);
  }

  /** Whether {@link takePending} has a chunk to give now (a held-back last chunk is not one). */
  hasPending(): boolean {
    this.skipAcked();
    return this.resend.length > 0 || (this.nextIndex < this.totalChunks && !this.heldBack(this.nextIndex));
  }

  /** The next chunk to send, resends first. */
  takePending(): number | undefined {
    const resend = this.resend.shift();
    if (resend !== undefined) return resend;
    this.skipAcked();
    return this.nextIndex < this.totalChunks && !this.heldBack(this.nextIndex) ? this.nextIndex++ : undefined;
  }

  /** Up to `count` chunks {@link takePending} would give next, in that order, without taking them. */
  upcoming(count: number): number[] {
    this.skipAcked();
    const next = this.resend.slice(0, count);
    for (let index = this.nextIndex; next.length < count && index < this.totalChunks; index++) {
      if (!this.acked.has(index) && !this.heldBack(index)) next.push(index);
    }
    return next;
  }

  /** Puts a chunk back to be sent again (kept in ascending order). */
  requeue(index: number): void {
    if (this.acked.has(index) || this.resend.includes(index)) return;
    const at = this.resend.findIndex((other) => other > index);
    if (at === -1) this.resend.push(index);
    else this.resend.splice(at, 0, index);
  }

  /** Nothing more is to be sent. */
  clearPending(): void {
    this.resend.length = 0;
    this.nextIndex = this.totalChunks;
  }

  /** Bytes of requests still running (not acknowledged yet). */
  bytesInFlight(): number {
    let inFlight = 0;
    for (const run of this.inFlight.values()) if (run.stop === undefined) inFlight += run.loaded;
    return Math.min(this.source.size - this.ackedBytes, inFlight);
  }

  /** The file as the UI shows it at `now`; `waiting` when the network holds the engine up. */
  progress(now: number, waiting: NetworkWait | undefined): FileProgress {
    const size = this.source.size;
    const done = this.status === 'completed' || this.allAcked;
    const bytesAcked = done ? size : this.ackedBytes;
    const percent = size > 0 ? Math.min(100, (bytesAcked * 100) / size) : done ? 100 : 0;
    const queued = !waiting && this.waitsForTurn();
    const speed = this.status === 'uploading' && !waiting && !queued ? Math.round(this.meter.rate(now)) : 0;
    const progress: FileProgress = {
      id: this.id,
      name: this.source.name,
      size,
      status: this.status,
      bytesAcked,
      bytesInFlight: done ? 0 : this.bytesInFlight(),
      percent,
      speedBytesPerSecond: speed,
      etaSeconds: speed > 0 ? Math.ceil((size - bytesAcked) / speed) : null,
      resumedChunks: this.resumedChunks,
    };
    if (this.session) {
      progress.uploadId = this.session.uploadId;
      progress.transfer = this.session.transport.mode;
    }
    if (this.fileId !== undefined) progress.fileId = this.fileId;
    if (this.error !== undefined) progress.error = this.error;
    if (this.status === 'failed' && this.failure !== undefined) progress.failure = this.failure;
    if (waiting && (this.status === 'preparing' || this.status === 'uploading')) progress.waiting = waiting;
    else if (queued) progress.waiting = 'queue';
    return progress;
  }

  /**
   * Uploading with chunks to send and none under way (no request, backoff or token renewal): the
   * request slots are all taken by the files before it. Its meter restarts when a chunk leaves.
   */
  private waitsForTurn(): boolean {
    return (
      this.status === 'uploading' &&
      this.inFlight.size === 0 &&
      this.retryTimers.size === 0 &&
      !this.renewing &&
      this.lookup === undefined &&
      this.hasPending()
    );
  }

  /** `index` is the last chunk never sent, and the last is held back. */
  private heldBack(index: number): boolean {
    if (!this.holdLast) return false;
    for (let later = index + 1; later < this.totalChunks; later++) if (!this.acked.has(later)) return false;
    return true;
  }

  private skipAcked(): void {
    while (this.nextIndex < this.totalChunks && this.acked.has(this.nextIndex)) this.nextIndex++;
  }
}
