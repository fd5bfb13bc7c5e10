import { AppError } from '@lfusys/commons';

/** RFC 5321 caps a forward path at 256 octets including the brackets, so 254 for the address. */
const MAX_EMAIL_LENGTH = 254;
/**
 * An address as mailers take it, and nothing they would read otherwise: a dot-atom local part of
 * at most 64 characters (RFC 5322 atext, plus any letter, digit or mark: RFC 6531 allows UTF-8)
 * and a domain of two or more dot-separated labels (letters, digits, marks; hyphens inside). No
 * quotes, angle brackets, commas, comments or IP literals: a mailer that parses `"v"<a@x.io>` as
 * a display name sends to a@x.io, so such a string stored as an account's email would be verified
 * by whoever holds a@x.io. Still loose otherwise: the real check is the confirmation mail.
 */
const ATOM = "[\\p{L}\\p{N}\\p{M}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}\\p{M}](?:[\\p{L}\\p{N}\\p{M}-]{0,61}[\\p{L}\\p{N}\\p{M}])?';
const EMAIL_SHAPE = new RegExp(`^(?=[^@]{1,64}@)${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');

/**
 * The form we store and compare emails in: Unicode NFC, trimmed, lower-cased. Lower-casing the
 * local part is technically lossy (RFC 5321 §2.4) but every mainstream provider is case-insensitive,
 * and treating `A@x.io` and `a@x.io` as two accounts is a takeover risk.
 */
export function normalizeEmail(raw: string): string {
  const email = canonicalEmail(raw);
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new AppError('invalid_argument', 'email is not a valid address', { details: { field: 'email' } });
  }
  return email;
}

/**
 * The stored form of an address without the shape check, to find an existing account by: an
 * account made under an earlier, looser rule still signs in.
 */
export function canonicalEmail(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}
