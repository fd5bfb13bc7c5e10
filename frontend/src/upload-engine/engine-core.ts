import { backoffDelay } from './backoff.ts';
import { transportFor } from './choose-transport.ts';
import { realClock } from './clock.ts';
import type { FileTask } from './file-task.ts';
import { NetworkGate, type NetworkState } from './network-gate.ts';
import { alwaysOnline } from './network-port.ts';
import { OverallRate } from './overall-rate.ts';
import { ParallelismController } from './parallelism.ts';
import type { PreparationContext } from './preparation.ts';
import { SnapshotPublisher } from './publisher.ts';
import { buildSnapshot } from './snapshot.ts';
import { TimerSet } from './timers.ts';
import type { Clock, EngineOptions, Hasher, NetworkWait, ResumeStore, UploadServer } from './types.ts';

/** Progress notifications are at most this often (status changes are immediate). */
export const PROGRESS_THROTTLE_MS = 100;

/** The engine's tunables, defaults applied. */
export interface EngineSettings {
  readonly stallTimeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly pollIntervalMs: number;
}

/** What the network gate's state means for a file that is sending. */
const WAIT_OF: Record<NetworkState, NetworkWait | undefined> = {
  online: undefined,
  offline: 'offline',
  unreachable: 'network',
};

/**
 * What the engine's parts share: the ports, settings, timers, the file list, the network gate,
 * the parallelism policy and the snapshot publisher. The parts are wired by `UploadEngine`.
 */
export class EngineCore {
  readonly server: UploadServer;
  readonly hasher: Hasher;
  readonly store: ResumeStore;
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: EngineSettings;
  readonly timers: TimerSet;
  readonly publisher: SnapshotPublisher;
  readonly network: NetworkGate;
  readonly parallelism: ParallelismController;
  readonly tasks: FileTask[] = [];
  private readonly overallRate = new OverallRate();
  /** Chunk requests under way (hashing included), across all files. */
  active = 0;
  disposed = false;
  /** Starts what can start (set by the engine, which owns scheduling). */
  pump: () => void = () => undefined;

  constructor(
    options: EngineOptions,
    /** Called when the network gate changes state (or lets a probe through). */
    onNetworkChange: (state: NetworkState, previous: NetworkState) => void,
  ) {
    this.server = options.server;
    this.hasher = options.hasher;
    this.store = options.store;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.settings = {
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
      maxAttempts: Math.max(1, options.maxAttempts ?? 8),
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffCapMs: options.backoffCapMs ?? 30_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
    };
    this.timers = new TimerSet(this.clock, (callback) => this.batch(callback));
    this.publisher = new SnapshotPublisher(
      this.clock,
      this.timers,
      (now, previous) => buildSnapshot(this.tasks, now, previous, WAIT_OF[this.network.state], this.overallRate),
      PROGRESS_THROTTLE_MS,
    );
    this.parallelism = new ParallelismController({
      max: options.concurrency ?? 4,
      ...(options.targetChunkMs !== undefined ? { targetChunkMs: options.targetChunkMs } : {}),
    });
    this.network = new NetworkGate(
      options.network ?? alwaysOnline,
      this.timers,
      (state, previous) => this.batch(() => onNetworkChange(state, previous)),
      {
        random: this.random,
        ...(options.networkFailureThreshold !== undefined ? { failureThreshold: options.networkFailureThreshold } : {}),
        ...(options.probeBaseMs !== undefined ? { probeBaseMs: options.probeBaseMs } : {}),
        ...(options.probeCapMs !== undefined ? { probeCapMs: options.probeCapMs } : {}),
      },
    );
  }

  /**
   * What preparing a file (and declaring its SHA-256) needs: API calls retried with backoff that
   * wait for the network, and the transport for the mode the server chose. `abandoned` stops them.
   */
  preparationContext(task: FileTask, abandoned: () => boolean): PreparationContext {
    return {
      server: this.server,
      store: this.store,
      hasher: this.hasher,
      maxAttempts: this.settings.maxAttempts,
      now: () => this.clock.now(),
      backoff: (tries, retryAfterSeconds) => this.backoff(tries, retryAfterSeconds),
      sleep: (ms) => this.timers.sleep(ms),
      networkFailed: () => this.network.failed(false),
      networkAnswered: () => this.network.answered(),
      whenOnline: () => this.network.whenDeviceOnline(),
      nextOnline: () => this.network.nextOnline(),
      abandoned,
      onFingerprint: (key) => {
        task.fingerprint = key;
      },
      transportFor: (target) => transportFor(target, this),
    };
  }

  /** Delay before resend number `tries` (capped exponential, full jitter, at least `Retry-After`). */
  backoff(tries: number, retryAfterSeconds: number | undefined): number {
    return backoffDelay(tries, {
      baseMs: this.settings.backoffBaseMs,
      capMs: this.settings.backoffCapMs,
      random: this.random,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }

  /** A chunk, renewal or conflict answer arrived for a file that may have moved on meanwhile. */
  isSending(task: FileTask): boolean {
    return !this.disposed && (task.status === 'uploading' || task.status === 'paused');
  }

  /** Applies `change`, then publishes once (status changes at once, progress throttled). */
  batch<T>(change: () => T): T {
    return this.publisher.batch(change);
  }

  statusChanged(): void {
    this.publisher.statusChanged();
  }

  progressChanged(): void {
    this.publisher.progressChanged();
  }
}
