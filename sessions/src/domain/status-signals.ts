import type { UploadRepository } from '../ports/upload-repository.ts';

/**
 * News, inside this process, that an upload's status may have been written — so a call waiting
 * for an upload to change (GetUpload with `wait_ms`) wakes the moment this process assembles,
 * cancels or ends it. Writes made by another sessions process are not announced here: waiters
 * also re-read on a timer (watchUpload), so a signal only makes an answer sooner.
 */
export class StatusSignals {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly byUser = new Map<string, number>();
  private admitted = 0;
  private draining = false;

  /**
   * @param maxWaiting calls that may wait at once in this process;
   * @param maxPerUser of which one user's: past either, a call answers at once and its client
   *   polls, so one user holding many waits cannot take the others' places.
   */
  constructor(
    private readonly maxWaiting = 1000,
    private readonly maxPerUser = 10,
  ) {}

  /** Takes a waiting place for one of `userId`'s calls; false when none is free (or draining). */
  admit(userId: string): boolean {
    const mine = this.byUser.get(userId) ?? 0;
    if (this.draining || this.admitted >= this.maxWaiting || mine >= this.maxPerUser) return false;
    this.byUser.set(userId, mine + 1);
    this.admitted++;
    return true;
  }

  /** Gives back a place {@link admit} took. */
  leave(userId: string): void {
    const mine = (this.byUser.get(userId) ?? 1) - 1;
    if (mine > 0) this.byUser.set(userId, mine);
    else this.byUser.delete(userId);
    this.admitted--;
  }

  /** Wakes everything waiting on `uploadId`. A spurious wake costs the waiter one read. */
  notify(uploadId: string): void {
    const woken = this.waiters.get(uploadId);
    if (!woken) return;
    this.waiters.delete(uploadId);
    for (const wake of woken) wake();
  }

  /** True once the service drains: nothing waits any more. */
  get closed(): boolean {
    return this.draining;
  }

  /** Calls waiting now, in this process. */
  get waiting(): number {
    return this.admitted;
  }

  /**
   * Resolves at the next notify of `uploadId`, after `ms`, when `signal` aborts, or at close —
   * whichever comes first. Never rejects.
   */
  next(uploadId: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.draining || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(uploadId) ?? new Set<() => void>();
      this.waiters.set(uploadId, set);
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(uploadId) === set) this.waiters.delete(uploadId);
        resolve();
      };
      const onAbort = () => wake();
      const timer = setTimeout(wake, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(wake);
    });
  }

  /** Wakes every waiter, now and later: a draining process must not be held by long waits. */
  close(): void {
    this.draining = true;
    for (const uploadId of [...this.waiters.keys()]) this.notify(uploadId);
  }
}

/** The writes that change an upload's status. */
const STATUS_WRITES = new Set<PropertyKey>(['transition', 'startAssembly', 'end', 'complete'] satisfies Array<
  keyof UploadRepository
>);

/**
 * `repository` with every status write announced on `signals`: transition, startAssembly, end and
 * complete — the only writes that change an upload's status — notify after they return or fail, whatever
 * their outcome (a refused write wakes waiters for nothing; they re-read and wait again). The
 * method is looked up at each call, so a test that replaces one on the repository still reaches it.
 */
export function announcingStatus(repository: UploadRepository, signals: StatusSignals): UploadRepository {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!STATUS_WRITES.has(property) || typeof value !== 'function') return value;
      return async (first: string | { uploadId: string }, ...rest: unknown[]) => {
        try {
          return await value.call(receiver, first, ...rest);
        } finally {
          signals.notify(typeof first === 'string' ? first : first.uploadId);
        }
      };
    },
  });
}
