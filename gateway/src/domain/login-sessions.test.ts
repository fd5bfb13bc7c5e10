import { AppError } from '@lfusys/commons';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryRefreshTokenStore } from '../adapters/memory-refresh-token-store.ts';
import { MemoryUserRepository } from '../adapters/memory-user-repository.ts';
import type { UserRecord } from '../ports/user-repository.ts';
import { AuthService } from './auth-service.ts';
import { LoginSessions } from './login-sessions.ts';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DAY = 24 * 3600;
const T0 = Date.parse('2026-01-01T00:00:00Z');

let now: number;
let tokens: MemoryRefreshTokenStore;
let auth: AuthService;
let sessions: LoginSessions;
let ended: string[];
const ada: UserRecord = {
  id: 'user-ada',
  email: 'ada@example.com',
  name: 'Ada',
  bio: '',
  emailVerified: true,
  passwordHash: 'unused',
  createdAt: new Date(T0).toISOString(),
  updatedAt: new Date(T0).toISOString(),
};
const bob: UserRecord = { ...ada, id: 'user-bob', email: 'bob@example.com' };

beforeEach(async () => {
  now = T0;
  tokens = new MemoryRefreshTokenStore();
  ended = [];
  const clock = { now: () => now };
  const sessionsEnded = (ids: string[]) => ended.push(...ids);
  const hasher = { hash: async () => '', verify: async () => false, needsRehash: () => false };
  const users = new MemoryUserRepository();
  await users.create(ada);
  await users.create(bob);
  auth = new AuthService({ users, tokens, hasher, clock, refreshTtlSeconds: 7 * DAY, sessionsEnded });
  sessions = new LoginSessions({ tokens, clock, sessionsEnded, useIntervalMs: 60_000, maxRemembered: 2 });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('LoginSessions.list', () => {
  it('shows each live session with its readable device, start, last use and which one is current', async () => {
    const laptop = await auth.startSession(ada, { userAgent: CHROME_MAC });
    now += 60_000;
    const desktop = await auth.startSession(ada, { userAgent: FIREFOX_LINUX });
    now += 60_000;

    expect(await sessions.list(ada.id, laptop.familyId)).toEqual([
      {
        id: laptop.familyId,
        createdAt: '2026-01-01T00:00:00.000Z',
        lastUsedAt: '2026-01-01T00:00:00.000Z',
        userAgent: 'Chrome 131 on macOS',
        current: true,
      },
      {
        id: desktop.familyId,
        createdAt: '2026-01-01T00:01:00.000Z',
        lastUsedAt: '2026-01-01T00:01:00.000Z',
        userAgent: 'Firefox 133 on Linux',
        current: false,
      },
    ]);
  });

  it('moves lastUsedAt on refresh and orders the other sessions by last use', async () => {
    const current = await auth.startSession(ada);
    const older = await auth.startSession(ada);
    now += 1000;
    const newer = await auth.startSession(ada);
    now += 5 * 60_000;
    await auth.refresh(older.refreshToken);

    const list = await sessions.list(ada.id, current.familyId);
    expect(list.map((s) => s.id)).toEqual([current.familyId, older.familyId, newer.familyId]);
    expect(list[1]?.lastUsedAt).toBe(new Date(now).toISOString());
    expect(list[0]?.userAgent).toBe('Unknown device');
  });

  it('leaves out ended and expired sessions and other users’ sessions', async () => {
    await auth.startSession(ada); // expires before the listing
    const loggedOut = await auth.startSession(ada);
    await auth.logout(loggedOut.refreshToken);
    await auth.startSession(bob);
    now += 7 * DAY * 1000 - 1000;
    const late = await auth.startSession(ada);
    now += 1000;

    expect((await sessions.list(ada.id, late.familyId)).map((s) => s.id)).toEqual([late.familyId]);
  });

  it('shows null times for a session recorded before they were kept', async () => {
    await tokens.startFamily({ familyId: 'legacy', userId: ada.id, revoked: false, expiresAt: T0 / 1000 + DAY }, 'h');
    expect(await sessions.list(ada.id, 'other')).toEqual([
      { id: 'legacy', createdAt: null, lastUsedAt: null, userAgent: 'Unknown device', current: false },
    ]);
  });
});

describe('LoginSessions.end', () => {
  it('revokes another session of the user, refusing its refresh token, and reports it ended', async () => {
    const mine = await auth.startSession(ada);
    const other = await auth.startSession(ada);

    expect(await sessions.end(ada.id, other.familyId, mine.familyId)).toEqual({ endedCurrent: false });
    expect(ended).toEqual([other.familyId]);
    expect((await rejection(auth.refresh(other.refreshToken))).code).toBe('unauthenticated');
    expect((await auth.refresh(mine.refreshToken)).familyId).toBe(mine.familyId);
  });

  it('ends the caller’s own session when asked, and says so', async () => {
    const mine = await auth.startSession(ada);
    expect(await sessions.end(ada.id, mine.familyId, mine.familyId)).toEqual({ endedCurrent: true });
    expect((await tokens.findFamily(mine.familyId))?.revoked).toBe(true);
  });

  it('answers not_found for another user’s, an unknown or an already ended session, ending nothing', async () => {
    const mine = await auth.startSession(ada);
    const bobs = await auth.startSession(bob);
    const gone = await auth.startSession(ada);
    await sessions.end(ada.id, gone.familyId, mine.familyId);
    ended = [];

    for (const id of [bobs.familyId, 'no-such-session', gone.familyId]) {
      expect((await rejection(sessions.end(ada.id, id, mine.familyId))).code).toBe('not_found');
    }
    expect((await tokens.findFamily(bobs.familyId))?.revoked).toBe(false);
    expect(ended).toEqual([]);
  });

  it('answers not_found for an expired session', async () => {
    const mine = await auth.startSession(ada);
    now += 7 * DAY * 1000;
    expect((await rejection(sessions.end(ada.id, mine.familyId, 'x'))).code).toBe('not_found');
  });
});

describe('LoginSessions.endOthers', () => {
  it('ends every session of the user but the caller’s, and no other user’s', async () => {
    const mine = await auth.startSession(ada);
    const a = await auth.startSession(ada);
    const b = await auth.startSession(ada);
    const bobs = await auth.startSession(bob);

    await sessions.endOthers(ada.id, mine.familyId);
    expect(ended.sort()).toEqual([a.familyId, b.familyId].sort());
    expect((await sessions.list(ada.id, mine.familyId)).map((s) => s.id)).toEqual([mine.familyId]);
    expect(await sessions.list(bob.id, bobs.familyId)).toHaveLength(1);
  });
});

describe('LoginSessions.recordUse', () => {
  it('writes the last use at most once per interval per session', async () => {
    const s = await auth.startSession(ada);
    const writes: number[] = [];
    const touch = tokens.touchFamily.bind(tokens);
    tokens.touchFamily = async (id, at) => {
      writes.push(at);
      await touch(id, at);
    };

    await sessions.recordUse(s.familyId);
    now += 59_999;
    await sessions.recordUse(s.familyId);
    now += 1;
    await sessions.recordUse(s.familyId);

    expect(writes).toEqual([T0, T0 + 60_000]);
    expect((await sessions.list(ada.id, s.familyId))[0]?.lastUsedAt).toBe(new Date(T0 + 60_000).toISOString());
  });

  it('forgets the oldest sessions beyond its bound, so memory stays flat', async () => {
    const writes: string[] = [];
    tokens.touchFamily = async (id) => void writes.push(id);
    for (const id of ['a', 'b', 'c', 'a']) await sessions.recordUse(id);
    expect(writes).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('LoginSessions.list on a lagging index', () => {
  it('still shows the caller’s own session when the listing has not seen it yet', async () => {
    const older = await auth.startSession(ada);
    const fresh = await auth.startSession(ada);
    const list = tokens.listUserFamilies.bind(tokens);
    tokens.listUserFamilies = async (userId) => (await list(userId)).filter((f) => f.familyId !== fresh.familyId);

    const listed = await sessions.list(ada.id, fresh.familyId);
    expect(listed.map((s) => [s.id, s.current])).toEqual([
      [fresh.familyId, true],
      [older.familyId, false],
    ]);
    expect((await sessions.list(bob.id, fresh.familyId)).map((s) => s.id)).toEqual([]);
  });
});
