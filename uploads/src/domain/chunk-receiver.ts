import type { Readable } from 'node:stream';
import { AppError, expectedChunkLength, inSpan, SHA256_BASE64, UPLOAD_ID_ATTRIBUTE } from '@lfusys/commons';
import { type PreparePartResponse, type Upload, UploadStatus } from '@lfusys/proto/sessions';
import type { AssemblyQueue, SessionsPort } from '../ports/sessions-port.ts';
import type { InFlightPerUser } from './in-flight-per-user.ts';
import type { PartTransfer } from './part-transfer.ts';
import { SlotWaitExceededError } from './slot-limiter.ts';

export interface ChunkRequest {
  uploadId: string;
  /** The path segment, validated here: canonical decimal only (no sign, no leading zeros). */
  index: string;
  /** The token's subject: the only user allowed to write this upload. */
  userId: string;
  declaredLength: number | undefined;
  /** Base64 SHA-256 from `x-chunk-sha256`. */
  sha256: string | undefined;
  body: Readable;
  requestId: string;
  /** Aborts when the client has left (stops waiting for S3 and aborts the S3 request). */
  signal: AbortSignal;
}

export interface ChunkResult {
  index: number;
  received: number;
  totalChunks: number;
  complete: boolean;
}

export interface ChunkReceiverDeps {
  sessions: SessionsPort;
  transfer: PartTransfer;
  queue: AssemblyQueue;
  /** Chunk requests in flight per user in this process. */
  inFlight: InFlightPerUser;
  /** How long a cached session is trusted. */
  cacheMs: number;
  onEnqueueFailure?: (uploadId: string, err: unknown) => void;
}

const CANONICAL_INDEX = /^(0|[1-9][0-9]{0,4})$/;

/** Caches sessions briefly so a burst of chunks costs one lookup, not one per chunk. */
class SessionCache {
  private readonly entries = new Map<string, { upload: Upload; until: number }>();
  constructor(private readonly ttlMs: number) {}
  get(uploadId: string): Upload | undefined {
    const entry = this.entries.get(uploadId);
    if (entry && entry.until > Date.now()) return entry.upload;
    this.entries.delete(uploadId);
    return undefined;
  }
  set(upload: Upload): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(upload.uploadId, { upload, until: Date.now() + this.ttlMs });
  }
  drop(uploadId: string): void {
    this.entries.delete(uploadId);
  }
}

/** Receives one chunk: checks, streams it to S3 while hashing, records it, and enqueues assembly when it completed the set. */
export class ChunkReceiver {
  private readonly cache: SessionCache;
  private readonly sessions: SessionsPort;

  constructor(private readonly deps: ChunkReceiverDeps) {
    this.cache = new SessionCache(deps.cacheMs);
    this.sessions = deps.sessions;
  }

  /** Refuses a user's request beyond their in-flight cap before any other work (issue 12). */
  async receive(req: ChunkRequest): Promise<ChunkResult> {
    const leave = this.deps.inFlight.enter(req.userId);
    try {
      return await this.receiveCounted(req);
    } finally {
      leave();
    }
  }

  private async receiveCounted(req: ChunkRequest): Promise<ChunkResult> {
    const { index, expected, target, sha256 } = await this.admit(req);
    const { outcome } = await this.prepare(req, index, expected, sha256);
    // A recorded index is never written again: different bytes would overwrite the stored part.
    if (outcome?.$case === 'recorded' && outcome.value.sha256 !== sha256) {
      throw new AppError('aborted', `chunk ${index} was already received with different content`);
    }
    const destination =
      outcome?.$case === 'signed'
        ? { target, partNumber: index + 1, signed: { url: outcome.value.url, headers: outcome.value.headers } }
        : undefined;
    // A retry of a stored chunk is verified but not stored again. Rule (DESIGN.md §4.2): a
    // checksum mismatch is rejected and nothing is recorded (nor written: the transfer aborts).
    const attributes = { [UPLOAD_ID_ATTRIBUTE]: req.uploadId, 'lfusys.chunk.index': index };
    const etag = await inSpan('chunk.verify', { attributes }, () =>
      this.deps.transfer.transfer({ body: req.body, destination, expected, sha256, signal: req.signal }),
    ).catch(async (err: unknown) => {
      if (!(err instanceof AppError)) throw new AppError('invalid_argument', 'chunk body was cut off', { cause: err });
      // A storage failure may mean the upload ended meanwhile (cancelled, expired, assembled) and
      // its multipart upload is gone: ask sessions afresh so the client gets a 409, not a retry.
      if (err.code === 'unavailable' && !(err instanceof SlotWaitExceededError)) await this.assertStillOpen(req);
      throw err;
    });
    const recorded = await inSpan('chunk.record', { attributes }, () =>
      this.sessions.recordPart(
        { uploadId: req.uploadId, userId: req.userId, index, size: expected, sha256, etag },
        { requestId: req.requestId },
      ),
    );
    // The chunk is durable and recorded whatever happens next: a failed enqueue must not turn
    // into an error the client retries. The status read (GET /uploads/:id) and the sweeper
    // re-enqueue a complete upload that was never assembled.
    if (recorded.complete) {
      await this.deps.queue
        .enqueue(req.uploadId)
        .catch((err: unknown) => this.deps.onEnqueueFailure?.(req.uploadId, err));
    }
    return { index, received: recorded.receivedChunks, totalChunks: recorded.totalChunks, complete: recorded.complete };
  }

  /** The request's checks against its session: index, checksum header, status, expiry, exact length. */
  private async admit(req: ChunkRequest) {
    if (!CANONICAL_INDEX.test(req.index))
      throw new AppError('invalid_argument', 'chunk index must be a non-negative integer');
    const index = Number(req.index);
    if (!req.sha256 || !SHA256_BASE64.test(req.sha256)) {
      throw new AppError('invalid_argument', 'x-chunk-sha256 must be the base64 SHA-256 of the body');
    }
    const upload = await this.session(req.uploadId, req.userId, req.requestId);
    if (upload.status !== UploadStatus.UPLOAD_STATUS_UPLOADING) {
      this.cache.drop(req.uploadId);
      throw new AppError('failed_precondition', 'upload is no longer accepting chunks');
    }
    if (Date.parse(upload.expiresAt) <= Date.now()) throw new AppError('failed_precondition', 'upload has expired');
    if (index >= upload.totalChunks)
      throw new AppError('invalid_argument', `chunk index must be below ${upload.totalChunks}`);
    const expected = expectedChunkLength(upload, index);
    if (req.declaredLength === undefined) throw new AppError('invalid_argument', 'Content-Length is required');
    if (req.declaredLength > expected)
      throw new AppError('payload_too_large', `chunk ${index} must be ${expected} bytes`);
    if (req.declaredLength < expected)
      throw new AppError('invalid_argument', `chunk ${index} must be ${expected} bytes`);
    const target = upload.target;
    if (!target) throw new AppError('internal', 'sessions returned no part target');
    return { index, expected, target, sha256: req.sha256 };
  }

  async receivedIndexes(
    uploadId: string,
    userId: string,
    requestId: string,
  ): Promise<{ received: number[]; totalChunks: number }> {
    const upload = await this.session(uploadId, userId, requestId);
    const { parts } = await this.sessions.listParts({ uploadId, userId }, { requestId });
    return { received: parts.map((p) => p.index), totalChunks: upload.totalChunks };
  }

  /**
   * One round trip before the body is stored (PreparePart): recorded already, or where to PUT it.
   * A refusal here means the cached session is stale (cancelled, expired, assembled): drop it.
   */
  private async prepare(
    req: ChunkRequest,
    index: number,
    length: number,
    sha256: string,
  ): Promise<PreparePartResponse> {
    try {
      const prepared = await this.sessions.preparePart(
        { uploadId: req.uploadId, userId: req.userId, index, sha256, length },
        { requestId: req.requestId },
      );
      if (!prepared.outcome) throw new AppError('internal', 'sessions prepared no part');
      return prepared;
    } catch (err) {
      if (AppError.isCode(err, 'failed_precondition') || AppError.isCode(err, 'not_found')) {
        this.cache.drop(req.uploadId);
      }
      throw err;
    }
  }

  private async assertStillOpen(req: ChunkRequest): Promise<void> {
    this.cache.drop(req.uploadId);
    const fresh = await this.session(req.uploadId, req.userId, req.requestId).catch(() => undefined);
    if (fresh && fresh.status !== UploadStatus.UPLOAD_STATUS_UPLOADING) {
      throw new AppError('failed_precondition', 'upload is no longer accepting chunks');
    }
  }

  /** The session for a token's user; another user's upload is `not_found` (never 403). */
  private async session(uploadId: string, userId: string, requestId: string): Promise<Upload> {
    let upload = this.cache.get(uploadId);
    if (!upload) {
      upload = await this.sessions.getUpload({ uploadId, userId }, { requestId });
      this.cache.set(upload);
    }
    // Sessions checks the owner too, but the cache may hold an upload read for its owner.
    if (upload.userId !== userId) throw new AppError('not_found', 'upload not found');
    return upload;
  }
}
