import { createHmac, hkdfSync } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { LoginAttemptCounter } from '../ports/login-attempt-counter.ts';

export interface ActionLimiterOptions {
  /** Shared fixed-window counter (DynamoDB in production, so every instance draws on one budget). */
  counter: LoginAttemptCounter;
  clock: Clock;
  /** Names the limit in the refusal's `details.limit` and keeps its counts apart from other limits. */
  limit: string;
  max: number;
  windowSeconds: number;
  /** What the refusal tells the user. */
  message: string;
  /** Server secret keying the subject hash, so the table never holds an address or a user id. */
  secret: string;
}

const HASH_KEY_LABEL = 'lfusys action limiter v1';

/**
 * At most `max` actions per subject (a user, an email address) in fixed windows aligned to the
 * epoch, counted in the same shared counter as sign-in attempts. Refusals are 429
 * `too_many_requests` with Retry-After and `details.limit`.
 */
export class ActionLimiter {
  private readonly hashKey: Buffer;

  constructor(private readonly options: ActionLimiterOptions) {
    if (!Number.isInteger(options.windowSeconds) || options.windowSeconds < 1) {
      throw new RangeError('windowSeconds must be a positive integer');
    }
    this.hashKey = Buffer.from(hkdfSync('sha256', options.secret, '', HASH_KEY_LABEL, 32));
  }

  /** Counts one action by `subject`; throws `too_many_requests` once the window's budget is spent. */
  async record(subject: string): Promise<void> {
    const { counter, clock, max, windowSeconds, limit } = this.options;
    const nowSeconds = Math.floor(clock.now() / 1000);
    const start = nowSeconds - (nowSeconds % windowSeconds);
    const end = start + windowSeconds;
    const key = createHmac('sha256', this.hashKey).update(`${limit}\n${subject}`).digest('hex');
    const count = await counter.increment(key, { start, expiresAt: end });
    if (count > max) {
      throw new AppError('too_many_requests', this.options.message, {
        retryAfterSeconds: Math.max(1, end - nowSeconds),
        details: { limit, max },
      });
    }
  }
}
