import type { EngineCore } from './engine-core.ts';
import {
  describeError,
  isNetworkFailure,
  isNotFound,
  isRetryableStatus,
  isThrottled,
  isUnauthenticated,
  retryAfterOf,
} from './errors.ts';
import type { ChunkRun, FileTask } from './file-task.ts';
import { type TaskLifecycle, UPLOAD_GONE } from './task-lifecycle.ts';
import type { ChunkResponse, FailureReason, ServerUploadState } from './types.ts';

/** Shown when the login session behind the upload has ended (logout, password change, deletion). */
export const SESSION_ENDED = 'Your session ended — sign in again';
/** Token renewals in a row for one chunk before the file stops. */
const MAX_RENEWALS = 2;

/** How a failure weighs on the chunk's resend. */
type FailureKind =
  /** A server answer that is a failure (5xx, an unexplained 409): counts towards `maxAttempts`. */
  | 'attempt'
  /** No answer (network), "slow down" (429) or "too slow" (408): resent after a wait, never counted. */
  | 'wait';

/**
 * What happens after a chunk request ends: acknowledged, resent after a backoff, the token
 * renewed, a conflict resolved with the server, or the file stopped.
 */
export class ChunkOutcomes {
  constructor(
    private readonly core: EngineCore,
    private readonly lifecycle: TaskLifecycle,
  ) {}

  /** An HTTP answer to a chunk the engine did not stop itself. */
  handleResponse(task: FileTask, run: ChunkRun, response: ChunkResponse): void {
    const { status } = response;
    const { index } = run;
    if (status >= 200 && status < 300) this.acknowledge(task, run, response);
    else if (status === 401) this.renewToken(task, run);
    else if (status === 404) this.lifecycle.fail(task, UPLOAD_GONE, true, 'gone');
    else if (status === 409) void this.resolveConflict(task, index);
    else if (status === 429 || status === 408) {
      // 429: a per-user limit (DESIGN.md §9.3), wait as told. 408: the body came in too slowly
      // (the uploads service's minimum rate). Either way fewer at once, and not the chunk's fault.
      if (response.code !== 'too_many_uploads') this.core.parallelism.throttled(this.core.clock.now());
      this.resend(task, index, 'wait', `HTTP ${status}`, response.retryAfterSeconds);
    } else if (isRetryableStatus(status))
      this.resend(task, index, 'attempt', `HTTP ${status}`, response.retryAfterSeconds);
    // 400, 413, 415 and the like: the same bytes would be refused again.
    else this.lifecycle.fail(task, `chunk ${index} was refused (HTTP ${status})`, true, 'refused');
    if (status !== 401) task.renewals.delete(index);
  }

  /** The request ended without an answer: not the chunk's fault, and no attempt spent. */
  networkFailure(task: FileTask, run: ChunkRun, reason: string): void {
    this.core.network.failed(run.probe);
    this.resend(task, run.index, 'wait', reason);
    if (task.retryTimers.has(run.index)) task.networkRetries.add(run.index);
  }

  /** Hashing the chunk failed (the file became unreadable?): a counted attempt. */
  localFailure(task: FileTask, index: number, reason: string): void {
    this.resend(task, index, 'attempt', reason, undefined, 'unreadable');
  }

  /**
   * The server holds the chunk: its bytes count, and the link's speed teaches the parallelism. An
   * answer that says the set is complete ends sending (other chunks may have come from elsewhere).
   */
  acknowledge(task: FileTask, run: ChunkRun, response: ChunkResponse): void {
    const now = this.core.clock.now();
    if (run.stop === undefined && run.sentAt !== undefined) {
      // The transfer's time: until storage answered, when the confirmation came later (direct).
      this.core.parallelism.acknowledged((run.storedAt ?? now) - run.sentAt, run.parallel, now);
    }
    if (response.complete === true) {
      task.ackAll();
      this.core.statusChanged();
    }
    this.acknowledgeIndex(task, run.index);
  }

  private acknowledgeIndex(task: FileTask, index: number): void {
    if (task.ack(index)) {
      task.meter.record(this.core.clock.now(), task.chunkLength(index));
      // At most a few per second: the bar moves at once, unthrottled.
      this.core.statusChanged();
    }
    if (task.allAcked && (task.status === 'uploading' || task.status === 'paused'))
      this.lifecycle.startProcessing(task);
  }

  /** Schedules the resend after a backoff; a counted failure past `maxAttempts` fails the file. */
  private resend(
    task: FileTask,
    index: number,
    kind: FailureKind,
    reason: string,
    retryAfterSeconds?: number,
    cause: FailureReason = 'server',
  ): void {
    const tries = (task.tries.get(index) ?? 0) + 1;
    task.tries.set(index, tries);
    if (kind === 'attempt') {
      const attempt = (task.attempts.get(index) ?? 0) + 1;
      task.attempts.set(index, attempt);
      if (attempt >= this.core.settings.maxAttempts) {
        this.lifecycle.fail(task, `chunk ${index} failed after ${attempt} attempts (${reason})`, false, cause);
        return;
      }
    }
    if (task.status === 'paused') {
      task.requeue(index);
      return;
    }
    if (task.status !== 'uploading') return;
    const timer = this.core.timers.set(
      () => {
        task.retryTimers.delete(index);
        task.networkRetries.delete(index);
        task.requeue(index);
        this.core.pump();
      },
      this.core.backoff(tries, retryAfterSeconds),
    );
    task.retryTimers.set(index, timer);
  }

  /** One `getUpload` shared by every chunk of the file that needs one now. */
  private lookup(task: FileTask, uploadId: string): Promise<ServerUploadState> {
    task.lookup ??= Promise.resolve()
      .then(() => this.core.server.getUpload(uploadId))
      .finally(() => {
        task.lookup = undefined;
      });
    return task.lookup;
  }

  /**
   * 401: the upload token expired, or its login session ended. `getUpload` (with the app's
   * session, refreshed if needed) hands out a fresh token; if the session is over it answers 401
   * and the file stops. A fresh token refused twice in a row also means the session is over.
   */
  private renewToken(task: FileTask, run: ChunkRun): void {
    const { index } = run;
    const session = task.session;
    if (!session) return;
    const renewals = (task.renewals.get(index) ?? 0) + 1;
    if (renewals > MAX_RENEWALS) {
      this.lifecycle.fail(task, `${SESSION_ENDED} (the upload token was refused)`, false, 'session');
      return;
    }
    task.renewals.set(index, renewals);
    // Another chunk renewed the token meanwhile: just resend with it.
    if (session.transport.version !== run.targetVersion) {
      task.requeue(index);
      return;
    }
    task.renewing = true;
    void this.lookup(task, session.uploadId).then(
      (state) =>
        this.core.batch(() => {
          task.renewing = false;
          if (!this.core.isSending(task)) return;
          if (state.status !== 'uploading') return this.lifecycle.applyServerState(task, state);
          session.transport.refresh(state);
          task.requeue(index);
          this.core.pump();
        }),
      (error: unknown) =>
        this.core.batch(() => {
          task.renewing = false;
          this.lookupFailed(task, index, error);
          this.core.pump();
        }),
    );
  }

  /** 409: the server refused the chunk for its state; ask it what that state is. */
  private async resolveConflict(task: FileTask, index: number): Promise<void> {
    const session = task.session;
    if (!session) return;
    let state: ServerUploadState;
    try {
      state = await this.lookup(task, session.uploadId);
    } catch (error) {
      this.core.batch(() => this.lookupFailed(task, index, error));
      return;
    }
    this.core.batch(() => {
      if (!this.core.isSending(task)) return;
      if (state.status !== 'uploading') return this.lifecycle.applyServerState(task, state);
      session.transport.refresh(state);
      if (state.receivedIndexes.includes(index)) this.acknowledgeIndex(task, index);
      else this.resend(task, index, 'attempt', 'HTTP 409');
      this.core.pump();
    });
  }

  private lookupFailed(task: FileTask, index: number, error: unknown): void {
    if (!this.core.isSending(task)) return;
    if (isNotFound(error)) this.lifecycle.fail(task, UPLOAD_GONE, true, 'gone');
    // The resume entry stays: after signing in again, picking the file continues it.
    else if (isUnauthenticated(error)) this.lifecycle.fail(task, SESSION_ENDED, false, 'session');
    else {
      if (isNetworkFailure(error)) this.core.network.failed(false);
      const kind = isNetworkFailure(error) || isThrottled(error) ? 'wait' : 'attempt';
      this.resend(task, index, kind, describeError(error), retryAfterOf(error));
      this.core.pump();
    }
  }
}
