interface Timer {
  at: number;
  /** Repeats every this many ms; undefined for a one-shot timer. */
  every: number | undefined;
  callback: () => void;
}

/**
 * A clock that moves only when a test says so, for the services' injected `Clock` and `Scheduler`
 * ports: one-shot timers (`setTimeout`) and repeating ones (`every`) run in time order, each at its
 * own due time, as `advance` passes them. Loaded on its own (`@lfusys/commons/manual-clock`), so a
 * unit test pulls in no SDK and no process spawning.
 */
export class ManualClock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, Timer>();

  /** `startMs` is the first `now()`: 0 for durations, an epoch time where the code formats dates. */
  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return this.add({ at: this.time + Math.max(0, ms), every: undefined, callback });
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Runs `task` every `ms` until the returned function is called. */
  every(ms: number, task: () => void): () => void {
    const handle = this.add({ at: this.time + ms, every: ms, callback: task });
    return () => this.timers.delete(handle);
  }

  /** Timers still scheduled (one-shot and repeating). */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running each timer that falls due at its own time. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [handle, timer] = due;
      this.time = timer.at;
      if (timer.every === undefined) this.timers.delete(handle);
      else timer.at += timer.every;
      timer.callback();
    }
    this.time = target;
  }

  private add(timer: Timer): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, timer);
    return handle;
  }
}
