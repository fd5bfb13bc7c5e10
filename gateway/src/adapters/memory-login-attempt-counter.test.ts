import { expect, it } from 'vitest';
import { loginAttemptCounterContract } from '../../test/login-attempt-counter-contract.ts';
import { MemoryLoginAttemptCounter } from './memory-login-attempt-counter.ts';

loginAttemptCounterContract('memory', async () => new MemoryLoginAttemptCounter());

it('MemoryLoginAttemptCounter drops windows that expired before a later one is counted', async () => {
  const counter = new MemoryLoginAttemptCounter();
  await counter.increment('a', { start: 900, expiresAt: 1800 });
  await counter.increment('b', { start: 900, expiresAt: 1800 });
  expect(counter.size).toBe(2);
  await counter.increment('a', { start: 1800, expiresAt: 2700 });
  expect(counter.size).toBe(1);
});
