import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';

/** Gives back a slot; calling it more than once has no further effect. */
export type Release = () => void;

/** No S3 slot came free in time: the pool is busy, not the upload broken (503, `Retry-After`). */
export class SlotWaitExceededError extends AppError {
  constructor(waitedMs: number, slots: number) {
    super('unavailable', 'object storage is busy; retry shortly', {
      retryAfterSeconds: 1,
      details: { limit: 'S3_SLOT_WAIT_MS', waitedMs, slots },
    });
  }
}

interface Waiter {
  grant(): void;
}

/**
 * Bounds the S3 requests a worker process runs at once to the SDK's socket pool. Beyond the pool
 * the SDK would queue a request with no deadline; here a request waits at most `maxWaitMs` for a
 * slot (first come, first served) and is then refused as `unavailable` with `Retry-After`, so a
 * full pool turns into a quick, retryable answer, never a hang.
 */
export class SlotLimiter {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly capacity: number,
    readonly maxWaitMs: number,
    private readonly clock: Clock,
  ) {}

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free; rejects after `maxWaitMs`, or with the
   * signal's reason as soon as `signal` aborts (the client left while waiting).
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.used < this.capacity && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const leave = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          this.used++;
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason);
      };
      const timer = this.clock.setTimeout(() => {
        leave();
        reject(new SlotWaitExceededError(this.maxWaitMs, this.capacity));
      }, this.maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Runs `task` holding a slot, released when the task settles. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.waiters[0]?.grant();
    };
  }
}
