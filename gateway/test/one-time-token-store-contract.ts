import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OneTimeTokenRecord, OneTimeTokenStore } from '../src/ports/one-time-token-store.ts';

/**
 * The behaviour every OneTimeTokenStore adapter must have: one suite, run against the memory
 * adapter in a unit test and against DynamoDB in an integration test.
 */
export function oneTimeTokenStoreContract(name: string, create: () => Promise<OneTimeTokenStore>): void {
  const record = (overrides: Partial<OneTimeTokenRecord> = {}): OneTimeTokenRecord => ({
    purpose: 'reset_password',
    hash: randomBytes(32).toString('hex'),
    userId: randomUUID(),
    email: 'ada@example.com',
    expiresAt: 1_764_547_200,
    ...overrides,
  });

  describe(`OneTimeTokenStore contract: ${name}`, () => {
    it('gives the stored record back once, then never again', async () => {
      const store = await create();
      const token = record();
      await store.put(token);
      expect(await store.consume('reset_password', token.hash)).toEqual(token);
      expect(await store.consume('reset_password', token.hash)).toBeNull();
    });

    it('knows nothing of a hash it never stored', async () => {
      const store = await create();
      expect(await store.consume('verify_email', randomBytes(32).toString('hex'))).toBeNull();
    });

    it('keeps purposes apart: a verification token cannot be consumed as a reset token', async () => {
      const store = await create();
      const token = record({ purpose: 'verify_email' });
      await store.put(token);
      expect(await store.consume('reset_password', token.hash)).toBeNull();
      expect(await store.consume('verify_email', token.hash)).toEqual(token);
    });

    it('returns an expired record too: deciding expiry is the caller’s job', async () => {
      const store = await create();
      const token = record({ expiresAt: 1 });
      await store.put(token);
      expect(await store.consume('reset_password', token.hash)).toMatchObject({ expiresAt: 1 });
    });

    it('hands a token to exactly one of many concurrent consumers', async () => {
      const store = await create();
      const token = record();
      await store.put(token);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consume('reset_password', token.hash)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
  });
}
