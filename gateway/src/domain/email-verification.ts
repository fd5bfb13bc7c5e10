import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { MailSender } from '../ports/mail-sender.ts';
import type { UserRecord, UserRepository } from '../ports/user-repository.ts';
import { emailChangedMessage, tokenLink, verifyEmailMessage } from './account-mail.ts';
import type { ActionLimiter } from './action-limiter.ts';
import { invalidToken, type OneTimeTokens } from './one-time-tokens.ts';

export interface EmailVerificationDeps {
  users: UserRepository;
  tokens: OneTimeTokens;
  mail: MailSender;
  clock: Clock;
  /** Origin of the web app; links point at `<appOrigin>/verify-email?token=`. */
  appOrigin: string;
  ttlSeconds: number;
  /** Resends per user (EMAIL_VERIFY_RESEND_PER_HOUR). */
  resendLimiter: ActionLimiter;
}

/** Proving control of the account's email: mail a link on register (and on request), redeem it. */
export class EmailVerificationService {
  constructor(private readonly deps: EmailVerificationDeps) {}

  /** Mails a fresh link to the user's current address; nothing to do once verified. */
  async send(user: UserRecord): Promise<void> {
    if (user.emailVerified) return;
    const token = await this.deps.tokens.issue('verify_email', user, this.deps.ttlSeconds);
    const link = tokenLink(this.deps.appOrigin, 'verify-email', token);
    await this.deps.mail.send(verifyEmailMessage(user, link, this.deps.ttlSeconds));
  }

  /** `POST /auth/email/resend`: rate-limited per user; an already verified email is a conflict. */
  async resend(userId: string): Promise<void> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new AppError('unauthenticated', 'account no longer exists');
    if (user.emailVerified) {
      throw new AppError('failed_precondition', 'your email is already verified', {
        details: { reason: 'already_verified' },
      });
    }
    await this.deps.resendLimiter.record(user.id);
    await this.send(user);
  }

  /** Counts an email change against the same per-user budget as resends: each one mails a new address. */
  async beforeEmailChange(userId: string): Promise<void> {
    await this.deps.resendLimiter.record(userId);
  }

  /** After an email change: a verification link to the new address, a notice to the old one. */
  async emailChanged(user: UserRecord, previousEmail: string): Promise<void> {
    await this.send(user);
    await this.deps.mail.send(emailChangedMessage(user, previousEmail, this.deps.appOrigin));
  }

  /**
   * Redeems a verification link. The token must have been mailed to the address the account has
   * now: after an email change, links sent to the old address verify nothing.
   */
  async verify(token: string): Promise<UserRecord> {
    const record = await this.deps.tokens.redeem('verify_email', token);
    const user = await this.deps.users.findById(record.userId);
    if (!user || user.email !== record.email) throw invalidToken();
    if (user.emailVerified) return user;
    return this.deps.users.update(user.id, {
      emailVerified: true,
      updatedAt: new Date(this.deps.clock.now()).toISOString(),
    });
  }
}
