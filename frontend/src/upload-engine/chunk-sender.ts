import type { ChunkOutcomes } from './chunk-outcomes.ts';
import type { ChunkToPrepare } from './chunk-transport.ts';
import type { EngineCore } from './engine-core.ts';
import { abortError, describeError } from './errors.ts';
import type { ChunkRun, ChunkSession, FileTask } from './file-task.ts';
import type { ChunkResponse } from './types.ts';

/** How far ahead of the parallelism a transport that prepares gets its chunks (see `lookAhead`). */
const AHEAD_FACTOR = 4;
/**
 * Chunks per look-ahead signing request, in multiples of the parallelism: each request costs the
 * server a read and a write whatever its size, and two still asks the first window's URLs long
 * before their chunks' turn.
 */
const SIGN_AHEAD_BATCH = 2;

/** How one chunk request ended. */
type ChunkOutcome =
  | { kind: 'response'; response: ChunkResponse }
  /** No HTTP answer: the request failed on the way (or was aborted). */
  | { kind: 'error'; error: unknown }
  /** The chunk could not even be read and hashed. */
  | { kind: 'local'; error: unknown };

/** Sends one chunk: slice, hash, PUT with progress and stall detection, then hands the outcome on. */
export class ChunkSender {
  /** Per file, the chunks a look-ahead has taken on and not handed over yet. */
  private readonly ahead = new WeakMap<FileTask, Set<number>>();

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
      storedAt: undefined,
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
        onStored: () => this.core.batch(() => this.stored(run)),
        lastOut: task.upcoming(1).length === 0,
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
   * For a transport that prepares (direct: signs URLs): keeps chunks hashed and handed over ahead
   * of their turn, so the signing round trip runs beside the transfers instead of in front of each.
   * When fewer than 2 × `limit` (the parallelism) of the next chunks are hashed, hashes the next
   * {@link AHEAD_FACTOR} × limit one after another and hands them over {@link SIGN_AHEAD_BATCH} ×
   * limit at a time: one signing request each, where one per chunk would cost the server a read
   * and a write apiece.
   * The hashes are kept for the chunks' own turn.
   */
  private lookAhead(task: FileTask, session: ChunkSession): void {
    const { transport } = session;
    if (!transport.prepare) return;
    const limit = this.core.parallelism.limit;
    const taken = this.ahead.get(task) ?? new Set<number>();
    this.ahead.set(task, taken);
    const upcoming = task.upcoming(AHEAD_FACTOR * limit);
    const known = (index: number) => task.chunkHashes.has(index) || taken.has(index);
    if (upcoming.filter(known).length >= 2 * limit) return;
    const fresh = upcoming.filter((index) => !known(index));
    for (const index of fresh) taken.add(index);
    void (async () => {
      let ready: ChunkToPrepare[] = [];
      for (const [at, index] of fresh.entries()) {
        const sha256 = await this.hashOf(task, index).catch(() => undefined);
        if (sha256 === undefined || task.status !== 'uploading') {
          for (const rest of fresh.slice(at)) taken.delete(rest);
          return;
        }
        ready.push({ index, sha256, length: task.chunkLength(index) });
        taken.delete(index);
        if (ready.length < SIGN_AHEAD_BATCH * limit && at < fresh.length - 1) continue;
        // A chunk whose turn came meanwhile signs its own URL (or already has).
        for (const chunk of ready) {
          if (!task.acked.has(chunk.index) && !task.inFlight.has(chunk.index)) transport.prepare?.(chunk);
        }
        ready = [];
      }
    })();
  }

  /**
   * Storage holds the chunk's bytes and only the server's confirmation remains: the request slot
   * goes to the next chunk, and the wait for the confirmation is not a transfer that can stall.
   */
  private stored(run: ChunkRun): void {
    if (run.settled || run.storedAt !== undefined) return;
    run.storedAt = this.core.clock.now();
    this.core.timers.clear(run.stallTimer);
    run.stallTimer = undefined;
    this.core.active--;
    this.core.pump();
  }

  /** (Re)starts the request's stall timer: no progress for `stallTimeoutMs` aborts it. */
  private armStall(run: ChunkRun): void {
    if (run.storedAt !== undefined) return;
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
    if (run.storedAt === undefined) core.active--;
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
