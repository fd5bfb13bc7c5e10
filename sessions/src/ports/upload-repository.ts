import type { PartRecord, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';

export type RecordPartOutcome =
  | { kind: 'recorded'; upload: UploadSession }
  | { kind: 'duplicate'; existing: PartRecord; upload: UploadSession }
  | { kind: 'not_uploading'; upload: UploadSession | null };

/** Upload sessions, their parts and quota reservations; every state change is a conditional write. */
export interface UploadRepository {
  /** Writes the session and reserves `size` bytes of the user's quota in one transaction. */
  create(upload: UploadSession, quotaBytes: number): Promise<void>;
  get(uploadId: string): Promise<UploadSession | null>;
  listByUser(userId: string): Promise<UploadSession[]>;
  /** Moves `uploadId` from one of `from` to `to`; false if it was in another state. */
  transition(
    uploadId: string,
    from: UploadStatus[],
    to: UploadStatus,
    extra?: Partial<UploadSession>,
  ): Promise<boolean>;
  /**
   * Ends an upload (CANCELLED, FAILED, EXPIRED): moves it from one of `from` to `to` and gives its
   * reserved bytes back to its owner's quota in one transaction, so a crash can never leave one
   * without the other. False if it was in another state (nothing written).
   */
  end(uploadId: string, from: UploadStatus[], to: UploadStatus, extra: Partial<UploadSession>): Promise<boolean>;
  /** Records a part and bumps the counters atomically, only while UPLOADING; idempotent per index. */
  recordPart(uploadId: string, part: PartRecord): Promise<RecordPartOutcome>;
  /** Every recorded part, in index order (paginates internally). */
  listParts(uploadId: string): Promise<PartRecord[]>;
  getPart(uploadId: string, index: number): Promise<PartRecord | null>;
  /** ASSEMBLING → COMPLETED and the file record, in one transaction; false if already completed. */
  complete(uploadId: string, file: StoredFile): Promise<boolean>;
  /** Sessions in `status` whose expiry is before `before` (ISO), oldest first. */
  listByStatus(status: UploadStatus, before: string, limit: number): Promise<string[]>;
}
