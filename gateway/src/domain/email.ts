import { AppError } from '@lfusys/commons';

/** RFC 5321 caps a forward path at 256 octets including the brackets, so 254 for the address. */
const MAX_EMAIL_LENGTH = 254;
/** Deliberately loose (one @, a dot in the domain, no spaces): the real check is the confirmation mail. */
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/**
 * The form we store and compare emails in: Unicode NFC, trimmed, lower-cased. Lower-casing the
 * local part is technically lossy (RFC 5321 §2.4) but every mainstream provider is case-insensitive,
 * and treating `A@x.io` and `a@x.io` as two accounts is a takeover risk.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.normalize('NFC').trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new AppError('invalid_argument', 'email is not a valid address', { details: { field: 'email' } });
  }
  return email;
}
