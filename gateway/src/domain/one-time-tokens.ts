import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { OneTimeTokenPurpose, OneTimeTokenRecord, OneTimeTokenStore } from '../ports/one-time-token-store.ts';
import type { UserRecord } from '../ports/user-repository.ts';

/**
 * The longest a mailed token may be typed or pasted as: 32 random bytes are 43 base64url
 * characters; anything much longer is not ours and is refused before hashing.
 */
export const MAX_TOKEN_LENGTH = 128;

/**
 * Mailed tokens (OWASP Forgot Password Cheat Sheet, "URL tokens"): 256 random bits, stored only
 * as their SHA-256 (full-entropy values need no salt or slow hash), single use, short-lived, and
 * bound to the address they were mailed to.
 */
export class OneTimeTokens {
  constructor(
    private readonly store: OneTimeTokenStore,
    private readonly clock: Clock,
  ) {}

  /** Stores a new token for the user's current email and returns its value (to mail, never to keep). */
  async issue(purpose: OneTimeTokenPurpose, user: UserRecord, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.store.put({
      purpose,
      hash: hashToken(token),
      userId: user.id,
      email: user.email,
      expiresAt: Math.floor(this.clock.now() / 1000) + ttlSeconds,
    });
    return token;
  }

  /**
   * Uses the token up and returns what it was issued for. An unknown, used or expired token is
   * `invalid_argument` with `details.reason` `token_invalid` or `token_expired`; the caller still
   * checks that the account's email is the one in the record.
   */
  async redeem(purpose: OneTimeTokenPurpose, token: string): Promise<OneTimeTokenRecord> {
    const record = token.length <= MAX_TOKEN_LENGTH ? await this.store.consume(purpose, hashToken(token)) : null;
    if (!record) throw invalidToken();
    if (record.expiresAt <= Math.floor(this.clock.now() / 1000)) {
      throw new AppError('invalid_argument', 'this link has expired; ask for a new one', {
        details: { field: 'token', reason: 'token_expired' },
      });
    }
    return record;
  }
}

export function invalidToken(): AppError {
  return new AppError('invalid_argument', 'this link is invalid or was already used; ask for a new one', {
    details: { field: 'token', reason: 'token_invalid' },
  });
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
