/** What a user stores through the sessions service; the account service erases it on account deletion. */
export interface UserFiles {
  /** Cancels the user's open uploads and deletes their files; idempotent. */
  deleteAll(userId: string): Promise<void>;
}
