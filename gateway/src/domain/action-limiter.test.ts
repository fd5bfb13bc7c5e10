import { describe, expect, it } from 'vitest';
import { MemoryLoginAttemptCounter } from '../adapters/memory-login-attempt-counter.ts';
import type { AttemptWindow, LoginAttemptCounter } from '../ports/login-attempt-counter.ts';
import { ActionLimiter } from './action-limiter.ts';

/** A counter that remembers the keys it was given. */
class RecordingCounter implements LoginAttemptCounter {
  readonly keys: string[] = [];
  private readonly inner = new MemoryLoginAttemptCounter();
  increment(key: string, window: AttemptWindow): Promise<number> {
    this.keys.push(key);
    return this.inner.increment(key, window);
  }
}

function limiter(counter: LoginAttemptCounter, limit: string, clock = { now: () => 3_600_000 * 500 + 60_000 }) {
  return new ActionLimiter({
    counter,
    clock,
    limit,
    max: 2,
    windowSeconds: 3600,
    message: 'slow down',
    secret: 'k'.repeat(32),
  });
}

describe('ActionLimiter', () => {
  it('refuses the action past max in the window with Retry-After to the window end and the limit named', async () => {
    const counter = new MemoryLoginAttemptCounter();
    const forgot = limiter(counter, 'password_forgot_per_email');
    await forgot.record('ada@example.com');
    await forgot.record('ada@example.com');
    await expect(forgot.record('ada@example.com')).rejects.toMatchObject({
      code: 'too_many_requests',
      message: 'slow down',
      retryAfterSeconds: 3540,
      details: { limit: 'password_forgot_per_email', max: 2 },
    });
    await expect(forgot.record('grace@example.com')).resolves.toBeUndefined();
  });

  it('keeps limits apart on one counter and never hands the counter the subject itself', async () => {
    const counter = new RecordingCounter();
    const forgot = limiter(counter, 'password_forgot_per_email');
    const resend = limiter(counter, 'email_resend_per_user');
    await forgot.record('ada@example.com');
    await forgot.record('ada@example.com');
    await expect(resend.record('ada@example.com')).resolves.toBeUndefined();
    expect(new Set(counter.keys).size).toBe(2);
    for (const key of counter.keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('starts a new budget in the next window', async () => {
    const clock = { ms: 3_600_000 * 500, now: () => clock.ms };
    const counter = new MemoryLoginAttemptCounter();
    const resend = limiter(counter, 'email_resend_per_user', clock);
    await resend.record('u1');
    await resend.record('u1');
    clock.ms += 3_600_000;
    await expect(resend.record('u1')).resolves.toBeUndefined();
  });
});
