import type { AttemptWindow, LoginAttemptCounter } from '../ports/login-attempt-counter.ts';

/**
 * In-process counter (unit tests, single-process tools). Keyed like the DynamoDB adapter, by
 * account and window start; records whose window has expired are swept when a later window is
 * first seen, so memory stays bounded by the accounts tried in the live windows.
 */
export class MemoryLoginAttemptCounter implements LoginAttemptCounter {
  private readonly entries = new Map<string, { expiresAt: number; attempts: number }>();
  private sweptAt = 0;

  async increment(accountKey: string, window: AttemptWindow): Promise<number> {
    this.sweepExpiredBy(window.start);
    const key = `${accountKey}#${window.start}`;
    const entry = this.entries.get(key) ?? { expiresAt: window.expiresAt, attempts: 0 };
    entry.attempts += 1;
    this.entries.set(key, entry);
    return entry.attempts;
  }

  /** How many window records are held (lets tests see that expired ones are dropped). */
  get size(): number {
    return this.entries.size;
  }

  private sweepExpiredBy(now: number): void {
    if (now <= this.sweptAt) return;
    this.sweptAt = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
