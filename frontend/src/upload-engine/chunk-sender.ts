import type { ChunkOutcomes } from './chunk-outcomes.ts';
import type { EngineCore } from './engine-core.ts';
import { abortError, describeError } from './errors.ts';
import type { ChunkRun, ChunkSession, FileTask } from './file-task.ts';
import type { ChunkResponse } from './types.ts';

/** How one chunk request ended. */
type ChunkOutcome =
  | { kind: 'response'; response: ChunkResponse }
  /** No HTTP answer: the request failed on the way (or was aborted). */
  | { kind: 'error'; error: unknown }
  /** The chunk could not even be read and hashed. */
  | { kind: 'local'; error: unknown };

/** Sends one chunk: slice, hash, PUT with progress and stall detection, then hands the outcome on. */
export class ChunkSender {
  constructor(
    private readonly core: EngineCore,
    private readonly outcomes: ChunkOutcomes,
  ) {}

  start(task: FileTask, session: ChunkSession, index: number, probe: boolean): void {
    const run: ChunkRun = {
      index,
      targetVersion: session.transport.version,
      controller: new AbortController(),
      loaded: 0,
      stallTimer: undefined,
      stalled: false,
      stop: undefined,
      settled: false,
      probe,
      sentAt: undefined,
      parallel: 0,
    };
    task.meter.sending(this.core.clock.now());
    task.inFlight.set(index, run);
    this.core.active++;
    void this.send(task, session, run).then((outcome) => this.core.batch(() => this.settle(task, run, outcome)));
  }

  /**
   * Slices, hashes (unless it was hashed ahead) and sends one chunk through the upload's transport;
   * never rejects.
   */
  private async send(task: FileTask, session: ChunkSession, run: ChunkRun): Promise<ChunkOutcome> {
    let body: Blob;
    let sha256: string;
    try {
      const [start, end] = task.chunkRange(run.index);
      body = task.source.slice(start, end);
      sha256 = await this.hashOf(task, run.index);
    } catch (error) {
      return { kind: 'local', error };
    }
    this.lookAhead(task, session);
    const { signal } = run.controller;
    if (signal.aborted) return { kind: 'error', error: abortError() };
    this.armStall(run);
    run.sentAt = this.core.clock.now();
    run.parallel = this.core.active;
    try {
      const response = await session.transport.send({
        index: run.index,
        body,
        sha256,
        signal,
        onProgress: (loaded) => this.onProgress(task, run, loaded),
      });
      return { kind: 'response', response };
    } catch (error) {
      return { kind: 'error', error };
    }
  }

  /** The chunk's SHA-256, hashed once: a failed hash is forgotten so the next attempt hashes again. */
  private hashOf(task: FileTask, index: number): Promise<string> {
    const known = task.chunkHashes.get(index);
    if (known) return known;
    const [start, end] = task.chunkRange(index);
    const hash = this.core.hasher.sha256(task.source.slice(start, end));
    task.chunkHashes.set(index, hash);
    hash.catch(() => {
      if (task.chunkHashes.get(index) === hash) task.chunkHashes.delete(index);
    });
    return hash;
  }

  /**
   * For a transport that prepares (direct: signs URLs), hashes the chunks that leave next — as many
   * as may run at once — and hands them over, so the signing round trip runs beside the transfers
   * instead of in front of each. The hashes are kept for the chunks' own turn.
   */
  private lookAhead(task: FileTask, session: ChunkSession): void {
    const { transport } = session;
    if (!transport.prepare) return;
    for (const index of task.upcoming(this.core.parallelism.limit)) {
      if (task.chunkHashes.has(index)) continue;
      this.hashOf(task, index).then(
        (sha256) => {
          if (task.status === 'uploading') transport.prepare?.({ index, sha256, length: task.chunkLength(index) });
        },
        () => {},
      );
    }
  }

  /** (Re)starts the request's stall timer: no progress for `stallTimeoutMs` aborts it. */
  private armStall(run: ChunkRun): void {
    const { timers } = this.core;
    timers.clear(run.stallTimer);
    run.stallTimer = timers.set(() => {
      run.stallTimer = undefined;
      if (run.settled || run.stop !== undefined) return;
      run.stalled = true;
      run.controller.abort();
    }, this.core.settings.stallTimeoutMs);
  }

  private onProgress(task: FileTask, run: ChunkRun, loaded: number): void {
    if (this.core.disposed || run.settled || run.stop !== undefined || run.stalled) return;
    run.loaded = Math.min(Math.max(0, loaded), task.chunkLength(run.index));
    this.armStall(run);
    this.core.progressChanged();
  }

  private settle(task: FileTask, run: ChunkRun, outcome: ChunkOutcome): void {
    const { core } = this;
    run.settled = true;
    core.timers.clear(run.stallTimer);
    run.stallTimer = undefined;
    core.active--;
    if (task.inFlight.get(run.index) === run) task.inFlight.delete(run.index);
    if (core.disposed) return;
    core.progressChanged();
    const succeeded = outcome.kind === 'response' && outcome.response.status >= 200 && outcome.response.status < 300;
    if (run.stop === 'pause' || run.stop === 'offline') {
      // Stopped by the engine: not a failed attempt. An answer that made it anyway still counts.
      if (succeeded) this.outcomes.acknowledge(task, run, outcome.response);
      else task.requeue(run.index);
    } else if (run.stop === undefined) {
      if (outcome.kind === 'response') {
        core.network.answered();
        this.outcomes.handleResponse(task, run, outcome.response);
      } else if (outcome.kind === 'local') this.outcomes.localFailure(task, run.index, describeError(outcome.error));
      else {
        const reason = run.stalled ? 'no upload progress (stalled)' : describeError(outcome.error);
        this.outcomes.networkFailure(task, run, reason);
      }
    }
    core.pump();
  }
}
