import { createHash } from 'node:crypto';
import { createLogger, type Logger } from '@lfusys/commons';
import { ManualClock } from '@lfusys/commons/manual-clock';
import { MemoryAssemblyQueue } from '../src/adapters/memory-assembly-queue.ts';
import { MemoryObjectStore } from '../src/adapters/memory-object-store.ts';
import {
  MemoryFileRepository,
  MemoryUploadRepository,
  MemoryUploadStore,
} from '../src/adapters/memory-upload-repository.ts';
import { Assembler } from '../src/domain/assembler.ts';
import { FileService } from '../src/domain/file-service.ts';
import { PartConfirmation } from '../src/domain/part-confirmation.ts';
import { PartUrls } from '../src/domain/part-urls.ts';
import { RelayParts } from '../src/domain/relay-parts.ts';
import { announcingStatus, StatusSignals } from '../src/domain/status-signals.ts';
import type { TransferPolicy } from '../src/domain/transfer-mode.ts';
import { type UploadLimits, UploadService } from '../src/domain/upload-service.ts';
import type { UploadWatchDeps } from '../src/domain/upload-watch.ts';
import type { UserDataDeps } from '../src/domain/user-data.ts';
import type { SweeperDeps } from '../src/workers/sweeper.ts';

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
  const signals = new StatusSignals();
  const repository = announcingStatus(new MemoryUploadRepository(store), signals);
  const objects = new MemoryObjectStore();
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const queue = new MemoryAssemblyQueue(clock);
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
  const relayParts = new RelayParts({ uploads: repository, objects, clock });
  const statusWatch: UploadWatchDeps = { uploads: repository, signals, clock };
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
    relayParts,
    statusWatch,
  };
}

export const openInput = (userId: string, size = 2048) => ({
  userId,
  fileName: 'f.bin',
  size,
  contentType: '',
  sha256: '',
});

type Sessions = ReturnType<typeof memorySessions>;

/** Opens an upload of `file` (chunks of 1 KiB), writes every part to storage and records it. */
export async function uploaded(s: Sessions, file: Buffer, sha256: string, userId = 'alice') {
  const upload = await s.uploads.create({ ...openInput(userId, file.length), sha256 });
  for (let index = 0; index < upload.totalChunks; index++) {
    const bytes = file.subarray(index * upload.chunkSize, (index + 1) * upload.chunkSize);
    const etag = s.objects.putPart(upload.multipartUploadId, index + 1, bytes);
    const sha = createHash('sha256').update(bytes).digest('base64');
    await s.uploads.recordPart(upload.uploadId, upload.userId, { index, size: bytes.length, sha256: sha, etag });
  }
  return upload;
}
