import { AppError, createLogger, type Logger } from '@lfusys/commons';
import {
  MemoryFileRepository,
  MemoryUploadRepository,
  MemoryUploadStore,
} from '../src/adapters/memory-upload-repository.ts';
import { Assembler } from '../src/domain/assembler.ts';
import { FileService } from '../src/domain/file-service.ts';
import { PartConfirmation } from '../src/domain/part-confirmation.ts';
import { PartUrls } from '../src/domain/part-urls.ts';
import type { TransferPolicy } from '../src/domain/transfer-mode.ts';
import { type UploadLimits, UploadService } from '../src/domain/upload-service.ts';
import type { UserDataDeps } from '../src/domain/user-data.ts';
import type { AssemblyQueue } from '../src/ports/assembly-queue.ts';
import type { Clock } from '../src/ports/clock.ts';
import type { ObjectStore, PresignedPart, UploadedPart } from '../src/ports/object-store.ts';
import type { SweeperDeps } from '../src/workers/sweeper.ts';

/** Time only moves when a test says so. */
export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** S3 as far as sessions drives it: multipart uploads open, objects that exist. */
export class MemoryObjectStore implements ObjectStore {
  readonly bucket = 'memory';
  readonly open = new Map<string, string>();
  readonly objects = new Map<string, { size: number; etag: string }>();
  /** Multipart uploads ever created. */
  created = 0;
  /** Parts written to each open multipart upload, by part number (what a client's PUTs left). */
  readonly uploaded = new Map<string, Map<number, UploadedPart>>();
  /** Whether ListParts reports checksums: S3 does, moto does not. */
  reportsChecksums = true;
  /** Every presign request, in order. */
  readonly presigned: Array<{ key: string; partNumber: number; sha256: string; expiresIn: number; length: number }> =
    [];
  /** ListParts calls made. */
  listCalls = 0;

  /** What a PUT to a part URL leaves in storage (`sha256` of the bytes actually sent). */
  putPart(multipartUploadId: string, partNumber: number, size: number, sha256: string): void {
    const parts = this.uploaded.get(multipartUploadId) ?? new Map<number, UploadedPart>();
    parts.set(partNumber, { partNumber, size, etag: `"etag-${partNumber}-${sha256.slice(0, 8)}"`, sha256 });
    this.uploaded.set(multipartUploadId, parts);
  }
  async presignUploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    sha256: string,
    expiresIn: number,
    length: number,
  ): Promise<PresignedPart> {
    this.presigned.push({ key, partNumber, sha256, expiresIn, length });
    const n = this.presigned.length;
    return {
      url: `memory://${key}?uploadId=${multipartUploadId}&partNumber=${partNumber}&signature=${n}`,
      headers: { 'x-amz-checksum-sha256': sha256 },
    };
  }
  async listUploadedParts(_key: string, multipartUploadId: string, range?: { from: number; to: number }) {
    this.listCalls += 1;
    if (!this.open.has(multipartUploadId)) throw new AppError('failed_precondition', 'no such upload');
    return [...(this.uploaded.get(multipartUploadId)?.values() ?? [])]
      .filter((p) => !range || (p.partNumber >= range.from && p.partNumber <= range.to))
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(({ sha256, ...rest }) => (this.reportsChecksums ? { ...rest, sha256 } : rest));
  }

  async createMultipart(key: string): Promise<string> {
    const id = `mpu-${++this.created}`;
    this.open.set(id, key);
    return id;
  }
  async completeMultipart(): Promise<string | null> {
    throw new Error('not used by these tests');
  }
  async abortMultipart(_key: string, multipartUploadId: string): Promise<void> {
    this.open.delete(multipartUploadId);
    this.uploaded.delete(multipartUploadId);
  }
  async head(key: string) {
    return this.objects.get(key) ?? null;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async presignDownload(key: string): Promise<string> {
    return `memory://${key}`;
  }
}

export class RecordingQueue implements AssemblyQueue {
  readonly sent: string[] = [];
  async enqueue(uploadId: string): Promise<void> {
    this.sent.push(uploadId);
  }
}

export const silentLogger: Logger = createLogger({ service: 'test', level: 'silent' });

export const testLimits: UploadLimits = {
  defaultChunkBytes: 1024,
  alignBytes: 1024,
  maxFileBytes: 1_000_000,
  quotaBytes: 10_000_000,
  maxInProgress: 5,
  ttlSeconds: 3600,
};

/** The domain wired to memory adapters and a manual clock. */
export function memorySessions(limits: Partial<UploadLimits> = {}, transfer?: TransferPolicy) {
  const store = new MemoryUploadStore();
  const repository = new MemoryUploadRepository(store);
  const objects = new MemoryObjectStore();
  const queue = new RecordingQueue();
  const clock = new ManualClock();
  let ids = 0;
  const uploads = new UploadService({
    uploads: repository,
    objects,
    queue,
    clock,
    limits: { ...testLimits, ...limits },
    transfer: transfer ?? { defaultTransfer: 'relay', directEnabled: true },
    logger: silentLogger,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  });
  const files = new FileService(new MemoryFileRepository(store), objects, 300, clock);
  const userData: UserDataDeps = { uploads, files, repository, clock };
  const sweeper: SweeperDeps = { uploads: repository, objects, queue, clock, logger: silentLogger };
  const assembler = new Assembler({ uploads: repository, objects, clock, logger: silentLogger });
  const partUrls = new PartUrls({ uploads: repository, objects, clock, ttlSeconds: 900 });
  const partConfirmation = new PartConfirmation({ uploads: repository, objects, queue, clock, logger: silentLogger });
  return {
    store,
    repository,
    objects,
    queue,
    clock,
    uploads,
    files,
    userData,
    sweeper,
    assembler,
    partUrls,
    partConfirmation,
  };
}

export const openInput = (userId: string, size = 2048) => ({
  userId,
  fileName: 'f.bin',
  size,
  contentType: '',
  sha256: '',
});
