import { AppError } from '@lfusys/commons';
import type { PartRecord, SignedPart, StoredFile, UploadSession, UploadStatus } from '../domain/upload.ts';
import type { FilePage, FileRepository } from '../ports/file-repository.ts';
import type {
  CompleteOutcome,
  CreateLimits,
  CreateOutcome,
  PartBatchView,
  RecordPartOutcome,
  RecordPartsOutcome,
  UploadPage,
  UploadRepository,
  UserUsage,
} from '../ports/upload-repository.ts';

const IN_PROGRESS = new Set<UploadStatus>(['UPLOADING', 'ASSEMBLING']);

/** The state both memory repositories share, as the two DynamoDB tables do. */
export class MemoryUploadStore {
  readonly sessions = new Map<string, UploadSession>();
  readonly parts = new Map<string, Map<number, PartRecord>>();
  readonly signed = new Map<string, Map<number, SignedPart>>();
  readonly usage = new Map<string, { reservedBytes: number; uploadsInProgress: number }>();
  readonly tombstones = new Map<string, number>();
  readonly files = new Map<string, StoredFile>();

  usageOf(userId: string) {
    let usage = this.usage.get(userId);
    if (!usage) {
      usage = { reservedBytes: 0, uploadsInProgress: 0 };
      this.usage.set(userId, usage);
    }
    return usage;
  }
}

/**
 * Newest first by (createdAt, id). The cursor is the last key returned with its owner, base64url
 * JSON as the DynamoDB adapters' are, and like theirs refused (`invalid_argument`) unless this
 * owner's listing issued it.
 */
function page<T>(
  items: T[],
  key: (t: T) => string,
  owner: string,
  limit: number,
  cursor: string,
): { items: T[]; nextCursor: string } {
  const after = cursor === '' ? undefined : decodeCursor(cursor, owner);
  const sorted = [...items].sort((a, b) => key(b).localeCompare(key(a)));
  const slice = sorted.filter((t) => after === undefined || key(t) < after).slice(0, limit);
  const last = slice.at(-1);
  const nextCursor =
    slice.length === limit && last
      ? Buffer.from(JSON.stringify({ owner, after: key(last) })).toString('base64url')
      : '';
  return { items: slice, nextCursor };
}

function decodeCursor(cursor: string, owner: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      owner?: unknown;
      after?: unknown;
    };
    if (parsed.owner === owner && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_argument', 'invalid cursor', { details: { field: 'cursor' } });
}

/** Copies of the entries of `items` at `indexes`. */
function pick<T>(items: Map<number, T> | undefined, indexes: number[]): Map<number, T> {
  const out = new Map<number, T>();
  for (const index of indexes) {
    const item = items?.get(index);
    if (item) out.set(index, { ...item });
  }
  return out;
}

/**
 * The UploadRepository contract in memory, for unit tests of the domain rules: the same
 * conditional, all-or-nothing semantics as the DynamoDB adapter (JavaScript runs each call's
 * synchronous part without interleaving, which stands in for a transaction).
 */
export class MemoryUploadRepository implements UploadRepository {
  constructor(readonly store = new MemoryUploadStore()) {}

  async create(upload: UploadSession, limits: CreateLimits): Promise<CreateOutcome> {
    if (this.store.sessions.has(upload.uploadId)) return 'exists';
    if (this.store.tombstones.has(upload.userId)) return 'user_deleted';
    const usage = this.store.usageOf(upload.userId);
    if (usage.uploadsInProgress >= limits.maxInProgress) return 'too_many_uploads';
    if (usage.reservedBytes > limits.quotaBytes - upload.size) return 'quota_exceeded';
    usage.uploadsInProgress += 1;
    usage.reservedBytes += upload.size;
    this.store.sessions.set(upload.uploadId, { ...upload });
    return 'created';
  }

  async get(uploadId: string): Promise<UploadSession | null> {
    const upload = this.store.sessions.get(uploadId);
    return upload ? { ...upload } : null;
  }

  async usage(userId: string): Promise<UserUsage> {
    return { ...this.store.usageOf(userId), deleted: this.store.tombstones.has(userId) };
  }

  async listInProgress(userId: string, limit: number, cursor: string): Promise<UploadPage> {
    const mine = [...this.store.sessions.values()].filter((u) => u.userId === userId && IN_PROGRESS.has(u.status));
    const out = page(mine, (u) => `${u.createdAt}|${u.uploadId}`, userId, limit, cursor);
    return { uploads: out.items.map((u) => ({ ...u })), nextCursor: out.nextCursor };
  }

  async transition(uploadId: string, from: UploadStatus[], to: UploadStatus, extra: Partial<UploadSession> = {}) {
    const upload = this.store.sessions.get(uploadId);
    if (!upload || !from.includes(upload.status)) return null;
    Object.assign(upload, extra, { status: to });
    return { ...upload };
  }

  async startAssembly(uploadId: string, updatedAt: string) {
    const upload = this.store.sessions.get(uploadId);
    if (upload?.status !== 'UPLOADING' || upload.receivedChunks !== upload.totalChunks) return null;
    Object.assign(upload, { status: 'ASSEMBLING', updatedAt });
    return { ...upload };
  }

  async end(
    ended: Pick<UploadSession, 'uploadId' | 'userId' | 'size'>,
    from: UploadStatus[],
    to: UploadStatus,
    extra: Partial<UploadSession>,
  ) {
    const upload = this.store.sessions.get(ended.uploadId);
    if (!upload || !from.includes(upload.status)) return false;
    Object.assign(upload, extra, { status: to });
    const usage = this.store.usageOf(upload.userId);
    usage.reservedBytes -= upload.size;
    usage.uploadsInProgress -= 1;
    return true;
  }

  async recordPart(
    upload: Pick<UploadSession, 'uploadId' | 'userId' | 'expiresAt'>,
    part: PartRecord,
  ): Promise<RecordPartOutcome> {
    const current = this.store.sessions.get(upload.uploadId);
    const parts = this.store.parts.get(upload.uploadId) ?? new Map<number, PartRecord>();
    const existing = parts.get(part.index);
    if (this.store.tombstones.has(upload.userId)) return { kind: 'user_deleted' };
    if (existing && current) return { kind: 'duplicate', existing, upload: { ...current } };
    if (current?.status !== 'UPLOADING') return { kind: 'not_uploading', upload: current ? { ...current } : null };
    parts.set(part.index, { ...part });
    this.store.parts.set(upload.uploadId, parts);
    current.receivedChunks += 1;
    current.receivedBytes += part.size;
    return { kind: 'recorded', upload: { ...current } };
  }

  async recordParts(upload: UploadSession, parts: PartRecord[]): Promise<RecordPartsOutcome> {
    const current = this.store.sessions.get(upload.uploadId);
    const recorded = this.store.parts.get(upload.uploadId) ?? new Map<number, PartRecord>();
    if (this.store.tombstones.has(upload.userId) || current?.status !== 'UPLOADING') return { kind: 'conflict' };
    if (current.receivedChunks !== upload.receivedChunks) return { kind: 'conflict' };
    // One transaction cannot write one item twice: a batch naming an index twice writes nothing.
    const indexes = new Set(parts.map((part) => part.index));
    if (indexes.size < parts.length || [...indexes].some((index) => recorded.has(index))) return { kind: 'conflict' };
    for (const part of parts) recorded.set(part.index, { ...part });
    this.store.parts.set(upload.uploadId, recorded);
    current.receivedChunks += parts.length;
    current.receivedBytes += parts.reduce((sum, part) => sum + part.size, 0);
    // As the DynamoDB adapter answers: the caller's upload with the parts counted.
    return {
      kind: 'recorded',
      upload: { ...upload, receivedChunks: current.receivedChunks, receivedBytes: current.receivedBytes },
    };
  }

  async listParts(uploadId: string): Promise<PartRecord[]> {
    return [...(this.store.parts.get(uploadId)?.values() ?? [])]
      .map((p) => ({ ...p }))
      .sort((a, b) => a.index - b.index);
  }

  async getPart(uploadId: string, index: number): Promise<PartRecord | null> {
    const part = this.store.parts.get(uploadId)?.get(index);
    return part ? { ...part } : null;
  }

  async readPartBatch(uploadId: string, indexes: number[], signatures: boolean): Promise<PartBatchView> {
    return {
      upload: await this.get(uploadId),
      recorded: pick(this.store.parts.get(uploadId), indexes),
      signed: signatures ? pick(this.store.signed.get(uploadId), indexes) : new Map(),
    };
  }

  async saveSignedParts(upload: Pick<UploadSession, 'uploadId'>, parts: SignedPart[]): Promise<void> {
    const signed = this.store.signed.get(upload.uploadId) ?? new Map<number, SignedPart>();
    for (const part of parts) signed.set(part.index, { ...part });
    this.store.signed.set(upload.uploadId, signed);
  }

  async declareSha256(uploadId: string, sha256: string): Promise<boolean> {
    const upload = this.store.sessions.get(uploadId);
    if (upload?.status !== 'UPLOADING' || upload.receivedChunks >= upload.totalChunks) return false;
    if (upload.sha256 !== '' && upload.sha256 !== sha256) return false;
    upload.sha256 = sha256;
    return true;
  }

  async complete(uploadId: string, file: StoredFile): Promise<CompleteOutcome> {
    const upload = this.store.sessions.get(uploadId);
    if (this.store.tombstones.has(file.userId)) return 'user_deleted';
    if (upload?.status !== 'ASSEMBLING' || this.store.files.has(file.fileId)) return 'not_assembling';
    this.store.files.set(file.fileId, { ...file });
    Object.assign(upload, { status: 'COMPLETED', fileId: file.fileId, updatedAt: file.createdAt });
    this.store.usageOf(file.userId).uploadsInProgress -= 1;
    return 'completed';
  }

  async listByStatus(status: UploadStatus, before: string, limit: number, cursor: string) {
    const matching = [...this.store.sessions.values()]
      .filter((u) => u.status === status && u.expiresAt < before)
      .sort((a, b) => `${a.expiresAt}|${a.uploadId}`.localeCompare(`${b.expiresAt}|${b.uploadId}`));
    const start = cursor === '' ? 0 : matching.findIndex((u) => `${u.expiresAt}|${u.uploadId}` > cursor);
    const slice = start < 0 ? [] : matching.slice(start, start + limit);
    const last = slice.at(-1);
    return {
      uploadIds: slice.map((u) => u.uploadId),
      nextCursor: slice.length === limit && last ? `${last.expiresAt}|${last.uploadId}` : '',
    };
  }

  async markUserDeleted(userId: string, untilEpochSeconds: number): Promise<void> {
    this.store.tombstones.set(userId, untilEpochSeconds);
  }
}

/** The FileRepository contract in memory, over the same store (deleting a file releases its bytes). */
export class MemoryFileRepository implements FileRepository {
  constructor(readonly store: MemoryUploadStore) {}

  async get(fileId: string): Promise<StoredFile | null> {
    const file = this.store.files.get(fileId);
    return file ? { ...file } : null;
  }

  async listByOwner(userId: string, limit: number, cursor: string): Promise<FilePage> {
    const mine = [...this.store.files.values()].filter((f) => f.userId === userId);
    const out = page(mine, (f) => `${f.createdAt}|${f.fileId}`, userId, limit, cursor);
    return { files: out.items.map((f) => ({ ...f })), nextCursor: out.nextCursor };
  }

  async rename(fileId: string, name: string): Promise<StoredFile> {
    const file = this.store.files.get(fileId);
    if (!file) throw new AppError('not_found', 'file not found');
    file.name = name;
    return { ...file };
  }

  async delete(file: StoredFile): Promise<boolean> {
    if (!this.store.files.delete(file.fileId)) return false;
    this.store.usageOf(file.userId).reservedBytes -= file.size;
    return true;
  }
}
