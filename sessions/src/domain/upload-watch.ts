import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import type { StatusSignals } from './status-signals.ts';
import type { UploadSession } from './upload.ts';

/** The longest a GetUpload may wait for a change (its `wait_ms` is capped here). */
export const MAX_STATUS_WAIT_MS = 20_000;
/**
 * How often a waiting call re-reads the upload: the bound on how late it sees a change written by
 * another sessions process (this process's own writes wake it at once).
 */
export const STATUS_RECHECK_MS = 1000;

export interface UploadWatchDeps {
  uploads: UploadRepository;
  signals: StatusSignals;
  clock: Clock;
}

const IN_PROGRESS = new Set(['UPLOADING', 'ASSEMBLING']);

/**
 * `first` (the upload as the call found it, owner-checked) once its status differs, or as it is
 * after `waitMs` (capped at {@link MAX_STATUS_WAIT_MS}), or when `signal` aborts: one call instead
 * of a client polling while its upload assembles. A finished upload, a zero wait, a draining
 * service or no free waiting place (StatusSignals.admit: per process and per user) answers at once. Each round listens before it reads, so a change between the two is not missed.
 */
export async function watchUpload(
  deps: UploadWatchDeps,
  first: UploadSession,
  waitMs: number,
  signal?: AbortSignal,
): Promise<UploadSession> {
  const wait = Math.min(waitMs, MAX_STATUS_WAIT_MS);
  const { signals } = deps;
  if (wait <= 0 || !IN_PROGRESS.has(first.status) || !signals.admit(first.userId)) return first;
  try {
    const deadline = deps.clock.now() + wait;
    let current = first;
    for (;;) {
      const left = deadline - deps.clock.now();
      if (left <= 0 || signal?.aborted || signals.closed) return current;
      const woken = signals.next(first.uploadId, Math.min(left, STATUS_RECHECK_MS), signal);
      const read = await deps.uploads.get(first.uploadId);
      // Deleted with its owner's data meanwhile: as gone as another user's upload.
      if (!read) throw new AppError('not_found', 'upload not found');
      current = read;
      if (current.status !== first.status) {
        signals.notify(first.uploadId);
        return current;
      }
      await woken;
    }
  } finally {
    signals.leave(first.userId);
  }
}
