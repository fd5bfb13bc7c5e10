export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Repeating timers, injected so that tests move time by hand. */
export interface Scheduler {
  /** Runs `task` every `ms` until the returned function is called. */
  every(ms: number, task: () => void): () => void;
}

export const systemScheduler: Scheduler = {
  every(ms, task) {
    const timer = setInterval(task, ms);
    return () => clearInterval(timer);
  },
};
