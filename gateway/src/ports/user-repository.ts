export interface UserRecord {
  id: string;
  /** Normalised (see domain/email.ts); unique across users. */
  email: string;
  name: string;
  bio: string;
  /** Whether the owner proved control of `email` (a mailed link); false again after an email change. */
  emailVerified: boolean;
  /** PHC string; absent for an account that has never set a password (it signs in another way). */
  passwordHash?: string;
  createdAt: string;
  updatedAt: string;
}

export type UserChanges = Partial<Pick<UserRecord, 'name' | 'bio' | 'passwordHash' | 'emailVerified'>> & {
  updatedAt: string;
};

/** Users and the uniqueness of their emails. */
export interface UserRepository {
  /** Creates the user and claims its email atomically; `already_exists` when the email is taken. */
  create(user: UserRecord): Promise<void>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  /** `not_found` when the user no longer exists. */
  update(id: string, changes: UserChanges): Promise<UserRecord>;
  /**
   * Moves the user from email `from` to `to` (normalised) and marks it unverified, claiming `to`
   * and releasing `from` atomically: `already_exists` when `to` is taken, `aborted` when the user's
   * email is no longer `from` (a concurrent change) or the user is gone.
   */
  changeEmail(id: string, from: string, to: string, updatedAt: string): Promise<UserRecord>;
  /** Deletes the user and releases the email; a no-op when already gone. */
  delete(user: Pick<UserRecord, 'id' | 'email'>): Promise<void>;
}
