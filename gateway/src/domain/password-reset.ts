import type { Clock } from '../ports/clock.ts';
import type { MailSender } from '../ports/mail-sender.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { RefreshTokenStore } from '../ports/refresh-token-store.ts';
import type { UserRecord, UserRepository } from '../ports/user-repository.ts';
import { passwordChangedMessage, resetPasswordMessage, tokenLink } from './account-mail.ts';
import type { ActionLimiter } from './action-limiter.ts';
import { normalizeEmail } from './email.ts';
import { invalidToken, type OneTimeTokens } from './one-time-tokens.ts';
import { assertAcceptablePassword } from './password-policy.ts';

export interface PasswordResetDeps {
  users: UserRepository;
  tokens: OneTimeTokens;
  sessions: RefreshTokenStore;
  hasher: PasswordHasher;
  mail: MailSender;
  clock: Clock;
  /** Origin of the web app; links point at `<appOrigin>/reset-password?token=`. */
  appOrigin: string;
  ttlSeconds: number;
  /** Forgot requests per email address, known or not (PASSWORD_FORGOT_PER_EMAIL_PER_HOUR). */
  forgotLimiter: ActionLimiter;
  /** Told of every login session a reset ends, so this instance refuses its tokens at once. */
  sessionsEnded?: (familyIds: string[]) => void;
  /** Mail that goes out after the answer (reset link, change notice) reports its failures here. */
  onMailFailure: (err: unknown, what: 'reset_link' | 'password_changed') => void;
}

/**
 * Forgotten passwords (OWASP Forgot Password Cheat Sheet): the answer to "forgot" never says
 * whether the address has an account, and a reset ends every session and tells the owner.
 */
export class PasswordResetService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * Answers the same way, after the same work, for known and unknown addresses: the lookup and
   * the rate limit run for both, and what only a known address needs (storing the token, mailing
   * the link) happens after the answer, so neither its time nor its failure shows.
   */
  async forgot(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    await this.deps.forgotLimiter.record(email);
    const user = await this.deps.users.findByEmail(email);
    if (user) this.background('reset_link', () => this.mailResetLink(user));
  }

  /**
   * Sets a new password from a mailed token, marks the email verified (the link proved it), ends
   * every login session of the account and mails a notice. The policy is checked before the token
   * is spent, so a refused password does not cost the user their link. Accounts that never had a
   * password (another sign-in method) set their first one this way.
   */
  async reset(token: string, newPassword: string): Promise<void> {
    assertAcceptablePassword(newPassword, 'newPassword');
    const record = await this.deps.tokens.redeem('reset_password', token);
    const user = await this.deps.users.findByEmail(record.email);
    if (!user || user.id !== record.userId) throw invalidToken();
    const updated = await this.deps.users.update(user.id, {
      passwordHash: await this.deps.hasher.hash(newPassword),
      emailVerified: true,
      updatedAt: new Date(this.deps.clock.now()).toISOString(),
    });
    this.deps.sessionsEnded?.(await this.deps.sessions.revokeUserFamilies(user.id));
    this.notifyPasswordChanged(updated);
  }

  /** Mails "your password was changed" after the answer (also used by the signed-in change). */
  notifyPasswordChanged(user: UserRecord): void {
    this.background('password_changed', () => this.deps.mail.send(passwordChangedMessage(user, this.deps.appOrigin)));
  }

  /** Resolves once every mail started so far is sent or reported (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async mailResetLink(user: UserRecord): Promise<void> {
    const token = await this.deps.tokens.issue('reset_password', user, this.deps.ttlSeconds);
    const link = tokenLink(this.deps.appOrigin, 'reset-password', token);
    await this.deps.mail.send(resetPasswordMessage(user, link, this.deps.ttlSeconds));
  }

  private background(what: 'reset_link' | 'password_changed', task: () => Promise<void>): void {
    const running: Promise<void> = task()
      .catch((err: unknown) => this.deps.onMailFailure(err, what))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }
}
