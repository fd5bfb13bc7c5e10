import { env } from '@lfusys/commons';
import { z } from 'zod';

const GiB = 1024 ** 3;

/**
 * Gateway config keys of mail, email verification and password reset (spread into the gateway's
 * one schema in config.ts). Links in mails point at PUBLIC_ORIGIN.
 */
export const accountMailConfigShape = {
  /** `outbox`: one .eml file per message in MAIL_OUTBOX_DIR (local); `ses`: Amazon SES v2 (AWS). */
  MAIL_TRANSPORT: z.enum(['outbox', 'ses']).default('outbox'),
  /** Sender of every account mail, `Name <address>` or an address; with SES, a verified identity. */
  MAIL_FROM: z
    .string()
    .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an email address, optionally as "Name <address>", on one line')
    .default('lfusys <no-reply@localhost>'),
  /** Where the outbox transport writes messages (relative paths from the working directory). */
  MAIL_OUTBOX_DIR: z.string().min(1).default('.local/outbox'),
  /** Lifetime of an email-verification link. */
  EMAIL_VERIFY_TOKEN_TTL_SECONDS: env.int(24 * 3600, 300, 7 * 24 * 3600),
  /** `POST /auth/email/resend` per user per hour; more are 429 `too_many_requests`. */
  EMAIL_VERIFY_RESEND_PER_HOUR: env.int(5, 1, 100),
  /** Lifetime of a password-reset link. */
  PASSWORD_RESET_TOKEN_TTL_SECONDS: env.int(30 * 60, 300, 2 * 3600),
  /** `POST /auth/password/forgot` per email address (known or not) per hour; more are 429. */
  PASSWORD_FORGOT_PER_EMAIL_PER_HOUR: env.int(5, 1, 100),
  /** Storage quota of an account until its email is verified (verified accounts: sessions' USER_QUOTA_BYTES). */
  UNVERIFIED_QUOTA_BYTES: env.int(GiB, 1),
};
