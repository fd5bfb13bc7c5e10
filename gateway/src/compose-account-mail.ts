import { resolve } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Logger, resourceNames } from '@lfusys/commons';
import { DynamoLoginAttemptCounter } from './adapters/dynamo-login-attempt-counter.ts';
import { DynamoOneTimeTokenStore } from './adapters/dynamo-one-time-token-store.ts';
import { OutboxMailSender } from './adapters/outbox-mail-sender.ts';
import { SesMailSender } from './adapters/ses-mail-sender.ts';
import type { GatewayConfig } from './config.ts';
import { ActionLimiter } from './domain/action-limiter.ts';
import { EmailVerificationService } from './domain/email-verification.ts';
import { OneTimeTokens } from './domain/one-time-tokens.ts';
import { PasswordResetService } from './domain/password-reset.ts';
import type { Clock } from './ports/clock.ts';
import type { MailSender } from './ports/mail-sender.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import type { RefreshTokenStore } from './ports/refresh-token-store.ts';
import type { UserRepository } from './ports/user-repository.ts';

const HOUR_SECONDS = 3600;

/** The mail adapter MAIL_TRANSPORT names. */
export function createMailSender(config: GatewayConfig): MailSender {
  if (config.MAIL_TRANSPORT === 'ses') {
    const client = new SESv2Client({
      region: config.AWS_REGION,
      ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
    });
    return new SesMailSender(client, config.MAIL_FROM);
  }
  return new OutboxMailSender(resolve(config.MAIL_OUTBOX_DIR), config.MAIL_FROM);
}

export interface AccountMailParts {
  users: UserRepository;
  sessions: RefreshTokenStore;
  hasher: PasswordHasher;
  clock: Clock;
  sessionsEnded: (familyIds: string[]) => void;
  logger: Logger;
}

/** Email verification and password reset, wired to DynamoDB and the configured mail transport. */
export function createAccountMail(config: GatewayConfig, db: DynamoDBDocumentClient, parts: AccountMailParts) {
  const table = resourceNames(config.RESOURCE_PREFIX).refreshTokensTable;
  const counter = new DynamoLoginAttemptCounter(db, table);
  const tokens = new OneTimeTokens(new DynamoOneTimeTokenStore(db, table), parts.clock);
  const mail = createMailSender(config);
  const limiter = (limit: string, max: number, message: string) =>
    new ActionLimiter({
      counter,
      clock: parts.clock,
      limit,
      max,
      windowSeconds: HOUR_SECONDS,
      message,
      secret: config.CSRF_SECRET,
    });
  const verification = new EmailVerificationService({
    users: parts.users,
    tokens,
    mail,
    clock: parts.clock,
    appOrigin: config.PUBLIC_ORIGIN,
    ttlSeconds: config.EMAIL_VERIFY_TOKEN_TTL_SECONDS,
    resendLimiter: limiter(
      'email_resend_per_user',
      config.EMAIL_VERIFY_RESEND_PER_HOUR,
      'too many verification emails requested; try again later',
    ),
  });
  const passwordReset = new PasswordResetService({
    users: parts.users,
    tokens,
    sessions: parts.sessions,
    hasher: parts.hasher,
    mail,
    clock: parts.clock,
    appOrigin: config.PUBLIC_ORIGIN,
    ttlSeconds: config.PASSWORD_RESET_TOKEN_TTL_SECONDS,
    forgotLimiter: limiter(
      'password_forgot_per_email',
      config.PASSWORD_FORGOT_PER_EMAIL_PER_HOUR,
      'too many reset requests for this address; try again later',
    ),
    sessionsEnded: parts.sessionsEnded,
    onMailFailure: (err, what) => parts.logger.error({ err, mail: what }, 'account mail failed'),
  });
  return { verification, passwordReset };
}
