import { EMPTY_SNAPSHOT } from './snapshot.ts';
import type { Timer, TimerSet } from './timers.ts';
import type { Clock, EngineSnapshot } from './types.ts';

/**
 * Publishes immutable snapshots to listeners (shaped for React's `useSyncExternalStore`).
 * Changes are grouped in batches; at the end of one, a status change publishes at once while
 * progress alone publishes at most every `throttleMs` of clock time (a trailing publish follows).
 */
export class SnapshotPublisher {
  private readonly listeners = new Set<() => void>();
  private snapshot: EngineSnapshot = EMPTY_SNAPSHOT;
  private depth = 0;
  private statusDirty = false;
  private progressDirty = false;
  private lastPublishAt = Number.NEGATIVE_INFINITY;
  private trailing: Timer | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerSet,
    /** Builds the snapshot at `now`; returns `previous` itself when nothing changed. */
    private readonly build: (now: number, previous: EngineSnapshot) => EngineSnapshot,
    private readonly throttleMs: number,
  ) {}

  /** The last published snapshot. */
  get current(): EngineSnapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs `change`; publishing waits until the outermost batch ends. */
  batch<T>(change: () => T): T {
    this.depth++;
    try {
      return change();
    } finally {
      this.depth--;
      if (this.depth === 0) this.flush();
    }
  }

  /** A file changed status (or the list changed): publish without delay. */
  statusChanged(): void {
    this.statusDirty = true;
    if (this.depth === 0) this.flush();
  }

  /** Bytes moved: publish, throttled. */
  progressChanged(): void {
    this.progressDirty = true;
    if (this.depth === 0) this.flush();
  }

  /** No more notifications; listeners are dropped. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private flush(): void {
    if (this.closed || (!this.statusDirty && !this.progressDirty)) return;
    const wait = this.lastPublishAt + this.throttleMs - this.clock.now();
    if (this.statusDirty || wait <= 0) {
      this.publish();
      return;
    }
    // The timer's callback runs as a batch, whose end flushes again.
    this.trailing ??= this.timers.set(() => {
      this.trailing = undefined;
    }, wait);
  }

  private publish(): void {
    this.statusDirty = false;
    this.progressDirty = false;
    this.timers.clear(this.trailing);
    this.trailing = undefined;
    const now = this.clock.now();
    this.lastPublishAt = now;
    const next = this.build(now, this.snapshot);
    if (next === this.snapshot) return;
    this.snapshot = next;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        // A failing listener must neither break the engine nor starve the other listeners.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
