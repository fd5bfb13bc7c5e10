import type { Logger } from '@lfusys/commons';
import type { UploadSession } from '../domain/upload.ts';
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

export interface SweepOptions {
  /** Expired uploads read per page of the `byStatus` index. */
  batchSize?: number;
  /** Uploads handled at once within a page. */
  concurrency?: number;
  /** A sweep stops starting new pages once it has run this long; the next tick carries on. */
  budgetMs?: number;
}

export interface SweepResult {
  expired: number;
  requeued: number;
  /** True when the time budget ran out with expired uploads possibly left for the next tick. */
  truncated: boolean;
}

/**
 * One sweep: drains every UPLOADING session past its deadline, page after page, until none is
 * left or the time budget runs out. Each is expired (multipart upload aborted, quota and its
 * in-progress slot released) or, if all its parts are there, re-enqueued for assembly instead.
 * The pages follow the index forward, so a re-enqueued upload (still UPLOADING) is not read again
 * in the same sweep. Safe to run on every replica at once: each change is a conditional write.
 */
export async function sweepOnce(deps: SweeperDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const { batchSize = 100, concurrency = 8, budgetMs = 30_000 } = options;
  const started = deps.clock.now();
  const now = new Date(started).toISOString();
  const result: SweepResult = { expired: 0, requeued: 0, truncated: false };
  let cursor = '';
  do {
    if (deps.clock.now() - started >= budgetMs) {
      result.truncated = true;
      break;
    }
    const page = await deps.uploads.listByStatus('UPLOADING', now, batchSize, cursor);
    for (let i = 0; i < page.uploadIds.length; i += concurrency) {
      const outcomes = await Promise.all(page.uploadIds.slice(i, i + concurrency).map((id) => sweepOne(deps, id, now)));
      for (const outcome of outcomes) if (outcome !== 'skipped') result[outcome] += 1;
    }
    cursor = page.nextCursor;
  } while (cursor !== '');
  if (result.expired + result.requeued > 0 || result.truncated) deps.logger.info(result, 'sweep done');
  return result;
}

async function sweepOne(deps: SweeperDeps, uploadId: string, now: string): Promise<'expired' | 'requeued' | 'skipped'> {
  const upload = await deps.uploads.get(uploadId);
  if (upload?.status !== 'UPLOADING') return 'skipped';
  if (upload.receivedChunks === upload.totalChunks) {
    await deps.queue.enqueue(uploadId);
    return 'requeued';
  }
  if (!(await deps.uploads.end(upload, ['UPLOADING'], 'EXPIRED', { updatedAt: now }))) return 'skipped';
  deps.logger.info({ uploadId }, 'upload expired');
  await abortQuietly(deps, upload);
  return 'expired';
}

/** Best effort: the bucket's lifecycle rule aborts what a crash or an S3 error leaves open. */
async function abortQuietly(deps: SweeperDeps, upload: UploadSession): Promise<void> {
  await deps.objects.abortMultipart(upload.objectKey, upload.multipartUploadId).catch((err: unknown) => {
    deps.logger.warn({ uploadId: upload.uploadId, err }, 'could not abort the multipart upload of an expired upload');
  });
}

/**
 * Runs `sweepOnce` every `intervalMs` until stopped. A sweep never overlaps the previous one (the
 * next is scheduled when it ends), and one cut short by its budget is followed at once, so a
 * backlog drains continuously. Failures are logged and retried next round.
 */
export function startSweeper(deps: SweeperDeps, intervalMs: number, options: SweepOptions = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweepOnce(deps, options).then(
        (result) => schedule(result.truncated ? 0 : intervalMs),
        (err: unknown) => {
          deps.logger.warn({ err }, 'sweep failed');
          schedule(intervalMs);
        },
      );
    }, delayMs);
    timer.unref();
  };
  schedule(intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
