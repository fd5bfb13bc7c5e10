import type { PartRecord, SignedPart, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';

export type RecordPartOutcome =
  | { kind: 'recorded'; upload: UploadSession }
  | { kind: 'duplicate'; existing: PartRecord; upload: UploadSession }
  | { kind: 'not_uploading'; upload: UploadSession | null }
  | { kind: 'user_deleted' };

/** Several parts recorded at once, or nothing written (`conflict`): record them one by one to learn why. */
export type RecordPartsOutcome = { kind: 'recorded'; upload: UploadSession } | { kind: 'conflict' };

/** The most parts {@link UploadRepository.recordParts} takes (a transaction holds 100 items). */
export const MAX_PARTS_PER_RECORD = 90;

/**
 * Why `create` wrote nothing: the id exists (an idempotent replay), the owner was deleted, one of
 * the per-user limits fired, or the owner's usage record stayed contended by their own parallel
 * opens beyond the retries.
 */
export type CreateOutcome = 'created' | 'exists' | 'user_deleted' | 'quota_exceeded' | 'too_many_uploads' | 'contended';

export type CompleteOutcome = 'completed' | 'not_assembling' | 'user_deleted';

/** Per-user limits checked atomically with the write that opens an upload. */
export interface CreateLimits {
  quotaBytes: number;
  /** Uploads in progress (UPLOADING or ASSEMBLING) a user may have at once. */
  maxInProgress: number;
}

/** A user's counters and tombstone, as last written (a hint: `create` checks them atomically). */
export interface UserUsage {
  reservedBytes: number;
  uploadsInProgress: number;
  deleted: boolean;
}

export interface UploadPage {
  uploads: UploadSession[];
  /** Opaque; empty on the last page. */
  nextCursor: string;
}

/** What signing or confirming a batch of parts reads first: the upload and those parts' items. */
export interface PartBatchView {
  upload: UploadSession | null;
  recorded: Map<number, PartRecord>;
  /** Empty unless signatures were asked for. */
  signed: Map<number, SignedPart>;
}

/** Upload sessions, their parts, per-user usage and tombstones; every state change is a conditional write. */
export interface UploadRepository {
  /**
   * Writes the session, reserves `size` bytes and one in-progress slot of the user's usage, and
   * checks the user has no tombstone, all in one transaction: parallel opens cannot together
   * exceed a limit, and an open racing the account's deletion cannot slip in.
   */
  create(upload: UploadSession, limits: CreateLimits): Promise<CreateOutcome>;
  get(uploadId: string): Promise<UploadSession | null>;
  /** The user's usage and whether they were deleted, in one read. */
  usage(userId: string): Promise<UserUsage>;
  /** The user's uploads in progress, newest first (finished ones are not read at all). */
  listInProgress(userId: string, limit: number, cursor: string): Promise<UploadPage>;
  /**
   * Moves `uploadId` from one of `from` to another in-progress state: the upload as written (read
   * in the same write), or null if it was in another state and nothing was written.
   */
  transition(
    uploadId: string,
    from: UploadStatus[],
    to: UploadStatus,
    extra?: Partial<UploadSession>,
  ): Promise<UploadSession | null>;
  /**
   * Moves an UPLOADING upload whose every part is recorded to ASSEMBLING, in one conditional
   * write: the upload as written, or null (nothing written) when it is in another state or a part
   * is missing.
   */
  startAssembly(uploadId: string, updatedAt: string): Promise<UploadSession | null>;
  /**
   * Ends an upload (CANCELLED, FAILED, EXPIRED): moves it from one of `from` to `to`, gives its
   * reserved bytes and its in-progress slot back to its owner and starts its retention clock, in
   * one transaction, so a crash can never leave one without the other. False if it was in another
   * state (nothing written). `upload` is as the caller read it: only its id, owner and size are
   * used (fields that never change), its status is checked by the write. `extra.updatedAt` is
   * when it ended.
   */
  end(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'size'>,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession>,
  ): Promise<boolean>;
  /**
   * Records a part and bumps the counters atomically, only while UPLOADING and while its owner has
   * no tombstone; idempotent per index.
   */
  recordPart(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt'>,
    part: PartRecord,
  ): Promise<RecordPartOutcome>;
  /**
   * Records up to {@link MAX_PARTS_PER_RECORD} checked parts of one upload atomically: all, or
   * none (`conflict`) when one is recorded already, the upload is not UPLOADING, its owner was
   * deleted, or its count of parts is no longer the one in `upload` (as the caller read it:
   * another confirmation recorded parts meanwhile). The answer is `upload` with these parts
   * counted, known without reading it again.
   */
  recordParts(upload: UploadSession, parts: PartRecord[]): Promise<RecordPartsOutcome>;
  /** Every recorded part, in index order (paginates internally). */
  listParts(uploadId: string): Promise<PartRecord[]>;
  getPart(uploadId: string, index: number): Promise<PartRecord | null>;
  /**
   * The upload and, among `indexes` (at most 100), its recorded parts and — with `signatures` —
   * the last signature of each, all read consistently in one round trip where it can (DynamoDB:
   * one BatchGetItem instead of a read of the session and a query per kind of item). Absent
   * indexes are missing from the maps; an absent upload is null.
   */
  readPartBatch(uploadId: string, indexes: number[], signatures: boolean): Promise<PartBatchView>;
  /**
   * Remembers what a presigned part URL was signed for (at most 100 at once), so a confirmation
   * can check storage against it. A later signature of the same index replaces the earlier one.
   */
  saveSignedParts(upload: Pick<UploadSession, 'uploadId' | 'expiresAt'>, parts: SignedPart[]): Promise<void>;
  /**
   * Sets the whole file's declared SHA-256 only while the upload is UPLOADING, its set of parts is
   * not complete, and no other value is declared; false (nothing written) otherwise.
   */
  declareSha256(uploadId: string, sha256: string): Promise<boolean>;
  /**
   * ASSEMBLING → COMPLETED and the file record, releasing the in-progress slot (the bytes stay
   * reserved by the file), in one transaction that also checks the owner has no tombstone.
   */
  complete(uploadId: string, file: StoredFile): Promise<CompleteOutcome>;
  /** Sessions in `status` whose expiry is before `before` (ISO), oldest first, a page at a time. */
  listByStatus(
    status: UploadStatus,
    before: string,
    limit: number,
    cursor: string,
  ): Promise<{ uploadIds: string[]; nextCursor: string }>;
  /** Leaves a tombstone for a deleted user until `untilEpochSeconds` (idempotent). */
  markUserDeleted(userId: string, untilEpochSeconds: number): Promise<void>;
}
