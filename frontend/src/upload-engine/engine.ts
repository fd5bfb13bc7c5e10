import { ChunkOutcomes, SESSION_ENDED } from './chunk-outcomes.ts';
import { ChunkSender } from './chunk-sender.ts';
import { EngineCore } from './engine-core.ts';
import { describeError, failureReasonOf, isUnauthenticated } from './errors.ts';
import { FileTask } from './file-task.ts';
import type { NetworkState } from './network-gate.ts';
import { type Prepared, prepareUpload } from './preparation.ts';
import { Sha256Declarations } from './sha256-declaration.ts';
import { bestEffort, TaskLifecycle } from './task-lifecycle.ts';
import type { Timer } from './timers.ts';
import type { EngineOptions, EngineSnapshot, FileStatus, UploadSource } from './types.ts';

export { PROGRESS_THROTTLE_MS } from './engine-core.ts';

/** While bytes move the snapshot is refreshed this often, so speed and ETA follow the clock. */
const TICK_MS = 1000;
const FINISHED: ReadonlySet<FileStatus> = new Set(['completed', 'failed', 'cancelled']);
const PAUSABLE: ReadonlySet<FileStatus> = new Set(['queued', 'preparing', 'uploading']);

/**
 * Uploads files in chunks, in parallel, with retries, stall detection, pause/resume and resume
 * across reloads. It waits out network loss without spending attempts, and runs fewer chunks at
 * once on a slow link. Framework-free: the UI reads {@link getSnapshot} and listens with
 * {@link subscribe} (shaped for React's `useSyncExternalStore`).
 */
export class UploadEngine {
  private readonly core: EngineCore;
  private readonly lifecycle: TaskLifecycle;
  private readonly sender: ChunkSender;
  private readonly declarations: Sha256Declarations;
  private nextId = 1;
  private tickTimer: Timer | undefined;

  constructor(options: EngineOptions) {
    this.core = new EngineCore(options, (state, previous) => this.onNetworkChange(state, previous));
    this.core.pump = () => this.pump();
    this.lifecycle = new TaskLifecycle(this.core);
    this.sender = new ChunkSender(this.core, new ChunkOutcomes(this.core, this.lifecycle));
    this.declarations = new Sha256Declarations(this.core, this.lifecycle, (task, signal) =>
      this.core.preparationContext(task, () => signal.aborted || this.core.disposed),
    );
  }

  /** Queues files; they start on their own, in order. Returns their local ids. */
  add(sources: readonly UploadSource[]): string[] {
    if (this.core.disposed) throw new Error('the upload engine has been disposed');
    return this.core.batch(() => {
      const ids = sources.map((source) => {
        const task = new FileTask(`file-${this.nextId++}`, source);
        this.core.tasks.push(task);
        return task.id;
      });
      this.core.statusChanged();
      this.pump();
      return ids;
    });
  }

  /** Pauses one file, or every file: requests in flight are aborted and resent on resume. */
  pause(id?: string): void {
    this.core.batch(() => {
      for (const task of this.targets(id)) this.pauseTask(task);
      this.pump();
    });
  }

  /** Resumes one paused file, or every paused file. */
  resume(id?: string): void {
    this.core.batch(() => {
      for (const task of this.targets(id)) this.resumeTask(task);
      this.pump();
    });
  }

  /** Cancels one file, or every unfinished file; the server upload is cancelled and forgotten. */
  cancel(id?: string): void {
    this.core.batch(() => {
      for (const task of this.targets(id)) this.cancelTask(task);
      this.pump();
    });
  }

  /** Starts one or every failed file again (same id): it resumes its server upload, or opens a new one. */
  retry(id?: string): void {
    const { tasks } = this.core;
    this.core.batch(() => {
      for (const task of this.targets(id).filter((t) => t.status === 'failed')) {
        tasks.splice(tasks.indexOf(task), 1, new FileTask(task.id, task.source));
      }
      this.core.statusChanged();
      this.pump();
    });
  }

  /** Drops a completed, failed or cancelled file from the list. */
  remove(id: string): void {
    const { tasks } = this.core;
    this.core.batch(() => {
      const at = tasks.findIndex((task) => task.id === id);
      const task = tasks[at];
      if (!task || !FINISHED.has(task.status)) return;
      tasks.splice(at, 1);
      this.core.statusChanged();
    });
  }

  /** Calls `listener` after each new snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return this.core.publisher.subscribe(listener);
  }

  /** The current immutable snapshot; the same object until something changes. */
  getSnapshot(): EngineSnapshot {
    return this.core.publisher.current;
  }

  /** Chunk requests allowed in flight now (the parallelism adapted to the link). */
  get parallelism(): number {
    return this.core.parallelism.limit;
  }

  /** Aborts every request and clears every timer; the engine is unusable afterwards. */
  dispose(): void {
    const { core } = this;
    if (core.disposed) return;
    core.disposed = true;
    for (const task of core.tasks) {
      for (const run of task.inFlight.values()) this.lifecycle.abortRun(run, 'dispose');
      task.fileHash?.abort();
      task.meter.stop();
    }
    core.network.dispose();
    core.timers.close();
    core.publisher.close();
  }

  // ── Scheduling ────────────────────────────────────────────────────────────────────────────

  /**
   * Starts what can start: chunks of uploading files in file order while the network gate and
   * the parallelism allow, then the next queued file once the files before it have nothing left
   * waiting for a slot.
   */
  private pump(): void {
    const { core } = this;
    if (core.disposed) return;
    let backlog = false;
    for (const task of core.tasks) {
      const session = task.session;
      if (task.status !== 'uploading' || !session || task.renewing) continue;
      while (core.active < core.parallelism.limit && core.network.mayStart()) {
        const index = task.takePending();
        if (index === undefined) break;
        this.sender.start(task, session, index, core.network.starting());
      }
      if (task.hasPending()) backlog = true;
    }
    if (!backlog && !core.tasks.some((task) => task.preparing)) {
      const next = core.tasks.find((task) => task.status === 'queued');
      if (next) this.prepare(next);
    }
    this.ensureTicker();
  }

  private targets(id: string | undefined): FileTask[] {
    const { tasks } = this.core;
    return id === undefined ? [...tasks] : tasks.filter((task) => task.id === id);
  }

  private pauseTask(task: FileTask): void {
    if (!PAUSABLE.has(task.status)) return;
    task.status = 'paused';
    this.lifecycle.stopTransfers(task, 'pause');
    this.core.statusChanged();
  }

  private resumeTask(task: FileTask): void {
    if (task.status !== 'paused') return;
    if (task.preparing) task.status = 'preparing';
    else if (!task.session) task.status = 'queued';
    else if (task.allAcked) {
      this.lifecycle.startProcessing(task);
      return;
    } else {
      task.status = 'uploading';
      task.meter.start(this.core.clock.now());
    }
    this.core.statusChanged();
  }

  private cancelTask(task: FileTask): void {
    if (FINISHED.has(task.status)) return;
    const serverUploading = task.session !== undefined && task.status !== 'processing' && !task.allAcked;
    task.status = 'cancelled';
    task.error = undefined;
    this.lifecycle.stopTransfers(task, 'stop');
    const uploadId = task.session?.uploadId;
    if (uploadId !== undefined && serverUploading) bestEffort(() => this.core.server.cancelUpload(uploadId));
    this.lifecycle.forget(task);
    this.core.statusChanged();
  }

  /**
   * Offline: requests in flight are stopped (their chunks wait in the queue, no attempt spent) and
   * speed is no longer measured. Back online: measuring restarts, and the queue moves again.
   */
  private onNetworkChange(state: NetworkState, previous: NetworkState): void {
    const now = this.core.clock.now();
    for (const task of this.core.tasks) {
      if (state === 'offline') for (const run of task.inFlight.values()) this.lifecycle.abortRun(run, 'offline');
      if (state !== 'online') task.meter.stop();
      else if (previous !== 'online' && task.status === 'uploading') {
        task.meter.start(now);
        this.lifecycle.resendNetworkWaits(task);
      }
    }
    this.core.statusChanged();
    this.pump();
  }

  // ── Preparing: fingerprint, resume or open ─────────────────────────────────────────────────

  private prepare(task: FileTask): void {
    const { core } = this;
    task.preparing = true;
    task.status = 'preparing';
    core.statusChanged();
    void prepareUpload(
      core.preparationContext(task, () => this.abandoned(task)),
      task.source,
    ).then(
      (prepared) =>
        core.batch(() => {
          task.preparing = false;
          if (prepared) this.onPrepared(task, prepared);
          this.pump();
        }),
      (error: unknown) =>
        core.batch(() => {
          task.preparing = false;
          const message = isUnauthenticated(error) ? SESSION_ENDED : describeError(error);
          if (!this.abandoned(task)) this.lifecycle.fail(task, message, false, failureReasonOf(error));
          this.pump();
        }),
    );
  }

  /** Cancelled or disposed: preparing stops at the next step. */
  private abandoned(task: FileTask): boolean {
    return this.core.disposed || task.status === 'cancelled';
  }

  private onPrepared(task: FileTask, prepared: Prepared): void {
    const { core } = this;
    task.session = prepared.session;
    if (core.disposed) return;
    if (task.status === 'cancelled') {
      const { uploadId } = prepared.session;
      if (prepared.received.length < prepared.session.totalChunks) {
        bestEffort(() => core.server.cancelUpload(uploadId));
      }
      this.lifecycle.forget(task);
      core.statusChanged();
      return;
    }
    task.applyReceived(prepared.received);
    if (task.allAcked) {
      this.lifecycle.startProcessing(task);
      return;
    }
    if (task.status === 'preparing') {
      task.status = 'uploading';
      task.meter.start(core.clock.now());
    }
    this.declarations.start(task);
    core.statusChanged();
  }

  /**
   * While a file is uploading: refresh progress every second so speed and ETA follow the clock,
   * and tell the parallelism how long the oldest request has been running.
   */
  private ensureTicker(): void {
    const { core } = this;
    if (this.tickTimer || core.disposed || !core.tasks.some((task) => task.status === 'uploading')) return;
    this.tickTimer = core.timers.set(() => {
      this.tickTimer = undefined;
      const now = core.clock.now();
      let oldest = now;
      for (const task of core.tasks) {
        for (const run of task.inFlight.values()) {
          if (run.sentAt !== undefined && run.storedAt === undefined) oldest = Math.min(oldest, run.sentAt);
        }
      }
      core.parallelism.inFlightFor(now - oldest, now);
      core.progressChanged();
      this.ensureTicker();
    }, TICK_MS);
  }
}
