import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { RefreshFamilyRecord, RefreshTokenStore } from '../ports/refresh-token-store.ts';
import { describeUserAgent } from './user-agent.ts';

export interface LoginSessionsDeps {
  tokens: RefreshTokenStore;
  clock: Clock;
  /** Told of every login session this service ends, so this instance refuses its tokens at once. */
  sessionsEnded?: (familyIds: string[]) => void;
  /** An authenticated request moves `lastUsedAt` at most this often per session (and instance). */
  useIntervalMs?: number;
  /** Sessions whose last recorded use is remembered; beyond it the oldest are forgotten. */
  maxRemembered?: number;
}

/** One signed-in device as its owner sees it (`GET /auth/sessions`). */
export interface LoginSessionView {
  id: string;
  /** ISO 8601; null for sessions begun before the start time was recorded. */
  createdAt: string | null;
  /** ISO 8601: the last refresh or authenticated request (to within `useIntervalMs`). */
  lastUsedAt: string | null;
  /** Readable, e.g. "Chrome 131 on macOS". */
  userAgent: string;
  /** Whether this is the session the request came from. */
  current: boolean;
}

const NO_SUCH_SESSION = 'no such session';

/**
 * The signed-in user's login sessions (refresh-token families): list them, end one, end all but
 * the caller's (OWASP ASVS 5.0 V7.5, "defenses against session abuse"). Ending goes through the
 * same revocation as logout, so the session's refresh token is refused at once and its access
 * tokens within the liveness window (DESIGN.md §9.3).
 */
export class LoginSessions {
  private readonly useIntervalMs: number;
  private readonly maxRemembered: number;
  /** Session id → epoch ms of the last `lastUsedAt` this instance wrote (or decided not to). */
  private readonly lastRecorded = new Map<string, number>();

  constructor(private readonly deps: LoginSessionsDeps) {
    this.useIntervalMs = deps.useIntervalMs ?? 60_000;
    this.maxRemembered = deps.maxRemembered ?? 50_000;
  }

  /** Every live session of the user: the caller's first, then the most recently used. */
  async list(userId: string, currentSessionId: string): Promise<LoginSessionView[]> {
    const families = await this.deps.tokens.listUserFamilies(userId);
    // The listing may come from an eventually consistent index (DynamoDB's byUser) that has not
    // yet seen a session begun a moment ago: the caller's own is read directly when missing.
    if (!families.some((f) => f.familyId === currentSessionId)) {
      const current = await this.deps.tokens.findFamily(currentSessionId);
      if (current?.userId === userId) families.push(current);
    }
    return families
      .filter((f) => this.isLive(f))
      .sort((a, b) => rank(b, currentSessionId) - rank(a, currentSessionId) || lastUse(b) - lastUse(a))
      .map((f) => ({
        id: f.familyId,
        createdAt: iso(f.createdAt),
        lastUsedAt: iso(f.lastUsedAt ?? f.createdAt),
        userAgent: describeUserAgent(f.userAgent),
        current: f.familyId === currentSessionId,
      }));
  }

  /**
   * Ends one live session of the user. Another user's session, an unknown one and one already
   * ended are all `not_found`: the answer never tells whether an id exists elsewhere.
   * Returns whether it was the caller's own session (the caller is then signed out).
   */
  async end(userId: string, sessionId: string, currentSessionId: string): Promise<{ endedCurrent: boolean }> {
    const family = await this.deps.tokens.findFamily(sessionId);
    if (!family || family.userId !== userId || !this.isLive(family)) {
      throw new AppError('not_found', NO_SUCH_SESSION);
    }
    await this.deps.tokens.revokeFamily(sessionId);
    this.deps.sessionsEnded?.([sessionId]);
    return { endedCurrent: sessionId === currentSessionId };
  }

  /** "Sign out everywhere else": ends every session of the user but the caller's. */
  async endOthers(userId: string, currentSessionId: string): Promise<void> {
    this.deps.sessionsEnded?.(await this.deps.tokens.revokeUserFamilies(userId, currentSessionId));
  }

  /**
   * Records that a session made an authenticated request, writing at most once per
   * `useIntervalMs` per session on this instance, so busy sessions cost no write per request.
   */
  async recordUse(sessionId: string): Promise<void> {
    const now = this.deps.clock.now();
    const last = this.lastRecorded.get(sessionId);
    if (last !== undefined && now - last < this.useIntervalMs) return;
    this.lastRecorded.delete(sessionId);
    this.lastRecorded.set(sessionId, now);
    // Maps iterate in insertion order: the first key is the one recorded longest ago.
    while (this.lastRecorded.size > this.maxRemembered) {
      const oldest = this.lastRecorded.keys().next().value;
      if (oldest === undefined) break;
      this.lastRecorded.delete(oldest);
    }
    await this.deps.tokens.touchFamily(sessionId, now);
  }

  private isLive(family: RefreshFamilyRecord): boolean {
    return !family.revoked && family.expiresAt * 1000 > this.deps.clock.now();
  }
}

function rank(family: RefreshFamilyRecord, currentSessionId: string): number {
  return family.familyId === currentSessionId ? 1 : 0;
}

function lastUse(family: RefreshFamilyRecord): number {
  return family.lastUsedAt ?? family.createdAt ?? 0;
}

function iso(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}
