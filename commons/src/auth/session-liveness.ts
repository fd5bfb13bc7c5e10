import { AppError } from '../errors/app-error.ts';

/** What the issuer knows of one login session (a refresh-token family). */
export interface LoginSessionStatus {
  userId: string;
  revoked: boolean;
  /** Epoch seconds: the session's absolute end of life. */
  expiresAt: number;
}

/** Reads a login session's status; `null` when there is no such session (never was, or deleted). */
export type LoginSessionLookup = (sessionId: string) => Promise<LoginSessionStatus | null>;

export interface SessionLivenessOptions {
  lookup: LoginSessionLookup;
  /**
   * How long a "live" answer is trusted. This is the bound on how late an ended session is noticed
   * by an instance that did not end it itself (DESIGN.md §9.3 asks for ≤ 5 s).
   */
  cacheMs: number;
  /** Epoch milliseconds; injected for tests. */
  now?: () => number;
  /** Entries kept before the oldest are dropped. */
  maxEntries?: number;
}

type Entry = { live: true; userId: string; until: number } | { live: false };

const SESSION_ENDED = 'this session has ended; sign in again';

/**
 * Refuses tokens whose login session has ended (logout, password change, account deletion): a
 * signature proves who issued a token, not that its session still exists. One lookup per session
 * per `cacheMs` however many requests it carries; concurrent misses share one lookup; an ended
 * session is remembered for good (sessions never come back). A failed lookup is `unavailable`
 * (503, retryable): the check fails closed rather than letting an unknown session through.
 */
export class SessionLiveness {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: SessionLivenessOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** Resolves when `sessionId` is a live session of `userId`; otherwise `unauthenticated`. */
  async assertLive(sessionId: string, userId: string): Promise<void> {
    const entry = await this.entry(sessionId);
    if (!entry.live || entry.userId !== userId) {
      throw new AppError('unauthenticated', SESSION_ENDED, { details: { reason: 'session_ended' } });
    }
  }

  /** This instance ended these sessions itself: refuse their tokens here at once, not after the cache. */
  markEnded(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.remember(id, { live: false });
  }

  private async entry(sessionId: string): Promise<Entry> {
    const cached = this.entries.get(sessionId);
    if (cached && (!cached.live || cached.until > this.now())) return cached;
    let pending = this.pending.get(sessionId);
    if (!pending) {
      pending = this.load(sessionId).finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, pending);
    }
    return pending;
  }

  private async load(sessionId: string): Promise<Entry> {
    let status: LoginSessionStatus | null;
    try {
      status = await this.options.lookup(sessionId);
    } catch (err) {
      throw new AppError('unavailable', 'cannot check the sign-in session', { cause: err, retryAfterSeconds: 1 });
    }
    const now = this.now();
    const endsAt = (status?.expiresAt ?? 0) * 1000;
    // A lookup answered after markEnded must not bring the session back.
    if (this.entries.get(sessionId)?.live === false) return { live: false };
    const entry: Entry =
      status && !status.revoked && endsAt > now
        ? { live: true, userId: status.userId, until: Math.min(now + this.options.cacheMs, endsAt) }
        : { live: false };
    this.remember(sessionId, entry);
    return entry;
  }

  private remember(sessionId: string, entry: Entry): void {
    this.entries.delete(sessionId);
    this.entries.set(sessionId, entry);
    // Maps iterate in insertion order: the first key is the least recently stored.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
