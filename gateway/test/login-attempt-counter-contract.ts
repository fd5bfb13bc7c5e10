import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LoginAttemptCounter } from '../src/ports/login-attempt-counter.ts';

/**
 * The behaviour every LoginAttemptCounter adapter must have: one suite, run against the memory
 * adapter in a unit test and against DynamoDB in an integration test.
 */
export function loginAttemptCounterContract(name: string, create: () => Promise<LoginAttemptCounter>): void {
  const key = () => randomBytes(32).toString('hex');
  const window = (start: number) => ({ start, expiresAt: start + 900 });
  const W = 1_764_547_200; // a window start (epoch seconds, a multiple of 900)

  describe(`LoginAttemptCounter contract: ${name}`, () => {
    it('counts 1, 2, 3 for one account in one window', async () => {
      const counter = await create();
      const account = key();
      const totals = [];
      for (let i = 0; i < 3; i++) totals.push(await counter.increment(account, window(W)));
      expect(totals).toEqual([1, 2, 3]);
    });

    it('keeps accounts apart', async () => {
      const counter = await create();
      const a = key();
      const b = key();
      await counter.increment(a, window(W));
      await counter.increment(a, window(W));
      expect(await counter.increment(b, window(W))).toBe(1);
    });

    it('starts every window from zero', async () => {
      const counter = await create();
      const account = key();
      await counter.increment(account, window(W));
      await counter.increment(account, window(W));
      expect(await counter.increment(account, window(W + 900))).toBe(1);
    });

    it('gives every concurrent caller a distinct total', async () => {
      const counter = await create();
      const account = key();
      const totals = await Promise.all(Array.from({ length: 20 }, () => counter.increment(account, window(W))));
      expect([...totals].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });
  });
}
