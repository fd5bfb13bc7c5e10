import { AppError } from '@lfusys/commons';

/** A provider account (provider + its stable subject id) that signs into one of our users. */
export interface IdentityRecord {
  /** Our provider id from config: `github`, `google`, `dev` or a configured OIDC issuer's id. */
  provider: string;
  /** The provider's stable id for the account (OIDC `sub`, GitHub's numeric user id). */
  subject: string;
  userId: string;
  /** The verified email the provider reported when the identity was linked (for display). */
  email: string;
  linkedAt: string;
}

/** Linked identities: unique per (provider, subject), at most one per provider for a user. */
export interface IdentityRepository {
  /**
   * Links the identity; `already_exists` when the (provider, subject) pair already belongs to a
   * user or the user already has an identity of this provider; `aborted` on a concurrent change.
   */
  link(identity: IdentityRecord): Promise<void>;
  findBySubject(provider: string, subject: string): Promise<IdentityRecord | null>;
  /** The user's identities, ordered by provider id. */
  listForUser(userId: string): Promise<IdentityRecord[]>;
  /**
   * `not_found` when the user has no identity of this provider; `aborted` on a concurrent change.
   * With `keepOne`, refuses (`failed_precondition`, reason `last_sign_in_method`) to remove the
   * user's last identity, judged on the same read the write is conditioned on.
   */
  unlink(userId: string, provider: string, options: { keepOne: boolean }): Promise<void>;
  /** Removes every identity of the user (account deletion); a no-op when there is none. */
  deleteForUser(userId: string): Promise<void>;
}

/** Unlinking would leave the account with no way to sign in. */
export function lastSignInMethod(): AppError {
  return new AppError('failed_precondition', 'this is your only way to sign in; set a password or link another first', {
    details: { reason: 'last_sign_in_method' },
  });
}
