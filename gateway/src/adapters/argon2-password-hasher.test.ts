import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { Argon2PasswordHasher } from './argon2-password-hasher.ts';

const OWASP = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 };

describe('Argon2PasswordHasher', () => {
  it('hashes and verifies, and fails closed on a malformed stored hash', async () => {
    const hasher = new Argon2PasswordHasher(OWASP, { maxConcurrent: 1, maxQueue: 4 });
    const hash = await hasher.hash('correct horse battery');
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'wrong')).toBe(false);
    expect(await hasher.verify('not-a-phc-string', 'x')).toBe(false);
  });

  it('refuses with unavailable and Retry-After when every slot and queue place is taken', async () => {
    const hasher = new Argon2PasswordHasher(OWASP, { maxConcurrent: 1, maxQueue: 1 });
    const hash = await hasher.hash('correct horse battery');
    // Both calls start synchronously: the first takes the slot, the second the one queue place.
    const admitted = [hasher.verify(hash, 'correct horse battery'), hasher.hash('another password')];
    const refused = await hasher.verify(hash, 'correct horse battery').then(
      () => undefined,
      (err: unknown) => err,
    );
    // A refusal must never read as "wrong password" (verify → false): it is an error the client can retry.
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'unavailable', retryAfterSeconds: 1, details: { limit: 'argon2_queue' } });
    await expect(hasher.hash('x')).rejects.toMatchObject({ code: 'unavailable' });
    const [verified, hashed] = await Promise.all(admitted);
    expect(verified).toBe(true);
    expect(hashed).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
  });
});
