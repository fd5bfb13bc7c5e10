import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { type LoginSessionStatus, SessionLiveness } from './session-liveness.ts';

const HOUR_S = 3600;

function setup(initial: Record<string, LoginSessionStatus | null>, cacheMs = 2000) {
  let now = 1_000_000_000_000;
  const store = { ...initial };
  const lookups: string[] = [];
  let fail = false;
  const liveness = new SessionLiveness({
    cacheMs,
    now: () => now,
    maxEntries: 3,
    lookup: async (id) => {
      lookups.push(id);
      if (fail) throw new Error('dynamodb down');
      return store[id] ?? null;
    },
  });
  return {
    liveness,
    store,
    lookups,
    advance: (ms: number) => {
      now += ms;
    },
    nowSeconds: () => Math.floor(now / 1000),
    failLookups: (value: boolean) => {
      fail = value;
    },
  };
}

const live = (userId: string, expiresAt = 2_000_000_000): LoginSessionStatus => ({ userId, revoked: false, expiresAt });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
}

describe('SessionLiveness', () => {
  it('lets a live session of its own user through, with one lookup per cache period', async () => {
    const t = setup({ s1: live('u1') });
    for (let i = 0; i < 20; i++) await t.liveness.assertLive('s1', 'u1');
    expect(t.lookups).toEqual(['s1']);
    t.advance(2001);
    await t.liveness.assertLive('s1', 'u1');
    expect(t.lookups).toEqual(['s1', 's1']);
  });

  it('shares one lookup among concurrent requests of the same session', async () => {
    const t = setup({ s1: live('u1') });
    await Promise.all(Array.from({ length: 50 }, () => t.liveness.assertLive('s1', 'u1')));
    expect(t.lookups).toHaveLength(1);
  });

  it('notices a revocation made elsewhere once the cache period has passed', async () => {
    const t = setup({ s1: live('u1') });
    await t.liveness.assertLive('s1', 'u1');
    t.store.s1 = { ...live('u1'), revoked: true };
    // Within the cache period the instance still trusts its answer: this is the documented bound.
    await t.liveness.assertLive('s1', 'u1');
    t.advance(2001);
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unauthenticated');
  });

  it('refuses a deleted session (no record), a revoked one and one past its absolute lifetime', async () => {
    const t = setup({});
    t.store.revoked = { ...live('u1'), revoked: true };
    t.store.old = live('u1', t.nowSeconds() - 1);
    expect(await codeOf(t.liveness.assertLive('gone', 'u1'))).toBe('unauthenticated');
    expect(await codeOf(t.liveness.assertLive('revoked', 'u1'))).toBe('unauthenticated');
    expect(await codeOf(t.liveness.assertLive('old', 'u1'))).toBe('unauthenticated');
  });

  it('does not trust a live answer past the session end of life', async () => {
    const t = setup({});
    t.store.s1 = live('u1', t.nowSeconds() + 1);
    await t.liveness.assertLive('s1', 'u1');
    t.advance(1500);
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unauthenticated');
  });

  it("refuses another user's session id", async () => {
    const t = setup({ s1: live('u1') });
    expect(await codeOf(t.liveness.assertLive('s1', 'u2'))).toBe('unauthenticated');
  });

  it('refuses at once a session this instance ended, without a lookup, even if a lookup was in flight', async () => {
    const t = setup({ s1: live('u1'), s2: live('u1') });
    await t.liveness.assertLive('s1', 'u1');
    t.liveness.markEnded(['s1']);
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unauthenticated');
    const racing = t.liveness.assertLive('s2', 'u1');
    t.liveness.markEnded(['s2']);
    expect(await codeOf(racing)).toBe('unauthenticated');
    expect(await codeOf(t.liveness.assertLive('s2', 'u1'))).toBe('unauthenticated');
    expect(t.lookups).toEqual(['s1', 's2']);
  });

  it('remembers an ended session however much time passes', async () => {
    const t = setup({ s1: { ...live('u1'), revoked: true } });
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unauthenticated');
    t.store.s1 = live('u1');
    t.advance(24 * HOUR_S * 1000);
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unauthenticated');
    expect(t.lookups).toEqual(['s1']);
  });

  it('fails closed and retryable when the lookup fails, and recovers after', async () => {
    const t = setup({ s1: live('u1') });
    t.failLookups(true);
    expect(await codeOf(t.liveness.assertLive('s1', 'u1'))).toBe('unavailable');
    t.failLookups(false);
    await t.liveness.assertLive('s1', 'u1');
  });

  it('keeps at most maxEntries sessions, dropping the least recently stored', async () => {
    const t = setup({ a: live('u'), b: live('u'), c: live('u'), d: live('u') });
    for (const id of ['a', 'b', 'c', 'd']) await t.liveness.assertLive(id, 'u');
    await t.liveness.assertLive('d', 'u');
    await t.liveness.assertLive('a', 'u');
    expect(t.lookups).toEqual(['a', 'b', 'c', 'd', 'a']);
  });
});
