import { backoffDelay } from './backoff.ts';
import { realClock } from './clock.ts';
import { abortError, describeError, isNotFound, isRetryableStatus, retryAfterOf } from './errors.ts';
import { type ChunkRun, type ChunkSession, FileTask, type StopReason } from './file-task.ts';
import { type PreparationContext, type Prepared, prepareUpload } from './preparation.ts';
import { SnapshotPublisher } from './publisher.ts';
import { buildSnapshot } from './snapshot.ts';
import { type Timer, TimerSet } from './timers.ts';
import type {
  ChunkResponse,
  Clock,
  EngineOptions,
  EngineSnapshot,
  FileStatus,
  Hasher,
  ResumeStore,
  ServerUploadState,
  Transport,
  UploadSource,
} from './types.ts';

/** Progress notifications are at most this often (status changes are immediate). */
export const PROGRESS_THROTTLE_MS = 100;
/** While bytes move the snapshot is refreshed this often, so speed and ETA decay when they stop. */
const TICK_MS = 1000;
/** Token renewals in a row for one chunk before the file fails. */
const MAX_RENEWALS = 2;
const UPLOAD_GONE = 'upload no longer exists';

const FINISHED: ReadonlySet<FileStatus> = new Set(['completed', 'failed', 'cancelled']);
const PAUSABLE: ReadonlySet<FileStatus> = new Set(['queued', 'preparing', 'uploading']);

/** How one chunk request ended. */
type ChunkOutcome = { kind: 'response'; response: ChunkResponse } | { kind: 'error'; error: unknown };

/** Runs `work` and drops its failure (best-effort calls: cancelling, forgetting). */
function bestEffort(work: () => Promise<unknown>): void {
  void Promise.resolve()
    .then(work)
    .catch(() => undefined);
}

/**
 * Uploads files in chunks, in parallel, with retries, stall detection, pause/resume and resume
 * across reloads. Framework-free: the UI reads {@link getSnapshot} and listens with
 * {@link subscribe} (shaped for React's `useSyncExternalStore`).
 */
export class UploadEngine {
  private readonly transport: Transport;
  private readonly hasher: Hasher;
  private readonly store: ResumeStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly stallTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly pollIntervalMs: number;

  private readonly tasks: FileTask[] = [];
  private readonly timers: TimerSet;
  private readonly publisher: SnapshotPublisher;
  /** Chunk requests under way (hashing included), across all files. */
  private active = 0;
  private nextId = 1;
  private disposed = false;
  private tickTimer: Timer | undefined;

  constructor(options: EngineOptions) {
    this.transport = options.transport;
    this.hasher = options.hasher;
    this.store = options.store;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = options.backoffCapMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.timers = new TimerSet(this.clock, (callback) => this.batch(callback));
    this.publisher = new SnapshotPublisher(
      this.clock,
      this.timers,
      (now, previous) => buildSnapshot(this.tasks, now, previous),
      PROGRESS_THROTTLE_MS,
    );
  }

  /** Queues files; they start on their own, in order. Returns their local ids. */
  add(sources: readonly UploadSource[]): string[] {
    if (this.disposed) throw new Error('the upload engine has been disposed');
    return this.batch(() => {
      const ids = sources.map((source) => {
        const task = new FileTask(`file-${this.nextId++}`, source);
        this.tasks.push(task);
        return task.id;
      });
      this.statusChanged();
      this.pump();
      return ids;
    });
  }

  /** Pauses one file, or every file: requests in flight are aborted and resent on resume. */
  pause(id?: string): void {
    this.batch(() => {
      for (const task of this.targets(id)) this.pauseTask(task);
      this.pump();
    });
  }

  /** Resumes one paused file, or every paused file. */
  resume(id?: string): void {
    this.batch(() => {
      for (const task of this.targets(id)) this.resumeTask(task);
      this.pump();
    });
  }

  /** Cancels one file, or every unfinished file; the server upload is cancelled and forgotten. */
  cancel(id?: string): void {
    this.batch(() => {
      for (const task of this.targets(id)) this.cancelTask(task);
      this.pump();
    });
  }

  /** Drops a completed, failed or cancelled file from the list. */
  remove(id: string): void {
    this.batch(() => {
      const at = this.tasks.findIndex((task) => task.id === id);
      const task = this.tasks[at];
      if (!task || !FINISHED.has(task.status)) return;
      this.tasks.splice(at, 1);
      this.statusChanged();
    });
  }

  /** Calls `listener` after each new snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return this.publisher.subscribe(listener);
  }

  /** The current immutable snapshot; the same object until something changes. */
  getSnapshot(): EngineSnapshot {
    return this.publisher.current;
  }

  /** Aborts every request and clears every timer; the engine is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const task of this.tasks) {
      for (const run of task.inFlight.values()) this.abortRun(run, 'dispose');
      task.meter.stop();
    }
    this.timers.close();
    this.publisher.close();
  }

  // ── Scheduling ────────────────────────────────────────────────────────────────────────────

  /**
   * Starts what can start: chunks of uploading files in file order while request slots are free,
   * then the next queued file once the files before it have nothing left waiting for a slot.
   */
  private pump(): void {
    if (this.disposed) return;
    let backlog = false;
    for (const task of this.tasks) {
      const session = task.session;
      if (task.status !== 'uploading' || !session || task.renewing) continue;
      while (this.active < this.concurrency) {
        const index = task.takePending();
        if (index === undefined) break;
        this.startChunk(task, session, index);
      }
      if (task.hasPending()) backlog = true;
    }
    if (!backlog && !this.tasks.some((task) => task.preparing)) {
      const next = this.tasks.find((task) => task.status === 'queued');
      if (next) this.prepare(next);
    }
    this.ensureTicker();
  }

  private targets(id: string | undefined): FileTask[] {
    return id === undefined ? [...this.tasks] : this.tasks.filter((task) => task.id === id);
  }

  private pauseTask(task: FileTask): void {
    if (!PAUSABLE.has(task.status)) return;
    task.status = 'paused';
    this.stopTransfers(task, 'pause');
    this.statusChanged();
  }

  private resumeTask(task: FileTask): void {
    if (task.status !== 'paused') return;
    if (task.preparing) task.status = 'preparing';
    else if (!task.session) task.status = 'queued';
    else if (task.allAcked) {
      this.startProcessing(task);
      return;
    } else {
      task.status = 'uploading';
      task.meter.start(this.clock.now());
    }
    this.statusChanged();
  }

  private cancelTask(task: FileTask): void {
    if (FINISHED.has(task.status)) return;
    const serverUploading = task.session !== undefined && task.status !== 'processing' && !task.allAcked;
    task.status = 'cancelled';
    task.error = undefined;
    this.stopTransfers(task, 'stop');
    const uploadId = task.session?.uploadId;
    if (uploadId !== undefined && serverUploading) bestEffort(() => this.transport.cancelUpload(uploadId));
    this.forget(task);
    this.statusChanged();
  }

  /** Ends the file's requests, retry waits and polling. Paused chunks go back to the queue. */
  private stopTransfers(task: FileTask, reason: StopReason): void {
    for (const run of task.inFlight.values()) this.abortRun(run, reason);
    for (const [index, timer] of task.retryTimers) {
      this.timers.clear(timer);
      if (reason === 'pause') task.requeue(index);
    }
    task.retryTimers.clear();
    this.timers.clear(task.pollTimer);
    task.pollTimer = undefined;
    task.meter.stop();
    if (reason !== 'pause') task.clearPending();
  }

  private abortRun(run: ChunkRun, reason: StopReason): void {
    if (run.settled || run.stop !== undefined) return;
    run.stop = reason;
    this.timers.clear(run.stallTimer);
    run.controller.abort();
  }

  private forget(task: FileTask): void {
    const key = task.fingerprint;
    if (key !== undefined) bestEffort(() => this.store.delete(key));
  }

  private failTask(task: FileTask, message: string, forgetUpload: boolean): void {
    task.status = 'failed';
    task.error = message;
    this.stopTransfers(task, 'stop');
    if (forgetUpload) this.forget(task);
    this.statusChanged();
  }

  /** A chunk, renewal or conflict answer arrived for a file that may have moved on meanwhile. */
  private isSending(task: FileTask): boolean {
    return !this.disposed && (task.status === 'uploading' || task.status === 'paused');
  }

  // ── Preparing: fingerprint, resume or open ─────────────────────────────────────────────────

  private prepare(task: FileTask): void {
    task.preparing = true;
    task.status = 'preparing';
    this.statusChanged();
    void prepareUpload(this.preparationContext(task), task.source).then(
      (prepared) =>
        this.batch(() => {
          task.preparing = false;
          if (prepared) this.onPrepared(task, prepared);
          this.pump();
        }),
      (error: unknown) =>
        this.batch(() => {
          task.preparing = false;
          if (!this.abandoned(task)) this.failTask(task, describeError(error), false);
          this.pump();
        }),
    );
  }

  private preparationContext(task: FileTask): PreparationContext {
    return {
      transport: this.transport,
      store: this.store,
      hasher: this.hasher,
      maxAttempts: this.maxAttempts,
      now: () => this.clock.now(),
      backoff: (attempt, retryAfterSeconds) => this.backoff(attempt, retryAfterSeconds),
      sleep: (ms) => this.timers.sleep(ms),
      abandoned: () => this.abandoned(task),
      onFingerprint: (key) => {
        task.fingerprint = key;
      },
    };
  }

  /** Cancelled or disposed: preparing stops at the next step. */
  private abandoned(task: FileTask): boolean {
    return this.disposed || task.status === 'cancelled';
  }

  private onPrepared(task: FileTask, prepared: Prepared): void {
    task.session = prepared.session;
    if (this.disposed) return;
    if (task.status === 'cancelled') {
      const { uploadId } = prepared.session;
      if (prepared.received.length < prepared.session.totalChunks) {
        bestEffort(() => this.transport.cancelUpload(uploadId));
      }
      this.forget(task);
      this.statusChanged();
      return;
    }
    task.applyReceived(prepared.received);
    if (task.allAcked) {
      this.startProcessing(task);
      return;
    }
    if (task.status === 'preparing') {
      task.status = 'uploading';
      task.meter.start(this.clock.now());
    }
    this.statusChanged();
  }

  // ── Chunks ────────────────────────────────────────────────────────────────────────────────

  private startChunk(task: FileTask, session: ChunkSession, index: number): void {
    const run: ChunkRun = {
      index,
      uploadUrl: session.uploadUrl,
      token: session.token,
      controller: new AbortController(),
      loaded: 0,
      stallTimer: undefined,
      stalled: false,
      stop: undefined,
      settled: false,
    };
    task.inFlight.set(index, run);
    this.active++;
    void this.sendChunk(task, run).then((outcome) => this.batch(() => this.settleChunk(task, run, outcome)));
  }

  /** Slices, hashes (right before sending) and sends one chunk; never rejects. */
  private async sendChunk(task: FileTask, run: ChunkRun): Promise<ChunkOutcome> {
    try {
      const [start, end] = task.chunkRange(run.index);
      const body = task.source.slice(start, end);
      const sha256 = await this.hasher.sha256(body);
      const { signal } = run.controller;
      if (signal.aborted) return { kind: 'error', error: abortError() };
      this.armStall(run);
      const response = await this.transport.putChunk({
        uploadUrl: run.uploadUrl,
        token: run.token,
        index: run.index,
        body,
        sha256,
        signal,
        onProgress: (loaded) => this.onChunkProgress(task, run, loaded),
      });
      return { kind: 'response', response };
    } catch (error) {
      return { kind: 'error', error };
    }
  }

  /** (Re)starts the request's stall timer: no progress for `stallTimeoutMs` aborts it. */
  private armStall(run: ChunkRun): void {
    this.timers.clear(run.stallTimer);
    run.stallTimer = this.timers.set(() => {
      run.stallTimer = undefined;
      if (run.settled || run.stop !== undefined) return;
      run.stalled = true;
      run.controller.abort();
    }, this.stallTimeoutMs);
  }

  private onChunkProgress(task: FileTask, run: ChunkRun, loaded: number): void {
    if (this.disposed || run.settled || run.stop !== undefined || run.stalled) return;
    const bytes = Math.min(Math.max(0, loaded), task.chunkLength(run.index));
    if (bytes > run.loaded) task.meter.record(this.clock.now(), bytes - run.loaded);
    run.loaded = bytes;
    this.armStall(run);
    this.progressChanged();
  }

  private settleChunk(task: FileTask, run: ChunkRun, outcome: ChunkOutcome): void {
    run.settled = true;
    this.timers.clear(run.stallTimer);
    run.stallTimer = undefined;
    this.active--;
    if (task.inFlight.get(run.index) === run) task.inFlight.delete(run.index);
    if (this.disposed) return;
    this.progressChanged();
    const succeeded = outcome.kind === 'response' && outcome.response.status >= 200 && outcome.response.status < 300;
    if (run.stop === 'pause') {
      // Aborted by pause: not a failed attempt. An answer that made it anyway still counts.
      if (succeeded) this.acknowledge(task, run.index, run.loaded);
      else task.requeue(run.index);
    } else if (run.stop === undefined) {
      if (outcome.kind === 'response') this.handleResponse(task, run, outcome.response);
      else
        this.retryChunk(task, run.index, run.stalled ? 'no upload progress (stalled)' : describeError(outcome.error));
    }
    this.pump();
  }

  private handleResponse(task: FileTask, run: ChunkRun, response: ChunkResponse): void {
    const { status } = response;
    const { index } = run;
    if (status >= 200 && status < 300) this.acknowledge(task, index, run.loaded);
    else if (status === 401) this.renewToken(task, run);
    else if (status === 404) this.failTask(task, UPLOAD_GONE, true);
    else if (status === 409) void this.resolveConflict(task, index);
    else if (isRetryableStatus(status)) this.retryChunk(task, index, `HTTP ${status}`, response.retryAfterSeconds);
    // 400, 413, 415 and the like: the same bytes would be refused again.
    else this.failTask(task, `chunk ${index} was refused (HTTP ${status})`, true);
    if (status !== 401) task.renewals.delete(index);
  }

  private acknowledge(task: FileTask, index: number, loaded: number): void {
    const length = task.chunkLength(index);
    if (loaded < length) task.meter.record(this.clock.now(), length - loaded);
    task.ack(index);
    if (task.allAcked && (task.status === 'uploading' || task.status === 'paused')) this.startProcessing(task);
  }

  /** Counts a failed attempt and schedules the resend, or fails the file after `maxAttempts`. */
  private retryChunk(task: FileTask, index: number, reason: string, retryAfterSeconds?: number): void {
    const attempt = (task.attempts.get(index) ?? 0) + 1;
    task.attempts.set(index, attempt);
    if (attempt >= this.maxAttempts) {
      this.failTask(task, `chunk ${index} failed after ${attempt} attempts (${reason})`, false);
      return;
    }
    if (task.status === 'paused') {
      task.requeue(index);
      return;
    }
    if (task.status !== 'uploading') return;
    const timer = this.timers.set(
      () => {
        task.retryTimers.delete(index);
        task.requeue(index);
        this.pump();
      },
      this.backoff(attempt, retryAfterSeconds),
    );
    task.retryTimers.set(index, timer);
  }

  /** One `getUpload` shared by every chunk of the file that needs one now. */
  private lookup(task: FileTask, uploadId: string): Promise<ServerUploadState> {
    task.lookup ??= Promise.resolve()
      .then(() => this.transport.getUpload(uploadId))
      .finally(() => {
        task.lookup = undefined;
      });
    return task.lookup;
  }

  /** 401: fetch a fresh token (`getUpload` hands one out) and resend, at most twice in a row. */
  private renewToken(task: FileTask, run: ChunkRun): void {
    const { index } = run;
    const session = task.session;
    if (!session) return;
    const renewals = (task.renewals.get(index) ?? 0) + 1;
    if (renewals > MAX_RENEWALS) {
      this.failTask(task, 'the upload token was refused (HTTP 401)', false);
      return;
    }
    task.renewals.set(index, renewals);
    // Another chunk renewed the token meanwhile: just resend with it.
    if (session.token !== run.token) {
      task.requeue(index);
      return;
    }
    task.renewing = true;
    void this.lookup(task, session.uploadId).then(
      (state) =>
        this.batch(() => {
          task.renewing = false;
          if (!this.isSending(task)) return;
          if (state.status !== 'uploading') return this.applyServerState(task, state);
          this.refreshSession(session, state);
          task.requeue(index);
          this.pump();
        }),
      (error: unknown) =>
        this.batch(() => {
          task.renewing = false;
          this.lookupFailed(task, index, error);
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
      this.batch(() => this.lookupFailed(task, index, error));
      return;
    }
    this.batch(() => {
      if (!this.isSending(task)) return;
      if (state.status !== 'uploading') return this.applyServerState(task, state);
      this.refreshSession(session, state);
      if (state.receivedIndexes.includes(index)) this.acknowledge(task, index, task.chunkLength(index));
      else this.retryChunk(task, index, 'HTTP 409');
      this.pump();
    });
  }

  private lookupFailed(task: FileTask, index: number, error: unknown): void {
    if (!this.isSending(task)) return;
    if (isNotFound(error)) {
      this.failTask(task, UPLOAD_GONE, true);
      return;
    }
    this.retryChunk(task, index, describeError(error), retryAfterOf(error));
    this.pump();
  }

  private refreshSession(session: ChunkSession, state: ServerUploadState): void {
    if (state.uploadToken) session.token = state.uploadToken;
    if (state.uploadUrl) session.uploadUrl = state.uploadUrl;
  }

  /** The server says the upload left `uploading` while this file was still sending. */
  private applyServerState(task: FileTask, state: ServerUploadState): void {
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
        this.statusChanged();
        break;
      default:
        this.failTask(task, state.failureReason ?? `upload ${state.status}`, true);
    }
  }

  // ── Processing ────────────────────────────────────────────────────────────────────────────

  /** Every chunk is on the server: wait for it to assemble the file. */
  private startProcessing(task: FileTask): void {
    this.stopTransfers(task, 'stop');
    task.status = 'processing';
    task.error = undefined;
    task.pollFailures = 0;
    this.schedulePoll(task, this.pollIntervalMs);
    this.statusChanged();
  }

  private schedulePoll(task: FileTask, delayMs: number): void {
    this.timers.clear(task.pollTimer);
    task.pollTimer = this.timers.set(() => {
      task.pollTimer = undefined;
      void this.poll(task);
    }, delayMs);
  }

  private async poll(task: FileTask): Promise<void> {
    const uploadId = task.session?.uploadId;
    if (uploadId === undefined) return;
    let state: ServerUploadState;
    try {
      state = await this.transport.getUpload(uploadId);
    } catch (error) {
      this.batch(() => {
        if (this.disposed || task.status !== 'processing') return;
        if (isNotFound(error)) return this.failTask(task, UPLOAD_GONE, true);
        task.pollFailures++;
        const delay = this.backoff(task.pollFailures, retryAfterOf(error));
        this.schedulePoll(task, Math.max(this.pollIntervalMs, delay));
      });
      return;
    }
    this.batch(() => {
      if (this.disposed || task.status !== 'processing') return;
      task.pollFailures = 0;
      switch (state.status) {
        case 'completed':
          return this.complete(task, state.fileId);
        case 'failed':
        case 'expired':
        case 'cancelled':
          return this.failTask(task, state.failureReason ?? `upload ${state.status}`, true);
        default:
          this.schedulePoll(task, this.pollIntervalMs);
      }
    });
  }

  private complete(task: FileTask, fileId: string | undefined): void {
    this.stopTransfers(task, 'stop');
    task.status = 'completed';
    task.fileId = fileId;
    task.error = undefined;
    this.forget(task);
    this.statusChanged();
  }

  // ── Time ──────────────────────────────────────────────────────────────────────────────────

  private backoff(attempt: number, retryAfterSeconds: number | undefined): number {
    return backoffDelay(attempt, {
      baseMs: this.backoffBaseMs,
      capMs: this.backoffCapMs,
      random: this.random,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }

  /** While a file is uploading, refresh progress every second so speed and ETA follow the clock. */
  private ensureTicker(): void {
    if (this.tickTimer || this.disposed || !this.tasks.some((task) => task.status === 'uploading')) return;
    this.tickTimer = this.timers.set(() => {
      this.tickTimer = undefined;
      this.progressChanged();
      this.ensureTicker();
    }, TICK_MS);
  }

  // ── Notifications ─────────────────────────────────────────────────────────────────────────

  /** Applies `change`, then publishes once (status changes at once, progress throttled). */
  private batch<T>(change: () => T): T {
    return this.publisher.batch(change);
  }

  private statusChanged(): void {
    this.publisher.statusChanged();
  }

  private progressChanged(): void {
    this.publisher.progressChanged();
  }
}
