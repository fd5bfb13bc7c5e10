import { AppError } from '@lfusys/commons';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * OWASP ASVS 4.0 §2.1: at least 8 characters (2.1.1 via NIST 800-63B), at most 128 (2.1.2),
 * no composition rules (2.1.9), and no password from a list of commonly used ones (2.1.7).
 * Length counts code points, so emoji and accented characters count once.
 */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary['passwords-common'] as string[]).filter((p) => p.length >= MIN_PASSWORD_LENGTH),
);

export function assertAcceptablePassword(password: string, field = 'password'): void {
  const length = [...password].length;
  const reject = (message: string): never => {
    throw new AppError('invalid_argument', message, { details: { field } });
  };
  if (length < MIN_PASSWORD_LENGTH) reject(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) reject(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (COMMON_PASSWORDS.has(password.toLowerCase())) reject('password is too common; choose another');
}
