import { AppError } from '@lfusys/commons';
import type { Release } from './slot-limiter.ts';

/**
 * Caps the chunk requests one user has in flight in this worker process, so one account cannot
 * take the S3 pool (or the event loop) from everyone else: the request beyond the cap is refused
 * at once as `too_many_requests` (429, `Retry-After: 1`), before any S3 or body work. The web app
 * sends at most 6 chunks at a time, so an honest client never meets the default cap.
 */
export class InFlightPerUser {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Counts a request in; the returned release counts it out (once, however often it is called). */
  enter(userId: string): Release {
    const current = this.counts.get(userId) ?? 0;
    if (current >= this.limit) {
      throw new AppError('too_many_requests', `at most ${this.limit} chunk requests at a time per user`, {
        retryAfterSeconds: 1,
        details: { limit: 'CHUNKS_IN_FLIGHT_PER_USER', max: this.limit },
      });
    }
    this.counts.set(userId, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(userId) ?? 1) - 1;
      // Forget users with nothing in flight, so the map holds only active users.
      if (left === 0) this.counts.delete(userId);
      else this.counts.set(userId, left);
    };
  }

  inFlight(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  /** Requests in flight across all users. */
  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Users with at least one request in flight. */
  get users(): number {
    return this.counts.size;
  }
}
