/** One issued refresh token, stored only as the SHA-256 of its value. */
export interface RefreshTokenRecord {
  hash: string;
  familyId: string;
  userId: string;
  /** Epoch seconds; the family's absolute end of life. */
  expiresAt: number;
  /** Epoch milliseconds when it was exchanged; a token is usable once. */
  usedAt?: number;
}

/** A login session: the chain of refresh tokens descended from one login. */
export interface RefreshFamilyRecord {
  familyId: string;
  userId: string;
  revoked: boolean;
  expiresAt: number;
  /** Epoch milliseconds when the session began; absent on sessions begun before it was recorded. */
  createdAt?: number;
  /** Epoch milliseconds of the last refresh or (at most once a minute) authenticated request. */
  lastUsedAt?: number;
  /** The raw `User-Agent` of the sign-in, cut to MAX_USER_AGENT_LENGTH; absent when none was sent. */
  userAgent?: string;
}

export interface RefreshTokenStore {
  startFamily(family: RefreshFamilyRecord, firstTokenHash: string): Promise<void>;
  findToken(hash: string): Promise<RefreshTokenRecord | null>;
  findFamily(familyId: string): Promise<RefreshFamilyRecord | null>;
  /**
   * Atomically marks `oldHash` used and stores `next`, only if `oldHash` was unused and its family
   * is not revoked, and sets the family's `lastUsedAt` to `usedAt`. Returns false when that
   * condition failed (a concurrent or repeated use).
   */
  rotate(oldHash: string, next: RefreshTokenRecord, usedAt: number): Promise<boolean>;
  revokeFamily(familyId: string): Promise<void>;
  /** Every family of the user, revoked and expired ones included (the domain decides what is live). */
  listUserFamilies(userId: string): Promise<RefreshFamilyRecord[]>;
  /** Moves the family's `lastUsedAt` forward to `at`; never backwards, and a no-op for an unknown family. */
  touchFamily(familyId: string, at: number): Promise<void>;
  /** Revokes every family of the user except `keepFamilyId`; returns the ids it revoked. */
  revokeUserFamilies(userId: string, keepFamilyId?: string): Promise<string[]>;
  /** Deletes every family and token of the user. */
  deleteUserData(userId: string): Promise<void>;
}
