import type { EngineCore } from './engine-core.ts';
import { isNotFound, retryAfterOf } from './errors.ts';
import type { ChunkRun, FileTask, StopReason } from './file-task.ts';
import type { FailureReason, ServerUploadState } from './types.ts';

/** How long one assembly poll asks the server to hold its answer while nothing changes. */
const ASSEMBLY_WAIT_SECONDS = 20;

export const UPLOAD_GONE = 'upload no longer exists';
/** Shown for `failureCode: "checksum_mismatch"`: the assembled file is not the one whose SHA-256 was declared. */
export const CHECKSUM_MISMATCH = 'The file changed while uploading or was corrupted — its checksum did not match';

/** Why the server ended the upload, in words for the user. */
function failureMessage(state: ServerUploadState): string {
  if (state.failureCode === 'checksum_mismatch') return CHECKSUM_MISMATCH;
  return state.failureReason ?? `upload ${state.status}`;
}

/** What a server-ended upload means for the user. */
function failureReasonOfState(state: ServerUploadState): FailureReason {
  return state.failureCode === 'checksum_mismatch' ? 'checksum' : 'gone';
}

/** Runs `work` and drops its failure (best-effort calls: cancelling, forgetting). */
export function bestEffort(work: () => Promise<unknown>): void {
  void Promise.resolve()
    .then(work)
    .catch(() => undefined);
}

/**
 * Where a file goes once its chunks stop moving: stopped transfers, failed, cancelled by the
 * server, assembling (polled until the server is done) and completed.
 */
export class TaskLifecycle {
  constructor(private readonly core: EngineCore) {}

  /**
   * Ends the file's requests, retry waits and polling. Paused chunks go back to the queue. With
   * `spareSent`, a request whose bytes have all left is not cut: only its answer is on the way
   * (the server holds the chunk), and it is let end by itself, its outcome ignored.
   */
  stopTransfers(task: FileTask, reason: StopReason, spareSent = false): void {
    for (const run of task.inFlight.values()) {
      const sent = run.storedAt !== undefined || run.loaded >= task.chunkLength(run.index);
      if (spareSent && sent && !run.settled && run.stop === undefined) {
        run.stop = reason;
        this.core.timers.clear(run.stallTimer);
      } else this.abortRun(run, reason);
    }
    for (const [index, timer] of task.retryTimers) {
      this.core.timers.clear(timer);
      if (reason === 'pause') task.requeue(index);
    }
    task.retryTimers.clear();
    task.networkRetries.clear();
    this.core.timers.clear(task.pollTimer);
    task.pollTimer = undefined;
    task.meter.stop();
    if (reason !== 'pause') {
      task.clearPending();
      task.fileHash?.abort();
      task.fileHash = undefined;
      task.holdLast = false;
    }
  }

  /** The network is back: chunks that waited for it are resent now, not after their backoff. */
  resendNetworkWaits(task: FileTask): void {
    for (const index of task.networkRetries) {
      this.core.timers.clear(task.retryTimers.get(index));
      task.retryTimers.delete(index);
      task.requeue(index);
    }
    task.networkRetries.clear();
  }

  abortRun(run: ChunkRun, reason: StopReason): void {
    if (run.settled || run.stop !== undefined) return;
    run.stop = reason;
    this.core.timers.clear(run.stallTimer);
    run.controller.abort();
  }

  /** Drops the resume entry: picking the file again starts a new upload. */
  forget(task: FileTask): void {
    const key = task.fingerprint;
    if (key !== undefined) bestEffort(() => this.core.store.delete(key));
  }

  fail(task: FileTask, message: string, forgetUpload: boolean, reason: FailureReason): void {
    task.status = 'failed';
    task.error = message;
    task.failure = reason;
    this.stopTransfers(task, 'stop');
    if (forgetUpload) this.forget(task);
    this.core.statusChanged();
  }

  /** The server says the upload left `uploading` while this file was still sending. */
  applyServerState(task: FileTask, state: ServerUploadState): void {
    switch (state.status) {
      case 'uploading':
        return;
      case 'assembling':
        task.ackAll();
        this.startProcessing(task);
        break;
      case 'completed':
        task.ackAll();
        this.complete(task, state.fileId);
        break;
      case 'cancelled':
        task.status = 'cancelled';
        this.stopTransfers(task, 'stop');
        this.forget(task);
        this.core.statusChanged();
        break;
      default:
        this.fail(task, failureMessage(state), true, failureReasonOfState(state));
    }
  }

  /**
   * Every chunk is on the server: wait for it to assemble the file. A request still in flight is
   * a chunk whose answer has not arrived yet (the set completed with another's answer) or a
   * duplicate; the first is not cut, so no finished request shows as aborted.
   */
  startProcessing(task: FileTask): void {
    this.stopTransfers(task, 'stop', true);
    task.status = 'processing';
    task.error = undefined;
    task.pollFailures = 0;
    task.serverStatus = undefined;
    // At once: the server holds the answer until the assembly moves on.
    this.schedulePoll(task, 0);
    this.core.statusChanged();
  }

  complete(task: FileTask, fileId: string | undefined): void {
    this.stopTransfers(task, 'stop');
    task.status = 'completed';
    task.fileId = fileId;
    task.error = undefined;
    this.forget(task);
    this.core.statusChanged();
  }

  private schedulePoll(task: FileTask, delayMs: number): void {
    this.core.timers.clear(task.pollTimer);
    task.pollTimer = this.core.timers.set(() => {
      task.pollTimer = undefined;
      void this.poll(task);
    }, delayMs);
  }

  /** Asks the server how the assembly goes, holding the call open while nothing changes; failures to ask are retried for as long as it takes. */
  private async poll(task: FileTask): Promise<void> {
    const uploadId = task.session?.uploadId;
    if (uploadId === undefined) return;
    const { core } = this;
    let state: ServerUploadState;
    const asked = core.clock.now();
    try {
      state = await core.server.getUpload(uploadId, ASSEMBLY_WAIT_SECONDS);
    } catch (error) {
      core.batch(() => {
        if (core.disposed || task.status !== 'processing') return;
        if (isNotFound(error)) return this.fail(task, UPLOAD_GONE, true, 'gone');
        task.pollFailures++;
        const delay = core.backoff(task.pollFailures, retryAfterOf(error));
        this.schedulePoll(task, Math.max(core.settings.pollIntervalMs, delay));
      });
      return;
    }
    core.batch(() => {
      if (core.disposed || task.status !== 'processing') return;
      task.pollFailures = 0;
      switch (state.status) {
        case 'completed':
          return this.complete(task, state.fileId);
        case 'failed':
        case 'expired':
        case 'cancelled':
          return this.fail(task, failureMessage(state), true, failureReasonOfState(state));
        default: {
          // The server held the call until the status changed or its wait ran out: ask again at
          // once. A server that answered at once (no waiting) is asked once per poll interval.
          const changed = state.status !== task.serverStatus;
          task.serverStatus = state.status;
          const elapsed = core.clock.now() - asked;
          this.schedulePoll(task, changed ? 0 : Math.max(0, core.settings.pollIntervalMs - elapsed));
        }
      }
    });
  }
}
