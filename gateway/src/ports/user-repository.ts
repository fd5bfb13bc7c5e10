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
  /** Deletes the user and releases the email; a no-op when already gone. */
  delete(user: Pick<UserRecord, 'id' | 'email'>): Promise<void>;
}
