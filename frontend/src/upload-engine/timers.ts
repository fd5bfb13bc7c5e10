import type { Clock } from './types.ts';

/** A handle of a {@link TimerSet} timer. */
export interface Timer {
  handle: unknown;
}

/**
 * Timers on an injectable clock that can all be cleared at once (on dispose). Every callback runs
 * through `run`, which lets the engine treat it as one batch of changes.
 */
export class TimerSet {
  private readonly live = new Set<Timer>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly run: (callback: () => void) => void = (callback) => callback(),
  ) {}

  /** Calls `callback` after `ms` of clock time, unless cleared or closed first. */
  set(callback: () => void, ms: number): Timer {
    const timer: Timer = { handle: undefined };
    if (this.closed) return timer;
    this.live.add(timer);
    timer.handle = this.clock.setTimeout(() => {
      if (!this.live.delete(timer) || this.closed) return;
      this.run(callback);
    }, ms);
    return timer;
  }

  /** Clears a timer (no-op for one that already fired, was cleared, or is undefined). */
  clear(timer: Timer | undefined): void {
    if (!timer || !this.live.delete(timer)) return;
    this.clock.clearTimeout(timer.handle);
  }

  /** Resolves after `ms` of clock time; never, once closed. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.set(resolve, ms);
    });
  }

  /** Clears every timer; later ones never start. */
  close(): void {
    this.closed = true;
    for (const timer of this.live) this.clock.clearTimeout(timer.handle);
    this.live.clear();
  }
}
