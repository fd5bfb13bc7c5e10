import { MemoryLoginAttemptCounter } from '../src/adapters/memory-login-attempt-counter.ts';
import { MemoryMailSender } from '../src/adapters/memory-mail-sender.ts';
import { MemoryOneTimeTokenStore } from '../src/adapters/memory-one-time-token-store.ts';
import { MemoryRefreshTokenStore } from '../src/adapters/memory-refresh-token-store.ts';
import { MemoryUserRepository } from '../src/adapters/memory-user-repository.ts';
import { ActionLimiter } from '../src/domain/action-limiter.ts';
import { EmailVerificationService } from '../src/domain/email-verification.ts';
import { OneTimeTokens } from '../src/domain/one-time-tokens.ts';
import { PasswordResetService } from '../src/domain/password-reset.ts';
import type { MailMessage } from '../src/ports/mail-sender.ts';
import type { UserRecord } from '../src/ports/user-repository.ts';

export const APP_ORIGIN = 'https://app.example.com';

/** Email verification and password reset on memory adapters and a manual clock. */
export function accountMailFakes(options: { resendPerHour?: number; forgotPerHour?: number } = {}) {
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z'), now: () => clock.ms };
  const users = new MemoryUserRepository();
  const sessions = new MemoryRefreshTokenStore();
  const store = new MemoryOneTimeTokenStore();
  const tokens = new OneTimeTokens(store, clock);
  const mail = new MemoryMailSender();
  const counter = new MemoryLoginAttemptCounter();
  const hasher = {
    hash: async (p: string) => `h:${p}`,
    verify: async (h: string, p: string) => h === `h:${p}`,
    needsRehash: () => false,
  };
  const limiter = (limit: string, max: number) =>
    new ActionLimiter({
      counter,
      clock,
      limit,
      max,
      windowSeconds: 3600,
      message: 'slow down',
      secret: 's'.repeat(32),
    });
  const ended: string[] = [];
  const mailFailures: unknown[] = [];
  const verification = new EmailVerificationService({
    users,
    tokens,
    mail,
    clock,
    appOrigin: APP_ORIGIN,
    ttlSeconds: 24 * 3600,
    resendLimiter: limiter('email_resend_per_user', options.resendPerHour ?? 3),
  });
  const reset = new PasswordResetService({
    users,
    tokens,
    sessions,
    hasher,
    mail,
    clock,
    appOrigin: APP_ORIGIN,
    ttlSeconds: 1800,
    forgotLimiter: limiter('password_forgot_per_email', options.forgotPerHour ?? 3),
    sessionsEnded: (ids) => ended.push(...ids),
    onMailFailure: (err) => mailFailures.push(err),
  });
  async function addUser(overrides: Partial<UserRecord> = {}): Promise<UserRecord> {
    const user: UserRecord = {
      id: `u-${users.byId.size + 1}`,
      email: 'ada@example.com',
      name: 'Ada',
      bio: '',
      emailVerified: false,
      passwordHash: 'h:old password here',
      createdAt: new Date(clock.ms).toISOString(),
      updatedAt: new Date(clock.ms).toISOString(),
      ...overrides,
    };
    await users.create(user);
    return user;
  }
  return { clock, users, sessions, mail, verification, reset, ended, mailFailures, addUser };
}

/** The token in the last mailed link to `page`. */
export function mailedToken(sent: MailMessage[], page: 'verify-email' | 'reset-password'): string {
  const link = sent
    .map((m) => m.text.match(new RegExp(`${APP_ORIGIN}/${page}\\?token=([A-Za-z0-9_-]+)`))?.[1])
    .filter((t) => t !== undefined)
    .at(-1);
  if (!link) throw new Error(`no ${page} link was mailed`);
  return link;
}
