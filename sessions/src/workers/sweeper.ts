import type { Logger } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';

export interface SweeperDeps {
  uploads: UploadRepository;
  objects: ObjectStore;
  queue: AssemblyQueue;
  clock: Clock;
  logger: Logger;
}

/**
 * One sweep: expires UPLOADING sessions past their deadline (aborting the multipart upload and
 * releasing quota), and re-enqueues expired-but-complete ones instead, since their bytes are all
 * there. Safe to run on every replica at once: each change is a conditional write.
 */
export async function sweepOnce(deps: SweeperDeps, batch = 100): Promise<{ expired: number; requeued: number }> {
  const now = new Date(deps.clock.now()).toISOString();
  let expired = 0;
  let requeued = 0;
  for (const uploadId of await deps.uploads.listByStatus('UPLOADING', now, batch)) {
    const upload = await deps.uploads.get(uploadId);
    if (upload?.status !== 'UPLOADING') continue;
    if (upload.receivedChunks === upload.totalChunks) {
      await deps.queue.enqueue(uploadId);
      requeued += 1;
      continue;
    }
    if (await deps.uploads.end(uploadId, ['UPLOADING'], 'EXPIRED', { updatedAt: now })) {
      deps.logger.info({ uploadId }, 'upload expired');
      expired += 1;
      // Best effort: the bucket's lifecycle rule aborts what a crash or an S3 error leaves open.
      await deps.objects.abortMultipart(upload.objectKey, upload.multipartUploadId).catch((err: unknown) => {
        deps.logger.warn({ uploadId, err }, 'could not abort the multipart upload of an expired upload');
      });
    }
  }
  return { expired, requeued };
}

/** Runs `sweepOnce` every `intervalMs` until stopped; failures are logged and retried next round. */
export function startSweeper(deps: SweeperDeps, intervalMs: number): () => void {
  const timer = setInterval(() => {
    sweepOnce(deps).catch((err: unknown) => deps.logger.warn({ err }, 'sweep failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
