/** What a one-time token lets its holder do. */
export type OneTimeTokenPurpose = 'verify_email' | 'reset_password';

/** A mailed token, stored only as the SHA-256 of its value. */
export interface OneTimeTokenRecord {
  purpose: OneTimeTokenPurpose;
  /** Hex SHA-256 of the token value. */
  hash: string;
  userId: string;
  /** The address the token was mailed to: a token is void once the account's email differs. */
  email: string;
  /** Epoch seconds. Storage may keep the record past it (TTL is late): the domain checks. */
  expiresAt: number;
}

/** Email-verification and password-reset tokens. */
export interface OneTimeTokenStore {
  put(record: OneTimeTokenRecord): Promise<void>;
  /**
   * Removes the token and returns it, atomically: of concurrent calls for one token, exactly one
   * gets the record; every other (and every later) call gets null, as does an unknown hash.
   */
  consume(purpose: OneTimeTokenPurpose, hash: string): Promise<OneTimeTokenRecord | null>;
}
