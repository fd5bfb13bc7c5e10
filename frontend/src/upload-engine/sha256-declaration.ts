import { SESSION_ENDED } from './chunk-outcomes.ts';
import type { EngineCore } from './engine-core.ts';
import { describeError, failureReasonOf, isNotFound, isUnauthenticated } from './errors.ts';
import type { ChunkSession, FileTask } from './file-task.ts';
import { type PreparationContext, withApiRetry } from './preparation.ts';
import { bestEffort, type TaskLifecycle, UPLOAD_GONE } from './task-lifecycle.ts';
import { ApiError } from './types.ts';

/** The server already holds another SHA-256 for this upload: the file is not the one that started it. */
export const FILE_CHANGED = 'The file changed since this upload started — pick it again to upload it anew';

/**
 * Declares the whole file's SHA-256 (DESIGN.md §9.2): hashed in the Worker while the chunks
 * upload, then `PATCH /uploads/:id {sha256}`. Until it is declared the last never-sent chunk
 * stays back, so the set cannot complete before the server knows what to verify. Hashing that
 * fails (the platform cannot hash) lets the upload finish unverified; a declaration the server
 * refuses stops the file.
 */
export class Sha256Declarations {
  constructor(
    private readonly core: EngineCore,
    private readonly lifecycle: TaskLifecycle,
    /** API retries as preparing does them (network waits, backoff, attempts). */
    private readonly contextFor: (task: FileTask, signal: AbortSignal) => PreparationContext,
  ) {}

  /** Starts hashing and declaring for a file that has chunks left to send (once per file). */
  start(task: FileTask): void {
    const session = task.session;
    if (!session?.verifiesSha256 || task.allAcked || task.fileHash) return;
    const controller = new AbortController();
    task.fileHash = controller;
    task.holdLast = true;
    void this.declare(task, session, controller.signal);
  }

  private async declare(task: FileTask, session: ChunkSession, signal: AbortSignal): Promise<void> {
    let sha256: string;
    try {
      sha256 = await this.core.hasher.sha256File(task.source, signal);
    } catch {
      // Aborted (the file stopped), or this browser cannot hash: the upload goes on unverified.
      if (!signal.aborted) this.core.batch(() => this.release(task));
      return;
    }
    const context = this.contextFor(task, signal);
    try {
      await withApiRetry(context, () => this.core.server.declareSha256(session.uploadId, sha256));
    } catch (error) {
      if (!signal.aborted) this.core.batch(() => this.refused(task, session, error));
      return;
    }
    if (!signal.aborted) this.core.batch(() => this.release(task));
  }

  /** Declared (or given up): the held-back chunk may leave. */
  private release(task: FileTask): void {
    task.holdLast = false;
    task.fileHash = undefined;
    this.core.pump();
  }

  private refused(task: FileTask, session: ChunkSession, error: unknown): void {
    if (!this.core.isSending(task)) return;
    if (error instanceof ApiError && error.code === 'already_exists') {
      const { uploadId } = session;
      bestEffort(() => this.core.server.cancelUpload(uploadId));
      this.lifecycle.fail(task, FILE_CHANGED, true, 'file_changed');
    } else if (error instanceof ApiError && error.status === 409) void this.followServer(task, session);
    else if (isNotFound(error)) this.lifecycle.fail(task, UPLOAD_GONE, true, 'gone');
    else if (isUnauthenticated(error)) this.lifecycle.fail(task, SESSION_ENDED, false, 'session');
    else
      this.lifecycle.fail(
        task,
        `could not declare the file's SHA-256 (${describeError(error)})`,
        false,
        failureReasonOf(error),
      );
  }

  /** 409 `failed_precondition`: the upload left `uploading` (completed elsewhere, cancelled…). */
  private async followServer(task: FileTask, session: ChunkSession): Promise<void> {
    try {
      const state = await this.core.server.getUpload(session.uploadId);
      this.core.batch(() => {
        if (!this.core.isSending(task)) return;
        if (state.status === 'uploading') this.release(task);
        else this.lifecycle.applyServerState(task, state);
      });
    } catch (error) {
      this.core.batch(() => {
        if (this.core.isSending(task)) this.lifecycle.fail(task, describeError(error), false, failureReasonOf(error));
      });
    }
  }
}
