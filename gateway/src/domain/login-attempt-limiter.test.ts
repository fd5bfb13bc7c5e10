import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { MemoryLoginAttemptCounter } from '../adapters/memory-login-attempt-counter.ts';
import { LoginAttemptLimiter } from './login-attempt-limiter.ts';

const WINDOW = 900;
/** 2026-12-01T00:00:00Z, a window boundary; tests move the clock from here. */
const T0 = Date.UTC(2026, 11, 1);

function setup(max = 3, counter = new MemoryLoginAttemptCounter()) {
  const clock = { t: T0 + 60_000, now: () => clock.t };
  const limiter = new LoginAttemptLimiter({
    counter,
    clock,
    maxAttempts: max,
    windowSeconds: WINDOW,
    secret: 's'.repeat(32),
  });
  return { clock, limiter, counter };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

describe('LoginAttemptLimiter', () => {
  it('allows the budget, then refuses with too_many_requests until the window ends', async () => {
    const { limiter } = setup(3);
    for (let i = 0; i < 3; i++) await limiter.recordAttempt('victim@example.com');
    const err = await refusal(limiter.recordAttempt('victim@example.com'));
    expect(err.code).toBe('too_many_requests');
    expect(err.details).toEqual({ limit: 'login_per_account', max: 3 });
    // The clock is 60 s into a 900 s window.
    expect(err.retryAfterSeconds).toBe(840);
  });

  it('counts one account whatever the case, spacing or Unicode form of its email', async () => {
    const { limiter } = setup(2);
    await limiter.recordAttempt('José@Example.com');
    await limiter.recordAttempt('  jose\u0301@example.COM ');
    await expect(limiter.recordAttempt('JOSÉ@EXAMPLE.COM')).rejects.toMatchObject({ code: 'too_many_requests' });
  });

  it('keeps accounts apart', async () => {
    const { limiter } = setup(1);
    await limiter.recordAttempt('a@example.com');
    await limiter.recordAttempt('b@example.com');
    await expect(limiter.recordAttempt('a@example.com')).rejects.toMatchObject({ code: 'too_many_requests' });
  });

  it('gives a fresh budget in the next window and forgets the old one', async () => {
    const { limiter, clock, counter } = setup(1);
    await limiter.recordAttempt('a@example.com');
    await expect(limiter.recordAttempt('a@example.com')).rejects.toMatchObject({ code: 'too_many_requests' });
    clock.t = T0 + WINDOW * 1000 - 1;
    await expect(limiter.recordAttempt('a@example.com')).rejects.toMatchObject({ retryAfterSeconds: 1 });
    clock.t = T0 + WINDOW * 1000;
    await limiter.recordAttempt('a@example.com');
    expect(counter.size).toBe(1);
  });

  it('shares the budget between limiters on one counter (two gateway instances)', async () => {
    const counter = new MemoryLoginAttemptCounter();
    const one = setup(2, counter).limiter;
    const two = setup(2, counter).limiter;
    await one.recordAttempt('a@example.com');
    await two.recordAttempt('a@example.com');
    await expect(one.recordAttempt('a@example.com')).rejects.toMatchObject({ code: 'too_many_requests' });
    await expect(two.recordAttempt('a@example.com')).rejects.toMatchObject({ code: 'too_many_requests' });
  });

  it('names accounts by a keyed hash, never by the address', () => {
    const { limiter } = setup();
    const key = limiter.accountKey('a@example.com');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(limiter.accountKey('A@Example.com ')).toBe(key);
    const other = new LoginAttemptLimiter({
      counter: new MemoryLoginAttemptCounter(),
      clock: { now: () => T0 },
      maxAttempts: 1,
      windowSeconds: WINDOW,
      secret: 't'.repeat(32),
    });
    expect(other.accountKey('a@example.com')).not.toBe(key);
  });
});
