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
  /** `not_found` when the user has no identity of this provider; `aborted` on a concurrent change. */
  unlink(userId: string, provider: string): Promise<void>;
  /** Removes every identity of the user (account deletion); a no-op when there is none. */
  deleteForUser(userId: string): Promise<void>;
}
