import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  const base = { baseMs: 500, capMs: 30_000 };

  it('is random() × min(cap, base × 2^(attempt-1)) (full jitter)', () => {
    expect(backoffDelay(1, { ...base, random: () => 0.5 })).toBe(250);
    expect(backoffDelay(2, { ...base, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(4, { ...base, random: () => 0.25 })).toBe(1000);
    expect(backoffDelay(3, { ...base, random: () => 0 })).toBe(0);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(7, { ...base, random: () => 0.999 })).toBeCloseTo(29_970);
    expect(backoffDelay(2000, { ...base, random: () => 0.5 })).toBe(15_000);
  });

  it('waits at least Retry-After', () => {
    expect(backoffDelay(1, { ...base, random: () => 0.5, retryAfterSeconds: 3 })).toBe(3000);
    expect(backoffDelay(8, { ...base, random: () => 0.5, retryAfterSeconds: 3 })).toBe(15_000);
    expect(backoffDelay(1, { ...base, random: () => 0.5, retryAfterSeconds: 0 })).toBe(250);
  });
});
