import type { AuditedUser, Finished } from './end-state.ts';

/** A user in a pool slot, with what the harness saw it finish. */
export interface PoolEntry {
  user: Promise<AuditedUser>;
  finished: Finished[];
  started: number;
  inFlight: number;
  retired: boolean;
}

export interface UserPoolOptions {
  /** Users uploading at once (slots). */
  size: number;
  /** Uploads a user starts before it is replaced by a fresh one; 0 keeps every user for the whole run. */
  perUser: number;
  signUp: () => Promise<AuditedUser>;
  /** Audits and removes a user once its last upload has ended; must not throw. */
  retire: (entry: PoolEntry) => Promise<void>;
}

/**
 * Rotates the soak's users so a long run stays usable: upload `n` goes to slot `n % size`; once a
 * slot's user has started `perUser` uploads a new user takes the slot, and the old one is audited
 * and deleted as soon as its uploads in flight have ended. The emulator then holds a few users'
 * data at any time, not the whole run's.
 */
export class UserPool {
  private readonly slots: Array<PoolEntry | undefined> = [];
  private readonly retiring: Array<Promise<void>> = [];

  constructor(private readonly options: UserPoolOptions) {}

  /** The entry upload `n` belongs to, counted in flight until {@link release}. */
  acquire(n: number): PoolEntry {
    const slot = n % this.options.size;
    let entry = this.slots[slot];
    if (!entry || (this.options.perUser > 0 && entry.started >= this.options.perUser)) {
      if (entry) this.retireWhenIdle(entry);
      entry = { user: this.options.signUp(), finished: [], started: 0, inFlight: 0, retired: false };
      // A failed sign-up surfaces where the user is awaited; this only keeps it from being unhandled.
      entry.user.catch(() => {});
      this.slots[slot] = entry;
    }
    entry.started += 1;
    entry.inFlight += 1;
    return entry;
  }

  release(entry: PoolEntry): void {
    entry.inFlight -= 1;
    if (entry.retired && entry.inFlight === 0) this.retiring.push(this.options.retire(entry));
  }

  /** Retires every user still in a slot and waits for all retirements; call once no upload is in flight. */
  async drain(): Promise<void> {
    for (const entry of this.slots) if (entry) this.retireWhenIdle(entry);
    this.slots.length = 0;
    await Promise.all(this.retiring);
  }

  /** Users whose retirement has started. */
  get retiredCount(): number {
    return this.retiring.length;
  }

  private retireWhenIdle(entry: PoolEntry): void {
    entry.retired = true;
    if (entry.inFlight === 0) this.retiring.push(this.options.retire(entry));
  }
}
