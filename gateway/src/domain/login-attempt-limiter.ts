import { createHmac, hkdfSync } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { LoginAttemptCounter } from '../ports/login-attempt-counter.ts';

export interface LoginAttemptLimiterOptions {
  counter: LoginAttemptCounter;
  clock: Clock;
  /** Attempts allowed per account in one window (RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_15_MINUTES). */
  maxAttempts: number;
  windowSeconds: number;
  /** Server secret that keys the email hash; every instance must share it to share the budget. */
  secret: string;
}

/** HKDF "info" label: the derived key serves this purpose only, whatever else uses the secret. */
const HASH_KEY_LABEL = 'lfusys login-attempt counter v1';

/**
 * Limits sign-in attempts per account whatever the IP, so a botnet cannot spread guesses for one
 * victim (OWASP Authentication Cheat Sheet, "Protect against automated attacks"). Every attempt
 * counts, right password or not, in fixed windows aligned to the epoch so that every gateway
 * instance computes the same window. Expiry is decided here, from the window in the key: storage
 * TTL only collects the garbage.
 */
export class LoginAttemptLimiter {
  private readonly hashKey: Buffer;

  constructor(private readonly options: LoginAttemptLimiterOptions) {
    if (!Number.isInteger(options.windowSeconds) || options.windowSeconds < 1) {
      throw new RangeError('windowSeconds must be a positive integer');
    }
    this.hashKey = Buffer.from(hkdfSync('sha256', options.secret, '', HASH_KEY_LABEL, 32));
  }

  /**
   * The counter's name for an account: a keyed hash (HMAC-SHA256) of the email in the form it is
   * stored in (NFC, trimmed, lower-case), so the table never holds an address, not even a typo or a
   * password pasted into the email field, and a leaked table cannot be reversed by hashing guesses.
   */
  accountKey(email: string): string {
    const normalised = email.normalize('NFC').trim().toLowerCase();
    return createHmac('sha256', this.hashKey).update(normalised).digest('hex');
  }

  /** Counts one attempt for `email`; throws `too_many_requests` once the window's budget is spent. */
  async recordAttempt(email: string): Promise<void> {
    const { counter, clock, maxAttempts, windowSeconds } = this.options;
    const nowSeconds = Math.floor(clock.now() / 1000);
    const start = nowSeconds - (nowSeconds % windowSeconds);
    const end = start + windowSeconds;
    const attempts = await counter.increment(this.accountKey(email), { start, expiresAt: end });
    if (attempts > maxAttempts) {
      throw new AppError('too_many_requests', 'too many sign-in attempts for this account; try again later', {
        retryAfterSeconds: Math.max(1, end - nowSeconds),
        details: { limit: 'login_per_account', max: maxAttempts },
      });
    }
  }
}
