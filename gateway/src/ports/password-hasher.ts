/** One-way password hashing (PHC strings). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with parameters weaker or other than the current ones. */
  needsRehash(hash: string): boolean;
}
